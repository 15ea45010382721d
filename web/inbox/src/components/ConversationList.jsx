import { useMemo, useState } from 'react';
import {
  Badge, Box, Button, Checkbox, Group, Loader, ScrollArea, Select, Stack, Text, TextInput, UnstyledButton,
} from '@mantine/core';
import { useInterval } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { millis } from '../data/time';
import { ago } from '../format';
import ChannelBadge from './ChannelBadge';

const OPEN = new Set(['waiting', 'in_service', 'snoozed', 'bot']);
const PAGE = 100; // rows drawn at once: filters and search still look at every loaded conversation

// Waiting ones on top (high priority first, then longest waiting); the rest by their last message.
export function ordered(conversations) {
  const waiting = conversations.filter((c) => c.status === 'waiting');
  const others = conversations.filter((c) => c.status !== 'waiting');
  waiting.sort((a, b) => (a.priority === 'high' ? 0 : 1) - (b.priority === 'high' ? 0 : 1)
    || (millis(a.waitingSince) || 0) - (millis(b.waitingSince) || 0));
  others.sort((a, b) => (millis(b.lastMessageAt) || 0) - (millis(a.lastMessageAt) || 0));
  return [...waiting, ...others];
}

export default function ConversationList({ conversations, loading, selectedId, onSelect, me, users, teams }) {
  const { t } = useTranslation();
  const [filters, setFilters] = useState({ channel: null, status: 'open', assignee: null, team: null,
    label: null, persona: null, unread: false, waited: null, search: '' });
  const [now, setNow] = useState(Date.now());
  const [visible, setVisible] = useState(PAGE);
  useInterval(() => setNow(Date.now()), 15000, { autoInvoke: true });
  const set = (key) => (value) => setFilters((f) => ({ ...f, [key]: value }));
  const labels = useMemo(() => [...new Set(conversations.flatMap((c) => c.labels || []))].sort(), [conversations]);
  const names = useMemo(() => new Map(users.map((u) => [u.id, u.displayName])), [users]);

  const shown = useMemo(() => {
    const q = filters.search.trim().toLowerCase();
    return ordered(conversations.filter((c) => (
      (!filters.channel || c.channel === filters.channel)
      && (filters.status === 'all' || (filters.status === 'open' ? OPEN.has(c.status) && c.status !== 'bot' : c.status === filters.status))
      && (!filters.assignee || (filters.assignee === 'me' ? c.assignee === me.uid : filters.assignee === 'none' ? !c.assignee : c.assignee === filters.assignee))
      && (!filters.team || c.team === filters.team)
      && (!filters.label || (c.labels || []).includes(filters.label))
      && (!filters.persona || c.userType === filters.persona)
      && (!filters.unread || (c.unreadCount || 0) > 0)
      && (!filters.waited || (c.status === 'waiting' && now - (millis(c.waitingSince) || now) >= Number(filters.waited) * 60000))
      && (!q || [c.contactName, c.senderId, c.recipientPhone, c.lastMessage].some((v) => (v || '').toLowerCase().includes(q)))
    )));
  }, [conversations, filters, me.uid, now]);

  return (
    <Stack gap="xs" h="100%" component="nav" aria-label={t('list.title')}>
      <TextInput aria-label={t('list.search')} placeholder={t('list.search')} value={filters.search}
        onChange={(e) => set('search')(e.currentTarget.value)} />
      <Group gap={6} grow>
        <Select size="xs" aria-label={t('list.status')} value={filters.status} onChange={set('status')} allowDeselect={false}
          data={[{ value: 'open', label: t('list.open') }, { value: 'all', label: t('list.all') },
            ...['waiting', 'in_service', 'snoozed', 'bot', 'resolved'].map((s) => ({ value: s, label: t(`status.${s}`) }))]} />
        <Select size="xs" aria-label={t('list.channel')} placeholder={t('list.channel')} value={filters.channel} onChange={set('channel')} clearable
          data={['whatsapp', 'messenger', 'instagram', 'webchat'].map((c) => ({ value: c, label: t(`channel.${c}`) }))} />
        <Select size="xs" aria-label={t('list.assignee')} placeholder={t('list.assignee')} value={filters.assignee} onChange={set('assignee')} clearable
          data={[{ value: 'me', label: t('list.me') }, { value: 'none', label: t('list.unassigned') },
            ...users.filter((u) => u.id !== me.uid).map((u) => ({ value: u.id, label: u.displayName }))]} />
      </Group>
      <Group gap={6} grow>
        <Select size="xs" aria-label={t('list.team')} placeholder={t('list.team')} value={filters.team} onChange={set('team')} clearable
          data={teams.map((tm) => ({ value: tm.id, label: tm.name || tm.id }))} />
        <Select size="xs" aria-label={t('list.label')} placeholder={t('list.label')} value={filters.label} onChange={set('label')} clearable data={labels} />
        <Select size="xs" aria-label={t('list.persona')} placeholder={t('list.persona')} value={filters.persona} onChange={set('persona')} clearable
          data={['cliente', 'prestador', 'prospector', 'admin'].map((p) => ({ value: p, label: t(`persona.${p}`) }))} />
      </Group>
      <Select size="xs" aria-label={t('list.waited')} placeholder={t('list.waited')} value={filters.waited} onChange={set('waited')} clearable
        data={[5, 15, 60].map((m) => ({ value: String(m), label: t('list.waitedMore', { minutes: m }) }))} />
      <Group justify="space-between">
        <Checkbox size="xs" label={t('list.onlyUnread')} checked={filters.unread} onChange={(e) => set('unread')(e.currentTarget.checked)} />
        <Text size="xs" c="dimmed" aria-live="polite">{t('list.count', { count: shown.length })}</Text>
      </Group>
      <ScrollArea style={{ flex: 1 }} type="auto">
        {loading && shown.length === 0 && (
          <Group gap="xs" p="md" role="status"><Loader size="xs" /><Text c="dimmed" size="sm">{t('list.loading')}</Text></Group>
        )}
        {!loading && shown.length === 0 && <Text c="dimmed" size="sm" p="md">{t('list.empty')}</Text>}
        <Stack gap={2} component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {shown.slice(0, visible).map((c) => (
            <li key={c.id}>
              <UnstyledButton onClick={() => onSelect(c.id)} data-conversation-id={c.id} w="100%" p="xs"
                aria-current={c.id === selectedId ? 'true' : undefined}
                style={{ borderRadius: 8, background: c.id === selectedId ? 'var(--mantine-color-teal-0)' : undefined,
                  borderLeft: c.status === 'waiting' ? `4px solid var(--mantine-color-${c.priority === 'high' ? 'red' : 'orange'}-6)` : '4px solid transparent' }}>
                <Group justify="space-between" wrap="nowrap" gap={6}>
                  <Text fw={600} size="sm" truncate>{c.contactName || c.senderId}</Text>
                  <ChannelBadge channel={c.channel} />
                </Group>
                <Text size="xs" c="dimmed" truncate>{c.lastMessage}</Text>
                <Group gap={6} mt={2}>
                  <Badge size="xs" variant="dot" color={c.status === 'waiting' ? 'orange' : 'gray'}>{t(`status.${c.status}`)}</Badge>
                  {c.status === 'waiting' && <Text size="xs" c="orange.8" fw={600}>{t('list.waitingFor', { time: ago(c.waitingSince, now) })}</Text>}
                  {c.priority === 'high' && <Badge size="xs" color="red">{t('conv.high')}</Badge>}
                  {c.assignee && <Text size="xs" c="dimmed">{names.get(c.assignee) || ''}</Text>}
                  {(c.unreadCount || 0) > 0 && (
                    <Badge size="xs" circle color="teal" aria-label={t('list.unread', { count: c.unreadCount })}>{c.unreadCount}</Badge>
                  )}
                </Group>
              </UnstyledButton>
            </li>
          ))}
        </Stack>
        {shown.length > visible && (
          <Button variant="subtle" size="xs" fullWidth onClick={() => setVisible((v) => v + PAGE)}>
            {t('list.more', { count: shown.length - visible })}
          </Button>
        )}
      </ScrollArea>
      <Box />
    </Stack>
  );
}
