// Channel accounts: name, default team and persona, and the access token, which is write-only: it is
// never shown back (Secret Manager in production, the local secrets file in make dev).
import { useState } from 'react';
import { Badge, Button, Group, PasswordInput, Select, Table, Text, TextInput, Tooltip } from '@mantine/core';
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
      <Table.Td>
        <Group gap={6} wrap="nowrap"><ChannelBadge channel={account.channel} /><Text size="xs" ff="monospace">{account.accountId}</Text></Group>
        {account.source === 'deployment' && (
          <Tooltip label={t('console.channels.deployedHelp')} multiline w={260}>
            <Badge size="xs" mt={4} variant="outline" color="gray" tt="none" tabIndex={0}>{t('console.channels.deployed')}</Badge>
          </Tooltip>
        )}
      </Table.Td>
      <Table.Td><TextInput size="xs" aria-label={t('console.channels.nameOf', { id: account.accountId })} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })} /></Table.Td>
      <Table.Td><Select size="xs" w={150} aria-label={t('console.channels.teamOf', { id: account.accountId })} data={teams.some((tm) => tm.value === draft.defaultTeam) || !draft.defaultTeam ? teams : [...teams, { value: draft.defaultTeam, label: draft.defaultTeam }]} value={draft.defaultTeam} onChange={(v) => setDraft({ ...draft, defaultTeam: v })} /></Table.Td>
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

const KINDS = [['whatsapp', 'WhatsApp'], ['messenger', 'Messenger'], ['instagram', 'Instagram']];
const ACCOUNT_ID = /^\d{5,20}$/;
// domain/channels.py DEFAULT_TOKEN_ENV: a number with a token of its own names another, e.g. WHATSAPP_TOKEN_VENDAS
const TOKEN_ENV = { whatsapp: 'WHATSAPP_TOKEN', messenger: 'MESSENGER_PAGE_TOKEN', instagram: 'INSTAGRAM_TOKEN' };

function NewAccount({ onAdded }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState('whatsapp');
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [token, setToken] = useState('');
  const [tokenEnv, setTokenEnv] = useState('');
  const ready = ACCOUNT_ID.test(id) && token.length >= 8;
  const body = { name: name || undefined, tokenEnv: tokenEnv || undefined, token };
  const add = () => save(`channels/${kind}_${id}`, 'PUT', body, t('console.channels.added'))
    .then((a) => { if (a) { setId(''); setName(''); setToken(''); setTokenEnv(''); onAdded(); } });
  return (
    <Group mt="sm" gap="xs" align="flex-end" component="form" aria-label={t('console.channels.addTitle')}
      onSubmit={(e) => { e.preventDefault(); if (ready) add(); }}>
      <Select size="xs" w={130} label={t('console.channel')} data={KINDS.map(([value, label]) => ({ value, label }))}
        value={kind} onChange={(v) => setKind(v || 'whatsapp')} allowDeselect={false} />
      <TextInput size="xs" w={200} label={t('console.channels.accountId')} description={t('console.channels.accountIdHelp')}
        value={id} onChange={(e) => setId(e.currentTarget.value.trim())} error={id && !ACCOUNT_ID.test(id) ? t('console.channels.accountIdHelp') : null} />
      <TextInput size="xs" w={160} label={t('console.users.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} />
      <PasswordInput size="xs" w={180} autoComplete="off" label={t('console.channels.token')} value={token} onChange={(e) => setToken(e.currentTarget.value)} />
      <TextInput size="xs" w={230} label={t('console.channels.tokenEnv')} description={t('console.channels.tokenEnvHelp')}
        placeholder={TOKEN_ENV[kind]} value={tokenEnv} onChange={(e) => setTokenEnv(e.currentTarget.value.trim().toUpperCase())} />
      <Button size="xs" variant="light" type="submit" disabled={!ready}>{t('console.channels.add')}</Button>
    </Group>
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
      rows={(data?.channels || []).map((a) => <Account key={`${a.id}-${a.source}-${a.tokenUpdatedAt}`} account={a} teams={teams} onSaved={reload} />)}
      footer={<NewAccount onAdded={reload} />}
    />
  );
}
