import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  Alert, AppShell, Badge, Button, Group, Kbd, Modal, Select, Stack, Table, Text, Title,
} from '@mantine/core';
import { useDisclosure, useHotkeys, useMediaQuery, useNetwork } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { leave, useAuth } from '../auth';
import { call } from '../data/api';
import { useConversations, useTeams, useUsers } from '../data/firestore';
import ConversationList, { ordered } from './ConversationList';
import ConversationView from './ConversationView';
import LanguageSwitch from './LanguageSwitch';
import MfaEnrollment from './MfaEnrollment';
import TeamChat from './TeamChat';

// A short tone and, when allowed, a desktop notification for each conversation that joins my queue.
function useWaitingAlerts(conversations, enabled) {
  const { t } = useTranslation();
  const seen = useRef(null);
  useEffect(() => {
    const waiting = conversations.filter((c) => c.status === 'waiting');
    const ids = new Set(waiting.map((c) => c.id));
    if (seen.current && enabled) {
      waiting.filter((c) => !seen.current.has(c.id)).forEach((c) => {
        try {
          const ctx = new AudioContext();
          const osc = ctx.createOscillator();
          osc.connect(ctx.destination);
          osc.frequency.value = 880;
          osc.start();
          osc.stop(ctx.currentTime + 0.15);
        } catch { /* no audio device */ }
        if ('Notification' in window && Notification.permission === 'granted') {
          new Notification(t('notify.newWaiting'), { body: t('notify.body', { name: c.contactName || c.senderId, text: c.lastMessage || '' }) });
        }
      });
    }
    seen.current = ids;
  }, [conversations, enabled, t]);
}

const SHORTCUTS = [['j', 'keys.next'], ['k', 'keys.prev'], ['r', 'keys.reply'], ['n', 'keys.note'], ['t', 'keys.take'], ['e', 'keys.resolve'], ['?', 'keys.help']];

function Inbox() {
  const { t } = useTranslation();
  const { user, claims } = useAuth();
  const { id } = useParams();
  const navigate = useNavigate();
  const [generation, setGeneration] = useState(0);
  const { conversations, error, fromCache, loading } = useConversations(claims, user.uid, generation);
  // A listen that never answers (seen on the emulator under load, and behind some proxies) would leave
  // the list empty for good: after 20 s without a first answer, subscribe again.
  useEffect(() => {
    if (!loading) return undefined;
    const timer = setTimeout(() => {
      console.warn('conversation list: no answer in 20 s, subscribing again');
      setGeneration((g) => g + 1);
    }, 20_000);
    return () => clearTimeout(timer);
  }, [loading, generation]);
  const users = useUsers();
  const teams = useTeams();
  const network = useNetwork();
  const wide = useMediaQuery('(min-width: 1200px)');
  const [chatOpen, chat] = useDisclosure(false);
  const [helpOpen, help] = useDisclosure(false);
  const [alerts, setAlerts] = useState(false);
  const me = users.find((u) => u.id === user.uid);
  const actions = useRef(null);
  const input = useRef(null);
  useWaitingAlerts(conversations, alerts);

  const list = useMemo(() => ordered(conversations), [conversations]);
  const move = (step) => {
    const at = list.findIndex((c) => c.id === id);
    const next = list[Math.min(list.length - 1, Math.max(0, at + step))];
    if (next) navigate(`/c/${next.id}`);
  };
  useHotkeys([
    ['j', () => move(1)],
    ['k', () => move(-1)],
    ['r', () => input.current?.focus()],
    ['n', () => window.dispatchEvent(new Event('atende:note'))],
    ['t', () => actions.current?.act('take')],
    ['e', () => actions.current?.act('resolve')],
    ['shift+slash', () => help.open()],
  ]);

  return (
    <AppShell header={{ height: 56 }} padding={0}>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Title order={1} size="h4">{t('appName')}</Title>
            <Badge variant="light">{t(`role.${claims.role}`)}</Badge>
            <Text size="sm" visibleFrom="lg">{user.name}</Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Select size="xs" w={120} aria-label={t('header.availability')} value={me?.availability || 'away'}
              onChange={(v) => v && call('availability', { availability: v }).catch(() => {})} allowDeselect={false}
              data={['online', 'busy', 'away'].map((a) => ({ value: a, label: t(`header.${a}`) }))} />
            <Button size="xs" variant="light" onClick={chat.open}>{t('header.chat')}</Button>
            {['admin', 'supervisor'].includes(claims.role) && (
              <Button size="xs" variant="subtle" component={Link} to="/console">{t('header.console')}</Button>
            )}
            {!alerts && (
              <Button size="xs" variant="subtle" visibleFrom="lg" onClick={() => { setAlerts(true); if ('Notification' in window) Notification.requestPermission(); }}>
                {t('header.notify')}
              </Button>
            )}
            <Button size="xs" variant="subtle" onClick={help.open} aria-label={t('header.shortcuts')}>?</Button>
            <LanguageSwitch />
            <MfaEnrollment />
            <Button size="xs" variant="default" onClick={leave}>{t('header.signOut')}</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main style={{ height: '100vh' }}>
        {(!network.online || fromCache) && <Alert color="yellow" py={4} radius={0} role="status">{t('header.offline')}</Alert>}
        {error && <Alert color="red" py={4} radius={0} role="alert">{error.message}</Alert>}
        <Group align="stretch" gap={0} wrap="nowrap" style={{ height: 'calc(100vh - 56px)' }}>
          <Stack w={wide ? 360 : 300} p="sm" style={{ borderRight: '1px solid var(--mantine-color-gray-3)', flexShrink: 0 }}>
            <ConversationList conversations={conversations} loading={loading} selectedId={id} onSelect={(cid) => navigate(`/c/${cid}`)}
              me={user} users={users} teams={teams} />
          </Stack>
          <Stack style={{ flex: 1, minWidth: 0 }} gap={0}>
            {id
              ? <ConversationView key={id} id={id} me={user} claims={claims} users={users} teams={teams}
                  showContext={wide} actionsRef={actions} inputRef={input}
                  onLost={() => setGeneration((g) => g + 1)} />
              : <Text c="dimmed" p="xl">{t('conv.pick')}</Text>}
          </Stack>
        </Group>
      </AppShell.Main>
      <TeamChat opened={chatOpen} onClose={chat.close} me={user} teams={claims.teams} users={users}
        teamNames={new Map(teams.map((tm) => [tm.id, tm.name || tm.id]))} />
      <Modal opened={helpOpen} onClose={help.close} title={t('header.shortcuts')}>
        <Table>
          <Table.Tbody>
            {SHORTCUTS.map(([key, label]) => (
              <Table.Tr key={key}><Table.Td><Kbd>{key}</Kbd></Table.Td><Table.Td>{t(label)}</Table.Td></Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Modal>
    </AppShell>
  );
}

export default Inbox;
