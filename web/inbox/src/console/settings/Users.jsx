// People: invite (the server answers a link for the person to choose a password), role, teams,
// capacity, disable. Role and team changes end the person's sessions (the server revokes them).
import { useState } from 'react';
import {
  Alert, Badge, Button, Code, Group, MultiSelect, NumberInput, Paper, Select, Stack, Table, Text, TextInput, Title,
} from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useTeams } from '../../data/firestore';
import { save, useResource } from './resource';

const ROLES = ['agent', 'supervisor', 'admin'];

export default function Users() {
  const { t } = useTranslation();
  const { data, problem, reload } = useResource('users');
  const teams = useTeams().map((tm) => ({ value: tm.id, label: tm.name || tm.id }));
  const [invite, setInvite] = useState({ email: '', name: '', role: 'agent', teams: [], capacity: 3 });
  const [link, setLink] = useState(null);
  const roles = ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }));

  async function sendInvite(event) {
    event.preventDefault();
    const answer = await save('users', 'POST', invite, t('console.users.invited'));
    if (answer) {
      setLink(answer.passwordLink);
      setInvite({ email: '', name: '', role: 'agent', teams: [], capacity: 3 });
      reload();
    }
  }
  const change = (uid, body) => save(`users/${uid}`, 'PATCH', body, t('console.saved')).then((a) => a && reload());

  return (
    <Stack p="md" gap="md">
      <Title order={2} size="h3">{t('console.nav.users')}</Title>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Paper withBorder p="sm" radius="md" component="form" onSubmit={sendInvite} aria-label={t('console.users.invite')}>
        <Title order={3} size="h5" mb="xs">{t('console.users.invite')}</Title>
        <Group align="flex-end" gap="xs">
          <TextInput size="xs" type="email" required label={t('signIn.email')} value={invite.email} onChange={(e) => setInvite({ ...invite, email: e.currentTarget.value })} />
          <TextInput size="xs" required label={t('console.users.name')} value={invite.name} onChange={(e) => setInvite({ ...invite, name: e.currentTarget.value })} />
          <Select size="xs" w={130} label={t('console.users.role')} data={roles} value={invite.role} allowDeselect={false} onChange={(v) => setInvite({ ...invite, role: v })} />
          <MultiSelect size="xs" w={240} label={t('console.board.teams')} data={teams} value={invite.teams} onChange={(v) => setInvite({ ...invite, teams: v })} />
          <NumberInput size="xs" w={100} min={0} max={100} label={t('console.users.capacity')} value={invite.capacity} onChange={(v) => setInvite({ ...invite, capacity: Number(v) || 0 })} />
          <Button size="xs" type="submit">{t('console.users.send')}</Button>
        </Group>
        {link && (
          <Alert color="teal" mt="sm" title={t('console.users.linkTitle')}>
            <Text size="xs">{t('console.users.linkHelp')}</Text>
            <Code block>{link}</Code>
          </Alert>
        )}
      </Paper>
      <Paper withBorder p="sm" radius="md">
        <Table aria-label={t('console.nav.users')} data-testid="users">
          <Table.Thead><Table.Tr>
            <Table.Th>{t('console.users.name')}</Table.Th><Table.Th>{t('console.users.role')}</Table.Th>
            <Table.Th>{t('console.board.teams')}</Table.Th><Table.Th>{t('console.users.capacity')}</Table.Th><Table.Th />
          </Table.Tr></Table.Thead>
          <Table.Tbody>
            {(data?.users || []).map((u) => (
              <Table.Tr key={u.uid} opacity={u.disabled ? 0.5 : 1}>
                <Table.Td><Text size="sm">{u.displayName}</Text><Text size="xs" c="dimmed">{u.email}</Text></Table.Td>
                <Table.Td>
                  <Select size="xs" w={130} data={roles} value={u.role} allowDeselect={false} disabled={u.disabled}
                    aria-label={t('console.users.roleOf', { name: u.displayName })} onChange={(v) => v !== u.role && change(u.uid, { role: v })} />
                </Table.Td>
                <Table.Td>
                  <MultiSelect size="xs" w={260} data={teams} value={u.teams || []} disabled={u.disabled}
                    aria-label={t('console.users.teamsOf', { name: u.displayName })} onChange={(v) => change(u.uid, { teams: v })} />
                </Table.Td>
                <Table.Td>
                  <NumberInput size="xs" w={90} min={0} max={100} defaultValue={u.capacity} disabled={u.disabled}
                    aria-label={t('console.users.capacityOf', { name: u.displayName })}
                    onBlur={(e) => Number(e.currentTarget.value) !== u.capacity && change(u.uid, { capacity: Number(e.currentTarget.value) })} />
                </Table.Td>
                <Table.Td>
                  {u.disabled ? <Badge color="gray">{t('console.users.disabled')}</Badge> : (
                    <Button size="compact-xs" color="red" variant="subtle"
                      onClick={() => window.confirm(t('console.users.confirmDisable', { name: u.displayName }))
                        && save(`users/${u.uid}/disable`, 'POST', {}, t('console.saved')).then((a) => a && reload())}>
                      {t('console.users.disable')}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}
