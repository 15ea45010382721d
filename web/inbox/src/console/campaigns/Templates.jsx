// WhatsApp templates per number as Atende last copied them from Meta, and a sync button: campaign_send,
// which holds the numbers' tokens, reads Meta's catalog; the page follows `syncedAt` until it moves.
// "Novo modelo" opens the form whose template campaign_send submits to Meta (listed "Em análise" meanwhile).
import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { clock, named } from '../../format';
import { save, useResource } from '../settings/resource';
import { TEMPLATE_COLOR, usePolling } from './shared';
import TemplateForm from './TemplateForm';

const SYNC_WAIT_MS = 30_000;

export default function Templates() {
  const { t } = useTranslation();
  const { data, problem, reload } = useResource('templates');
  const [account, setAccount] = useState(null);
  const [waiting, setWaiting] = useState(null); // when the sync was asked for
  const [writing, setWriting] = useState(false);
  const templates = data?.templates || [];
  const accounts = [...new Set(templates.map((tp) => tp.accountId))];
  const shown = templates.filter((tp) => !account || tp.accountId === account);
  const newest = Math.max(0, ...templates.map((tp) => tp.syncedAt || 0));
  useEffect(() => {
    if (!waiting || (newest < waiting && Date.now() - waiting < SYNC_WAIT_MS)) return;
    setWaiting(null);
    const done = newest >= waiting;
    notifications.show({ color: done ? 'teal' : 'yellow', message: done ? t('console.templates.synced') : t('console.templates.slow') });
  }, [data, waiting]); // eslint-disable-line react-hooks/exhaustive-deps
  usePolling(reload, 2000, Boolean(waiting));
  const sync = async () => {
    const answer = await save('templates/sync', 'POST', account ? { accountId: account } : {}, t('console.templates.asked'));
    if (answer) setWaiting(answer.requestedAt);
  };
  return (
    <Stack p="md" gap="md">
      <Group justify="space-between">
        <Title order={2} size="h3">{t('console.templates.title')}</Title>
        <Group gap="xs">
          <Select size="xs" w={220} clearable placeholder={t('console.templates.allAccounts')} aria-label={t('console.campaigns.account')}
            data={accounts} value={account} onChange={setAccount} />
          <Button size="xs" onClick={sync} loading={Boolean(waiting)}>{t('console.templates.sync')}</Button>
          <Button size="xs" variant="light" onClick={() => setWriting(true)} disabled={writing}>{t('console.templateForm.open')}</Button>
        </Group>
      </Group>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      {writing && <TemplateForm accounts={accounts} onCancel={() => setWriting(false)} onCreated={() => { setWriting(false); reload(); }} />}
      <Text size="sm" c="dimmed">{t('console.templates.help')}</Text>
      <Paper withBorder p="sm" radius="md">
        <Table aria-label={t('console.templates.title')} data-testid="templates">
          <Table.Thead><Table.Tr>
            <Table.Th>{t('console.campaigns.account')}</Table.Th><Table.Th>{t('console.templates.name')}</Table.Th>
            <Table.Th>{t('console.templates.language')}</Table.Th><Table.Th>{t('console.templates.category')}</Table.Th>
            <Table.Th>{t('console.templates.status')}</Table.Th><Table.Th ta="right">{t('console.templates.params')}</Table.Th>
            <Table.Th w="36%">{t('console.templates.body')}</Table.Th><Table.Th>{t('console.templates.syncedAt')}</Table.Th>
          </Table.Tr></Table.Thead>
          <Table.Tbody>
            {shown.map((tp) => (
              <Table.Tr key={tp.id}>
                <Table.Td><Text size="xs" ff="monospace">{tp.accountId}</Text></Table.Td>
                <Table.Td><Text size="sm" ff="monospace">{tp.name}</Text></Table.Td>
                <Table.Td>{tp.language}</Table.Td>
                <Table.Td><Text size="xs">{named(t, 'console.templates.categories', tp.category)}</Text></Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap', minWidth: 110 }}>
                  <Badge size="sm" variant="light" tt="none" color={TEMPLATE_COLOR[tp.status] || 'gray'} title={tp.rejectedReason || undefined}>
                    {named(t, 'console.templates.states', tp.status)}
                  </Badge>
                </Table.Td>
                <Table.Td ta="right">{tp.params}</Table.Td>
                <Table.Td><Text size="xs" lineClamp={3}>{tp.body}</Text></Table.Td>
                <Table.Td><Text size="xs">{clock(tp.syncedAt) || '—'}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {data && shown.length === 0 && <Text c="dimmed" size="sm">{t('console.templates.none')}</Text>}
      </Paper>
    </Stack>
  );
}
