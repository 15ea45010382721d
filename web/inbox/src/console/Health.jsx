// Channel health (admins): per account, the last hour's sends and errors and a state the server computes
// (docs/reports.md, "Channel health").
import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { api } from '../data/api';
import ChannelBadge from '../components/ChannelBadge';
import { clock } from '../format';

const STATE = { ok: 'green', degraded: 'yellow', offline: 'red' };
const asMillis = (at) => (at == null ? null : at < 1e12 ? at * 1000 : at);

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
        <Table aria-label={t('console.health.title')}>
          <Table.Thead><Table.Tr>
            <Table.Th>{t('console.channel')}</Table.Th><Table.Th>{t('console.health.account')}</Table.Th>
            <Table.Th>{t('console.health.state')}</Table.Th>
            <Table.Th ta="right">{t('console.health.sent')}</Table.Th><Table.Th ta="right">{t('console.health.failed')}</Table.Th>
            <Table.Th ta="right">{t('console.health.errorRate')}</Table.Th><Table.Th ta="right">{t('console.health.rejected')}</Table.Th>
            <Table.Th>{t('console.health.lastReceived')}</Table.Th><Table.Th>{t('console.health.lastSent')}</Table.Th>
            <Table.Th>{t('console.health.lastError')}</Table.Th>
          </Table.Tr></Table.Thead>
          <Table.Tbody>
            {(accounts || []).map((a) => (
              <Table.Tr key={`${a.channel}-${a.accountId}`}>
                <Table.Td><ChannelBadge channel={a.channel} /></Table.Td>
                <Table.Td><Text size="sm" ff="monospace">{a.accountId}</Text></Table.Td>
                <Table.Td><Badge color={STATE[a.state] || 'gray'}>{t(`console.health.${a.state}`, { defaultValue: a.state })}</Badge></Table.Td>
                <Table.Td ta="right">{a.lastHour?.sent ?? 0}</Table.Td>
                <Table.Td ta="right">{(a.lastHour?.failed ?? 0) + (a.lastHour?.unknown ?? 0)}</Table.Td>
                <Table.Td ta="right">{a.lastHour?.errorRate == null ? '—' : `${Math.round(a.lastHour.errorRate * 100)}%`}</Table.Td>
                <Table.Td ta="right">{a.lastHour?.rejected ?? 0}</Table.Td>
                <Table.Td>{clock(asMillis(a.lastReceivedAt))}</Table.Td>
                <Table.Td>{clock(asMillis(a.lastSentAt))}</Table.Td>
                <Table.Td><Text size="xs">{a.lastError || '—'}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {accounts && accounts.length === 0 && <Text c="dimmed" size="sm">{t('console.health.none')}</Text>}
      </Paper>
    </Stack>
  );
}
