// Canned responses: what agents insert with /shortcut, per team or for everyone.
import { useState } from 'react';
import { Alert, Button, Group, MultiSelect, Paper, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useTeams } from '../../data/firestore';
import { save, useResource } from './resource';

const EMPTY = { shortcut: '', title: '', text: '', teams: [] };

export default function Canned() {
  const { t } = useTranslation();
  const { data, problem, reload } = useResource('canned');
  const teams = useTeams().map((tm) => ({ value: tm.id, label: tm.name || tm.id }));
  const [draft, setDraft] = useState(EMPTY);
  const submit = async (event) => {
    event.preventDefault();
    const { shortcut, ...body } = draft;
    if (await save(`canned/${shortcut}`, 'PUT', body, t('console.saved'))) { setDraft(EMPTY); reload(); }
  };
  return (
    <Stack p="md" gap="md">
      <Title order={2} size="h3">{t('console.nav.canned')}</Title>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Paper withBorder p="sm" radius="md" component="form" onSubmit={submit} aria-label={t('console.canned.edit')}>
        <Group align="flex-end" gap="xs">
          <TextInput size="xs" required label={t('console.canned.shortcut')} leftSection="/" value={draft.shortcut}
            onChange={(e) => setDraft({ ...draft, shortcut: e.currentTarget.value.toLowerCase() })} />
          <TextInput size="xs" label={t('console.canned.title')} value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.currentTarget.value })} />
          <MultiSelect size="xs" w={240} label={t('console.board.teams')} placeholder={t('console.canned.everyone')} data={teams} value={draft.teams}
            onChange={(v) => setDraft({ ...draft, teams: v })} />
        </Group>
        <Textarea mt="xs" required autosize minRows={2} label={t('console.canned.text')} value={draft.text} onChange={(e) => setDraft({ ...draft, text: e.currentTarget.value })} />
        <Button size="xs" mt="xs" type="submit">{t('console.save')}</Button>
      </Paper>
      <Paper withBorder p="sm" radius="md">
        <Table aria-label={t('console.nav.canned')}>
          <Table.Tbody>
            {(data?.canned || []).map((c) => (
              <Table.Tr key={c.shortcut}>
                <Table.Td w={140}><Text ff="monospace" size="sm">/{c.shortcut}</Text></Table.Td>
                <Table.Td><Text size="sm" fw={600}>{c.title}</Text><Text size="xs" lineClamp={2}>{c.text}</Text></Table.Td>
                <Table.Td><Text size="xs">{(c.teams || []).join(', ') || t('console.canned.everyone')}</Text></Table.Td>
                <Table.Td w={150}>
                  <Group gap={4}>
                    <Button size="compact-xs" variant="subtle" onClick={() => setDraft({ ...EMPTY, ...c })}>{t('console.edit')}</Button>
                    <Button size="compact-xs" variant="subtle" color="red"
                      onClick={() => save(`canned/${c.shortcut}`, 'DELETE', undefined, t('console.saved')).then((a) => a && reload())}>{t('console.remove')}</Button>
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
