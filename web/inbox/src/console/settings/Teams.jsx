// Teams and their service levels (first response and resolution, in minutes here, seconds on the server).
import { useState } from 'react';
import { Alert, Badge, Button, Group, NumberInput, Paper, Stack, Table, TextInput, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { save, useResource } from './resource';

const minutes = (s) => (s == null ? '' : Math.round(s / 60));
const seconds = (m) => (m === '' || m == null ? undefined : Number(m) * 60);

function TeamRow({ team, onSaved }) {
  const { t } = useTranslation();
  const level = team.serviceLevel || {};
  const [draft, setDraft] = useState({ name: team.name || '', first: minutes(level.firstResponseS), resolution: minutes(level.resolutionS) });
  const submit = () => save(`teams/${team.id}`, 'PUT', {
    name: draft.name,
    serviceLevel: { firstResponseS: seconds(draft.first), resolutionS: seconds(draft.resolution) },
  }, t('console.saved')).then((a) => a && onSaved());
  return (
    <Table.Tr>
      <Table.Td><Badge variant="light">{team.id}</Badge></Table.Td>
      <Table.Td><TextInput size="xs" aria-label={t('console.teams.nameOf', { id: team.id })} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })} /></Table.Td>
      <Table.Td><NumberInput size="xs" w={110} min={1} aria-label={t('console.teams.firstOf', { id: team.id })} value={draft.first} onChange={(v) => setDraft({ ...draft, first: v })} /></Table.Td>
      <Table.Td><NumberInput size="xs" w={110} min={1} aria-label={t('console.teams.resolutionOf', { id: team.id })} value={draft.resolution} onChange={(v) => setDraft({ ...draft, resolution: v })} /></Table.Td>
      <Table.Td><Button size="compact-xs" onClick={submit}>{t('console.save')}</Button></Table.Td>
    </Table.Tr>
  );
}

export default function Teams() {
  const { t } = useTranslation();
  const { data, problem, reload } = useResource('teams');
  const [id, setId] = useState('');
  return (
    <Stack p="md" gap="md">
      <Title order={2} size="h3">{t('console.nav.teams')}</Title>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Paper withBorder p="sm" radius="md">
        <Table aria-label={t('console.nav.teams')}>
          <Table.Thead><Table.Tr>
            <Table.Th>id</Table.Th><Table.Th>{t('console.users.name')}</Table.Th>
            <Table.Th>{t('console.teams.first')}</Table.Th><Table.Th>{t('console.teams.resolution')}</Table.Th><Table.Th />
          </Table.Tr></Table.Thead>
          <Table.Tbody>
            {(data?.teams || []).map((team) => <TeamRow key={`${team.id}-${JSON.stringify(team.serviceLevel)}`} team={team} onSaved={reload} />)}
          </Table.Tbody>
        </Table>
        <Group mt="sm" gap="xs" align="flex-end">
          <TextInput size="xs" label={t('console.teams.newId')} placeholder="retencao" value={id} onChange={(e) => setId(e.currentTarget.value.trim())} />
          <Button size="xs" variant="light" disabled={!id}
            onClick={() => save(`teams/${id}`, 'PUT', { name: id }, t('console.saved')).then((a) => { if (a) { setId(''); reload(); } })}>
            {t('console.teams.add')}
          </Button>
        </Group>
      </Paper>
    </Stack>
  );
}
