// The supervisor's live board: what waits per team and channel, who is online and how loaded, which
// conversations break their team's service level; reassign and change availability in place.
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import {
  Alert, Anchor, Badge, Group, Paper, Progress, Select, SimpleGrid, Stack, Table, Text, Title,
} from '@mantine/core';
import { useInterval } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { call } from '../data/api';
import { useBoard, useTeams, useUsers } from '../data/firestore';
import ChannelBadge from '../components/ChannelBadge';
import { board, duration } from './board';

const AVAILABILITY = { online: 'green', busy: 'yellow', away: 'gray' };

function useNow(everyMs = 5000) {
  const [now, setNow] = useState(Date.now());
  const interval = useInterval(() => setNow(Date.now()), everyMs);
  useEffect(() => { interval.start(); return interval.stop; }, []); // eslint-disable-line react-hooks/exhaustive-deps
  return now;
}

export default function Board({ claims }) {
  const { t } = useTranslation();
  const teams = useTeams();
  const users = useUsers();
  const teamIds = claims.role === 'admin' ? teams.map((tm) => tm.id).sort() : (claims.teams || []);
  const live = useBoard(teamIds);
  const now = useNow();
  const names = useMemo(() => new Map(teams.map((tm) => [tm.id, tm.name || tm.id])), [teams]);
  const levels = useMemo(() => Object.fromEntries(teams.map((tm) => [tm.id, tm.serviceLevel || {}])), [teams]);
  const mine = users.filter((u) => (u.teams || []).some((tm) => teamIds.includes(tm)));
  const { queues, breaches, people } = board([...live.waiting, ...live.serving], mine, levels, now);
  const [problem, setProblem] = useState(null);
  const act = (action, body) => call(action, body).then(() => setProblem(null)).catch((e) => setProblem(e.message));
  const waitingTotal = live.waiting.length;
  const online = people.filter((p) => p.availability === 'online').length;

  return (
    <Stack p="md" gap="md">
      <Title order={2} size="h3">{t('console.board.title')}</Title>
      {live.error && <Alert color="red" role="alert">{live.error.message}</Alert>}
      {problem && <Alert color="red" role="alert" withCloseButton onClose={() => setProblem(null)}>{problem}</Alert>}
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Kpi label={t('console.board.waiting')} value={waitingTotal} testId="kpi-waiting" />
        <Kpi label={t('console.board.oldest')} value={duration(Math.max(0, ...queues.map((q) => q.oldestS)) || null)} />
        <Kpi label={t('console.board.breaches')} value={breaches.length} color={breaches.length ? 'red' : undefined} />
        <Kpi label={t('console.board.online')} value={`${online} / ${people.length}`} />
      </SimpleGrid>

      <Paper withBorder p="sm" radius="md">
        <Title order={3} size="h5" mb="xs">{t('console.board.queues')}</Title>
        {queues.length === 0 ? <Text c="dimmed" size="sm">{t('console.board.noQueue')}</Text> : (
          <Table striped aria-label={t('console.board.queues')} data-testid="queues">
            <Table.Thead><Table.Tr>
              <Table.Th>{t('console.team')}</Table.Th><Table.Th>{t('console.channel')}</Table.Th>
              <Table.Th ta="right">{t('console.board.waiting')}</Table.Th><Table.Th ta="right">{t('console.board.oldest')}</Table.Th>
              <Table.Th ta="right">{t('console.board.median')}</Table.Th>
            </Table.Tr></Table.Thead>
            <Table.Tbody>
              {queues.map((q) => (
                <Table.Tr key={`${q.team}-${q.channel}`} data-queue={`${q.team}/${q.channel}`}>
                  <Table.Td>{names.get(q.team) || q.team}</Table.Td>
                  <Table.Td><ChannelBadge channel={q.channel} /></Table.Td>
                  <Table.Td ta="right" fw={600}>{q.waiting}</Table.Td>
                  <Table.Td ta="right">{duration(q.oldestS)}</Table.Td>
                  <Table.Td ta="right">{duration(q.medianS)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>

      <Paper withBorder p="sm" radius="md">
        <Title order={3} size="h5" mb="xs">{t('console.board.overLevel')}</Title>
        {breaches.length === 0 ? <Text c="dimmed" size="sm">{t('console.board.allWithin')}</Text> : (
          <Table aria-label={t('console.board.overLevel')}>
            <Table.Thead><Table.Tr>
              <Table.Th>{t('console.board.customer')}</Table.Th><Table.Th>{t('console.team')}</Table.Th>
              <Table.Th>{t('console.board.kind')}</Table.Th><Table.Th ta="right">{t('console.board.waited')}</Table.Th>
              <Table.Th>{t('console.board.assignee')}</Table.Th>
            </Table.Tr></Table.Thead>
            <Table.Tbody>
              {breaches.map(({ conversation: c, kind, waitedS, limitS }) => (
                <Table.Tr key={c.id} bg="red.0">
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <ChannelBadge channel={c.channel} />
                      <Anchor component={Link} to={`/c/${c.id}`} size="sm">{c.contactName || c.senderId}</Anchor>
                    </Group>
                  </Table.Td>
                  <Table.Td>{names.get(c.team) || c.team}</Table.Td>
                  <Table.Td><Badge color="red" variant="light">{t(`console.board.${kind}`)}</Badge></Table.Td>
                  <Table.Td ta="right">{duration(waitedS)} <Text span c="dimmed" size="xs">/ {duration(limitS)}</Text></Table.Td>
                  <Table.Td>
                    <Select size="xs" w={180} aria-label={t('console.board.reassign', { name: c.contactName || c.senderId })}
                      placeholder={t('console.board.unassigned')} value={c.assignee || null}
                      data={people.filter((p) => p.teams.includes(c.team)).map((p) => ({ value: p.uid, label: `${p.name} (${p.open}/${p.capacity})` }))}
                      onChange={(uid) => uid && act('assign', { conversationId: c.id, agentId: uid })} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>

      <Paper withBorder p="sm" radius="md">
        <Title order={3} size="h5" mb="xs">{t('console.board.people')}</Title>
        <Table aria-label={t('console.board.people')} data-testid="people">
          <Table.Thead><Table.Tr>
            <Table.Th>{t('console.board.person')}</Table.Th><Table.Th>{t('console.board.teams')}</Table.Th>
            <Table.Th>{t('console.board.availability')}</Table.Th><Table.Th w={220}>{t('console.board.load')}</Table.Th>
          </Table.Tr></Table.Thead>
          <Table.Tbody>
            {people.map((p) => (
              <Table.Tr key={p.uid}>
                <Table.Td>{p.name}</Table.Td>
                <Table.Td><Text size="xs">{p.teams.map((tm) => names.get(tm) || tm).join(', ')}</Text></Table.Td>
                <Table.Td>
                  <Select size="xs" w={130} aria-label={t('console.board.availabilityOf', { name: p.name })} value={p.availability}
                    leftSection={<Badge circle size="xs" color={AVAILABILITY[p.availability]} />} allowDeselect={false}
                    data={['online', 'busy', 'away'].map((a) => ({ value: a, label: t(`header.${a}`) }))}
                    onChange={(v) => v && v !== p.availability && act('availability', { availability: v, agentId: p.uid })} />
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Progress value={p.capacity ? (100 * p.open) / p.capacity : 0} w={120} aria-hidden
                      color={p.open >= p.capacity ? 'orange' : 'teal'} />
                    <Text size="sm">{p.open}/{p.capacity}</Text>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}

export function Kpi({ label, value, color, testId }) {
  return (
    <Paper withBorder p="sm" radius="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>{label}</Text>
      <Text size="xl" fw={700} c={color} data-testid={testId}>{value}</Text>
    </Paper>
  );
}
