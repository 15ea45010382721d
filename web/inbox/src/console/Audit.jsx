// Every change an admin or a person made (audit_logs), newest first, with filters and before/after.
import { Fragment, useState } from 'react';
import { Alert, Button, Code, Group, Paper, Stack, Table, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { clock } from '../format';
import { usePaged } from './paged';

export default function Audit() {
  const { t } = useTranslation();
  const [filters, setFilters] = useState({ actor: '', action: '', target: '' });
  const [debounced] = useDebouncedValue(filters, 400);
  const { items, problem, busy, more } = usePaged('audit', debounced);
  const [open, setOpen] = useState(null);
  const set = (name) => (e) => setFilters((f) => ({ ...f, [name]: e.currentTarget.value }));
  return (
    <Stack p="md" gap="md">
      <Title order={2} size="h3">{t('console.audit.title')}</Title>
      <Group gap="xs">
        <TextInput size="xs" label={t('console.audit.actor')} value={filters.actor} onChange={set('actor')} />
        <TextInput size="xs" label={t('console.audit.action')} placeholder="settings.update" value={filters.action} onChange={set('action')} />
        <TextInput size="xs" label={t('console.audit.target')} placeholder="config/routing" value={filters.target} onChange={set('target')} />
      </Group>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Paper withBorder p="sm" radius="md">
        <Table aria-label={t('console.audit.title')} data-testid="audit">
          <Table.Thead><Table.Tr>
            <Table.Th>{t('console.audit.when')}</Table.Th><Table.Th>{t('console.audit.actor')}</Table.Th>
            <Table.Th>{t('console.audit.action')}</Table.Th><Table.Th>{t('console.audit.target')}</Table.Th>
          </Table.Tr></Table.Thead>
          <Table.Tbody>
            {items.map((e) => (
              <Fragment key={e.id}>
                <Table.Tr>
                  <Table.Td><Text size="xs">{clock(e.at)}</Text></Table.Td>
                  <Table.Td><Text size="xs">{e.actor?.name || e.actor?.uid} ({e.actor?.role})</Text></Table.Td>
                  <Table.Td><Text size="xs" ff="monospace">{e.action}</Text></Table.Td>
                  <Table.Td>
                    <UnstyledButton onClick={() => setOpen(open === e.id ? null : e.id)} aria-expanded={open === e.id}>
                      <Text size="xs" ff="monospace" c="teal.8">{e.target?.collection}/{e.target?.id}</Text>
                    </UnstyledButton>
                  </Table.Td>
                </Table.Tr>
                {open === e.id && (
                  <Table.Tr>
                    <Table.Td colSpan={4}>
                      <Group grow align="flex-start">
                        <div><Text size="xs" fw={600}>{t('console.audit.before')}</Text><Code block>{JSON.stringify(e.before, null, 2)}</Code></div>
                        <div><Text size="xs" fw={600}>{t('console.audit.after')}</Text><Code block>{JSON.stringify(e.after, null, 2)}</Code></div>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
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
