import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert, Badge, Button, Drawer, Group, Menu, ScrollArea, Stack, Text, TextInput, Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { call } from '../data/api';
import { useConversation, useMessages } from '../data/firestore';
import { clock, named, windowState } from '../format';
import ChannelBadge from './ChannelBadge';
import Composer from './Composer';
import ContextPanel from './ContextPanel';
import Timeline from './Timeline';

function tomorrowNine() {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d.getTime();
}

export default function ConversationView({ id, me, claims, users, teams, showContext, onLost, actionsRef, inputRef }) {
  const { t } = useTranslation();
  const { conversation, error } = useConversation(id);
  const { messages } = useMessages(conversation ? id : null);
  const [context, setContext] = useState(null);
  const [problem, setProblem] = useState(null);
  const [label, setLabel] = useState('');
  const [until, setUntil] = useState('');
  const [snoozeOpen, setSnoozeOpen] = useState(false);
  const [contactOpen, contactDrawer] = useDisclosure(false);

  const loadContext = useCallback(() => {
    call('context', { conversationId: id }).then(setContext).catch((e) => setProblem(e.message));
  }, [id]);

  useEffect(() => {
    setContext(null);
    setProblem(null);
    if (!id) return;
    call('read', { conversationId: id }).catch(() => {});
    loadContext();
  }, [id]); // eslint-disable-line react-hooks/exhaustive-deps

  const denied = error?.code === 'permission-denied';
  useEffect(() => {
    if (denied) onLost?.();
  }, [denied]); // eslint-disable-line react-hooks/exhaustive-deps

  // A customer message while the conversation is open is read at once: the badge stays at zero.
  const unread = conversation?.unreadCount || 0;
  useEffect(() => {
    if (unread > 0) {
      const timer = setTimeout(() => call('read', { conversationId: id }).catch(() => {}), 800);
      return () => clearTimeout(timer);
    }
    return undefined;
  }, [unread, id]);

  const act = useCallback(async (action, body = {}) => {
    setProblem(null);
    try {
      await call(action, { conversationId: id, ...body });
    } catch (e) {
      setProblem(e.message);
    }
  }, [id]);

  useEffect(() => {
    if (actionsRef) actionsRef.current = { act };
  }, [act, actionsRef]);

  const retry = useCallback((messageId) => call('retry', { messageId }).catch((e) => setProblem(e.message)), []);
  const history = useMemo(() => (context?.history || []).flatMap((h) => h.messages), [context]);

  if (error) return <Alert color="red" m="md" role="alert">{denied ? t('conv.noAccess') : error.message}</Alert>;
  if (!conversation) return <Text c="dimmed" p="md">{t('conv.pick')}</Text>;

  const names = new Map(users.map((u) => [u.id, u.displayName]));
  const supervising = claims.role !== 'agent';
  const mine = conversation.assignee === me.uid;
  const win = windowState(conversation);

  return (
    <Group align="stretch" gap={0} h="100%" wrap="nowrap">
      <Stack gap={0} style={{ flex: 1, minWidth: 0 }} h="100%">
        <Stack gap={4} p="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
          <Group justify="space-between" wrap="nowrap">
            <Group gap={6} wrap="nowrap">
              <Title order={2} size="h4">{conversation.contactName || conversation.senderId}</Title>
              <ChannelBadge channel={conversation.channel} size="sm" />
              <Badge variant="outline" data-testid="conversation-status">{t(`status.${conversation.status}`)}</Badge>
              {conversation.priority === 'high' && <Badge color="red">{t('conv.high')}</Badge>}
            </Group>
            <Text size="xs" c="dimmed">
              {conversation.assignee ? t('conv.assignedTo', { name: names.get(conversation.assignee) || conversation.assignee }) : t('conv.unassigned')}
            </Text>
          </Group>
          {conversation.handoff && conversation.status !== 'bot' && (
            <Text size="xs" c="orange.8">{t('conv.handoff', { reason: named(t, 'reason', conversation.handoff.reason) })}{conversation.handoff.intent ? ` · ${named(t, 'intent', conversation.handoff.intent)}` : ''}</Text>
          )}
          {win.until && <Text size="xs" c="dimmed">{t('conv.windowOpen', { time: clock(win.until) })}</Text>}
          <Group gap={6} role="toolbar" aria-label={t('conv.actions')}>
            {!mine && conversation.status !== 'resolved' && <Button size="xs" onClick={() => act('take')}>{t('conv.take')}</Button>}
            {conversation.status !== 'resolved' && <Button size="xs" variant="light" onClick={() => act('resolve')}>{t('conv.resolve')}</Button>}
            {conversation.status === 'resolved' && <Button size="xs" variant="light" onClick={() => act('reopen')}>{t('conv.reopen')}</Button>}
            <Menu>
              <Menu.Target><Button size="xs" variant="light">{t('conv.transfer')}</Button></Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{t('conv.toTeam')}</Menu.Label>
                {teams.filter((tm) => tm.id !== conversation.team).map((tm) => (
                  <Menu.Item key={tm.id} onClick={() => act('transfer', { team: tm.id })}>{tm.name || tm.id}</Menu.Item>
                ))}
                <Menu.Label>{t('conv.toAgent')}</Menu.Label>
                {users.filter((u) => u.id !== me.uid && u.role !== 'admin').map((u) => (
                  <Menu.Item key={u.id} onClick={() => act('transfer', { agentId: u.id })}>
                    {u.displayName} · {t(`header.${u.availability || 'away'}`)}
                  </Menu.Item>
                ))}
              </Menu.Dropdown>
            </Menu>
            {supervising && (
              <Menu>
                <Menu.Target><Button size="xs" variant="light">{t('conv.assign')}</Button></Menu.Target>
                <Menu.Dropdown>
                  {users.filter((u) => (u.teams || []).includes(conversation.team)).map((u) => (
                    <Menu.Item key={u.id} onClick={() => act('assign', { agentId: u.id })}>{u.displayName}</Menu.Item>
                  ))}
                </Menu.Dropdown>
              </Menu>
            )}
            <Menu opened={snoozeOpen} onChange={setSnoozeOpen}>
              <Menu.Target><Button size="xs" variant="light">{t('conv.snooze')}</Button></Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => act('snooze', { until: Date.now() + 3600 * 1000 })}>{t('conv.oneHour')}</Menu.Item>
                <Menu.Item onClick={() => act('snooze', { until: tomorrowNine() })}>{t('conv.tomorrow')}</Menu.Item>
                <Menu.Divider />
                <Group gap={4} p={6} wrap="nowrap">
                  <TextInput size="xs" type="datetime-local" aria-label={t('conv.snoozeUntil')} value={until}
                    onChange={(e) => setUntil(e.currentTarget.value)} />
                  <Button size="compact-xs" disabled={!until}
                    onClick={() => {
                      setSnoozeOpen(false);
                      act('snooze', { until: new Date(until).getTime() });
                    }}>{t('conv.snooze')}</Button>
                </Group>
              </Menu.Dropdown>
            </Menu>
            <Menu>
              <Menu.Target><Button size="xs" variant="light">{t('conv.priority')}</Button></Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => act('priority', { priority: 'high' })}>{t('conv.high')}</Menu.Item>
                <Menu.Item onClick={() => act('priority', { priority: 'normal' })}>{t('conv.normal')}</Menu.Item>
              </Menu.Dropdown>
            </Menu>
            {conversation.status !== 'bot' && <Button size="xs" variant="subtle" onClick={() => act('back_to_bot')}>{t('conv.backToBot')}</Button>}
            {!showContext && <Button size="xs" variant="default" onClick={contactDrawer.open}>{t('context.title')}</Button>}
          </Group>
          <Group gap={4}>
            {(conversation.labels || []).map((l) => (
              <Badge key={l} variant="light" rightSection={<span role="button" tabIndex={0} aria-label={t('conv.removeLabel', { label: l })} onClick={() => act('labels', { remove: [l] })}>×</span>}>{l}</Badge>
            ))}
            <TextInput size="xs" w={140} aria-label={t('conv.addLabel')} placeholder={t('conv.addLabel')} value={label}
              onChange={(e) => setLabel(e.currentTarget.value)}
              onKeyDown={(e) => { if (e.key === 'Enter' && label.trim()) { act('labels', { add: [label.trim()] }); setLabel(''); } }} />
          </Group>
          {problem && <Alert color="red" py={4} role="alert" withCloseButton onClose={() => setProblem(null)}>{problem}</Alert>}
        </Stack>
        <ScrollArea style={{ flex: 1 }} type="auto">
          <Timeline messages={messages} history={history} onRetry={retry} />
        </ScrollArea>
        <Composer conversation={conversation} onError={setProblem} inputRef={inputRef} />
      </Stack>
      {!showContext && (
        <Drawer opened={contactOpen} onClose={contactDrawer.close} position="right" title={t('context.title')}>
          <ContextPanel context={context} onContinue={(channel) => act('continue_on', { channel })} />
        </Drawer>
      )}
      {showContext && (
        <ScrollArea w={300} style={{ borderLeft: '1px solid var(--mantine-color-gray-3)', flexShrink: 0 }}>
          <ContextPanel context={context} onContinue={(channel) => act('continue_on', { channel })} />
        </ScrollArea>
      )}
    </Group>
  );
}
