// Channel health (admins): per account, the last hour's sends and errors, forged webhook signatures,
// dead letters and the CRM webhook's deliveries, with a state the server computes (docs/reports.md,
// "Channel health").
import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, Paper, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { api } from '../data/api';
import ChannelBadge from '../components/ChannelBadge';
import DeadLetters from './DeadLetters';
import { clock, named } from '../format';

const STATE = { ok: 'green', degraded: 'yellow', offline: 'red' };
const asMillis = (at) => (at == null ? null : at < 1e12 ? at * 1000 : at);
// Rows that are not a channel's account: the CRM webhook and the dead letters that name no channel.
const OWN_ROWS = { crm: 'channelCrm', atende: 'channelAtende' };
const LABELS = { 'crm/webhook': 'crm', 'atende/webhook': 'atende' };

function Count({ value, color, label }) {
  if (!value) return <Text size="sm" c="dimmed">0</Text>;
  return <Badge color={color} variant="light" aria-label={label}>{value}</Badge>;
}

function RowName({ a, t }) {
  const own = LABELS[`${a.channel}/${a.accountId}`] || (a.accountId === 'webhook' ? 'webhook' : null);
  return own
    ? <Text size="sm">{t(`console.health.${own}`)}</Text>
    : <Text size="sm" ff="monospace">{a.accountId}</Text>;
}

export default function Health() {
  const { t } = useTranslation();
  const [accounts, setAccounts] = useState(null);
  const [problem, setProblem] = useState(null);
  const load = () => api('reports', 'health').then((r) => { setAccounts(r.accounts); setProblem(null); }).catch((e) => setProblem(e.message));
  useEffect(() => {
    load();
    const timer = setInterval(load, 30_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <Stack p="md" gap="md">
      <Group justify="space-between">
        <Title order={2} size="h3">{t('console.health.title')}</Title>
        <Button size="xs" variant="light" onClick={load}>{t('console.refresh')}</Button>
      </Group>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Paper withBorder p="sm" radius="md">
        <Table.ScrollContainer minWidth={1060}>
        <Table aria-label={t('console.health.title')}>
          <Table.Thead><Table.Tr>
            <Table.Th>{t('console.channel')}</Table.Th><Table.Th>{t('console.health.account')}</Table.Th>
            <Table.Th>{t('console.health.state')}</Table.Th>
            <Table.Th ta="right">{t('console.health.sent')}</Table.Th><Table.Th ta="right">{t('console.health.failed')}</Table.Th>
            <Table.Th ta="right">{t('console.health.errorRate')}</Table.Th><Table.Th ta="right">{t('console.health.rejected')}</Table.Th>
            <Table.Th ta="right"><Tooltip label={t('console.health.forgedHelp')} multiline w={260}><span>{t('console.health.forged')}</span></Tooltip></Table.Th>
            <Table.Th ta="right"><Tooltip label={t('console.health.deadLettersHelp')} multiline w={260}><span>{t('console.health.deadLetters')}</span></Tooltip></Table.Th>
            <Table.Th>{t('console.health.lastActivity')}</Table.Th>
          </Table.Tr></Table.Thead>
          <Table.Tbody>
            {(accounts || []).map((a) => (
              <Table.Tr key={`${a.channel}-${a.accountId}`}>
                <Table.Td style={{ minWidth: 'max-content', whiteSpace: 'nowrap' }}>{OWN_ROWS[a.channel]
                  ? <Badge size="xs" variant="light" color="gray">{t(`console.health.${OWN_ROWS[a.channel]}`)}</Badge>
                  : <span style={{ display: 'inline-block', minWidth: 'max-content' }}><ChannelBadge channel={a.channel} /></span>}</Table.Td>
                <Table.Td><RowName a={a} t={t} /></Table.Td>
                <Table.Td maw={240}>
                  <Badge color={STATE[a.state] || 'gray'} style={{ minWidth: 'max-content' }}>{named(t, 'console.health', a.state)}</Badge>
                  {a.lastError && (
                    <Text size="xs" c="red.8" mt={4} lineClamp={2} title={a.lastError} style={{ wordBreak: 'break-word' }}>
                      {t('console.health.lastError')}: {a.lastError}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ta="right">{a.lastHour?.sent ?? 0}</Table.Td>
                <Table.Td ta="right">{(a.lastHour?.failed ?? 0) + (a.lastHour?.unknown ?? 0)}</Table.Td>
                <Table.Td ta="right">{a.lastHour?.errorRate == null ? '—' : `${Math.round(a.lastHour.errorRate * 100)}%`}</Table.Td>
                <Table.Td ta="right">{a.lastHour?.rejected ?? 0}</Table.Td>
                <Table.Td ta="right" data-testid={`forged-${a.channel}-${a.accountId}`}>
                  <Count value={a.lastHour?.forged} color="orange" label={t('console.health.forged')} />
                </Table.Td>
                <Table.Td ta="right" data-testid={`dead-${a.channel}-${a.accountId}`}>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Count value={a.lastHour?.deadLetters} color="red" label={t('console.health.deadLetters')} />
                    <Text size="sm" c="dimmed">/</Text>
                    <Count value={a.lastDay?.deadLetters} color="red" label={t('console.health.deadLetters')} />
                  </Group>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  {a.lastReceivedAt == null && a.lastSentAt == null ? '—' : (
                    <Stack gap={0}>
                      {a.lastReceivedAt != null && <Text size="xs">{t('console.health.receivedAt', { time: clock(asMillis(a.lastReceivedAt)) })}</Text>}
                      {a.lastSentAt != null && <Text size="xs">{t('console.health.sentAt', { time: clock(asMillis(a.lastSentAt)) })}</Text>}
                    </Stack>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        </Table.ScrollContainer>
        {accounts && accounts.length === 0 && <Text c="dimmed" size="sm">{t('console.health.none')}</Text>}
      </Paper>
      <DeadLetters />
    </Stack>
  );
}
