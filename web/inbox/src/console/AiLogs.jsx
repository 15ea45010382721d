// Why the bot did what it did (ia_logs, masked): triage, decision and reason, tools, latency, tokens;
// filters for handoffs and low confidence.
import { Fragment, useState } from 'react';
import {
  Alert, Badge, Button, Checkbox, Code, Group, Paper, Slider, Stack, Table, Text, TextInput, Title, UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { clock } from '../format';
import { usePaged } from './paged';

export default function AiLogs() {
  const { t } = useTranslation();
  const [conversationId, setConversationId] = useState('');
  const [handoff, setHandoff] = useState(false);
  const [maxConfidence, setMaxConfidence] = useState(1);
  const [debounced] = useDebouncedValue({ conversationId, handoff: handoff ? 1 : '', maxConfidence: maxConfidence < 1 ? maxConfidence : '' }, 400);
  const { items, problem, busy, more } = usePaged('ia-logs', debounced);
  const [open, setOpen] = useState(null);
  return (
    <Stack p="md" gap="md">
      <Title order={2} size="h3">{t('console.aiLogs.title')}</Title>
      <Group gap="lg" align="flex-end">
        <TextInput size="xs" w={320} label={t('console.aiLogs.conversation')} value={conversationId} onChange={(e) => setConversationId(e.currentTarget.value.trim())} />
        <Checkbox label={t('console.aiLogs.handoffs')} checked={handoff} onChange={(e) => setHandoff(e.currentTarget.checked)} />
        <Stack gap={2} w={220}>
          <Text size="xs">{t('console.aiLogs.maxConfidence', { value: Math.round(maxConfidence * 100) })}</Text>
          <Slider size="sm" min={0} max={1} step={0.05} value={maxConfidence} onChange={setMaxConfidence} label={null} thumbLabel={t('console.aiLogs.maxConfidence', { value: Math.round(maxConfidence * 100) })}
            />
        </Stack>
      </Group>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Paper withBorder p="sm" radius="md">
        <Table aria-label={t('console.aiLogs.title')}>
          <Table.Thead><Table.Tr>
            <Table.Th>{t('console.audit.when')}</Table.Th><Table.Th>{t('console.aiLogs.message')}</Table.Th>
            <Table.Th>{t('console.aiLogs.triage')}</Table.Th><Table.Th>{t('console.aiLogs.decision')}</Table.Th>
            <Table.Th ta="right">{t('console.aiLogs.latency')}</Table.Th>
          </Table.Tr></Table.Thead>
          <Table.Tbody>
            {items.map((e) => (
              <Fragment key={e.id}>
                <Table.Tr>
                  <Table.Td><Text size="xs">{clock(e.timestamp || e.createdAt)}</Text></Table.Td>
                  <Table.Td maw={360}>
                    <UnstyledButton onClick={() => setOpen(open === e.id ? null : e.id)} aria-expanded={open === e.id}>
                      <Text size="sm" lineClamp={2}>{e.text || e.message || e.id}</Text>
                    </UnstyledButton>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{e.triage?.intent} · {e.triage?.sentiment} · {Math.round((e.triage?.confidence || 0) * 100)}%</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge size="sm" color={e.decision?.route === 'human' ? 'orange' : 'teal'} variant="light">{e.decision?.route}</Badge>
                    <Text size="xs" c="dimmed">{e.decision?.reason}</Text>
                  </Table.Td>
                  <Table.Td ta="right"><Text size="xs">{e.latencyMs != null ? `${Math.round(e.latencyMs)} ms` : '—'}</Text></Table.Td>
                </Table.Tr>
                {open === e.id && (
                  <Table.Tr><Table.Td colSpan={5}><Code block>{JSON.stringify(e, null, 2)}</Code></Table.Td></Table.Tr>
                )}
              </Fragment>
            ))}
          </Table.Tbody>
        </Table>
        {items.length === 0 && !busy && <Text c="dimmed" size="sm">{t('console.empty')}</Text>}
        {more && <Button size="xs" variant="subtle" mt="xs" onClick={more} loading={busy}>{t('console.more')}</Button>}
      </Paper>
    </Stack>
  );
}
