// Channel accounts: name, default team and persona, and the access token, which is write-only: it is
// never shown back (Secret Manager in production, the local secrets file in make dev).
import { useState } from 'react';
import { Badge, Button, Group, PasswordInput, Select, Table, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import ChannelBadge from '../../components/ChannelBadge';
import { useTeams } from '../../data/firestore';
import { clock } from '../../format';
import { save, useResource } from './resource';
import TablePage from './TablePage';

function Account({ account, teams, onSaved }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState({ name: account.name || '', defaultTeam: account.defaultTeam || null });
  const [token, setToken] = useState('');
  return (
    <Table.Tr>
      <Table.Td><Group gap={6} wrap="nowrap"><ChannelBadge channel={account.channel} /><Text size="xs" ff="monospace">{account.accountId}</Text></Group></Table.Td>
      <Table.Td><TextInput size="xs" aria-label={t('console.channels.nameOf', { id: account.accountId })} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })} /></Table.Td>
      <Table.Td><Select size="xs" w={150} aria-label={t('console.channels.teamOf', { id: account.accountId })} data={teams} value={draft.defaultTeam} onChange={(v) => setDraft({ ...draft, defaultTeam: v })} /></Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Badge size="xs" color={account.tokenSet ? 'green' : 'red'} variant="light">{account.tokenSet ? t('console.channels.tokenSet') : t('console.channels.noToken')}</Badge>
          {account.tokenUpdatedAt && <Text size="xs" c="dimmed">{clock(account.tokenUpdatedAt)}</Text>}
        </Group>
        <Group gap={4} mt={4} wrap="nowrap">
          <PasswordInput size="xs" w={180} autoComplete="off" aria-label={t('console.channels.newToken', { id: account.accountId })}
            placeholder={t('console.channels.newTokenShort')} value={token} onChange={(e) => setToken(e.currentTarget.value)} />
          <Button size="compact-xs" variant="light" disabled={!token}
            onClick={() => save(`channels/${account.id}/token`, 'PUT', { token }, t('console.saved')).then((a) => { if (a) { setToken(''); onSaved(); } })}>
            {t('console.channels.replace')}
          </Button>
        </Group>
      </Table.Td>
      <Table.Td><Button size="compact-xs" onClick={() => save(`channels/${account.id}`, 'PUT', draft, t('console.saved')).then((a) => a && onSaved())}>{t('console.save')}</Button></Table.Td>
    </Table.Tr>
  );
}

export default function Channels() {
  const { t } = useTranslation();
  const { data, problem, reload } = useResource('channels');
  const teams = useTeams().map((tm) => ({ value: tm.id, label: tm.name || tm.id }));
  return (
    <TablePage
      title={t('console.nav.channels')}
      problem={problem}
      help={t('console.channels.help')}
      headers={[t('console.channel'), t('console.users.name'), t('console.channels.defaultTeam'), t('console.channels.token'), '']}
      rows={(data?.channels || []).map((a) => <Account key={`${a.id}-${a.tokenUpdatedAt}`} account={a} teams={teams} onSaved={reload} />)}
    />
  );
}
