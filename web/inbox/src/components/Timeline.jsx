import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { Anchor, Badge, Box, Button, Group, Image, Paper, Stack, Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { millis } from '../data/time';
import { storedLink, useFreshLinks } from '../data/links';
import { clock, named } from '../format';
import ChannelBadge from './ChannelBadge';

const TICKS = { queued: '🕓', sending: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', played: '✓✓' };

// `fresh`: a newer link to the same file (data/links.js); `onBroken`: the file failed to load.
function Media({ message, fresh, onBroken }) {
  const { t } = useTranslation();
  const url = fresh || storedLink(message);
  const kind = message.kind;
  const broken = (event) => onBroken?.(message.id, event.currentTarget.src);
  if (kind === 'image' || kind === 'sticker') {
    return url ? <Image src={url} onError={broken} alt={message.content?.caption || t(`msg.${kind}`)} maw={240} radius="sm" /> : <Text size="sm">[{t(`msg.${kind}`)}]</Text>;
  }
  if (kind === 'audio') return url ? <audio controls src={url} onError={broken} aria-label={t('msg.audio')} /> : <Text size="sm">[{t('msg.audio')}]</Text>;
  if (kind === 'video') return url ? <video controls src={url} onError={broken} style={{ maxWidth: 260 }} aria-label={t('msg.video')} /> : <Text size="sm">[{t('msg.video')}]</Text>;
  if (kind === 'document') {
    return <Anchor href={url} target="_blank" rel="noreferrer">📄 {message.content?.filename || t('msg.document')}</Anchor>;
  }
  if (kind === 'location') {
    const { latitude, longitude, name } = message.content || {};
    return <Anchor href={`https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}`} target="_blank" rel="noreferrer">📍 {name || t('msg.location')} ({latitude}, {longitude})</Anchor>;
  }
  return null;
}

const Event = memo(function Event({ message }) {
  return (
    <Text size="xs" c="dimmed" ta="center" my={4} data-message-id={message.id} data-kind="event">
      — {message.text} · {clock(message.timestamp)} —
    </Text>
  );
});

// What the customer could tap (buttons, a list's rows, quick replies), as src/atende/domain/menus.py lays it out.
function options(content) {
  if (!content) return [];
  if (content.quick_replies) return content.quick_replies.map((q) => ({ id: q.payload, title: q.title }));
  if (content.sections) return content.sections.flatMap((sec) => sec.rows || []);
  return content.buttons || [];
}

const Bubble = memo(function Bubble({ message, onRetry, fromHistory, freshLink, onBrokenLink }) {
  const { t } = useTranslation();
  const ours = message.direction === 'outbound';
  const note = message.visibility === 'internal';
  const failed = message.status === 'failed' || message.status === 'unknown';
  const bg = note ? 'yellow.1' : ours ? (message.senderType === 'bot' ? 'gray.1' : 'teal.0') : 'white';
  return (
    <Group justify={ours || note ? 'flex-end' : 'flex-start'} data-message-id={message.id}
      data-kind={note ? 'note' : ours ? 'outbound' : 'inbound'} data-status={message.status}>
      <Paper withBorder p="xs" maw="75%" bg={bg} style={note ? { borderColor: 'var(--mantine-color-yellow-5)' } : undefined}>
        <Group gap={6} mb={2}>
          <Text size="xs" fw={600}>
            {note && <IconLock size={12} aria-hidden style={{ verticalAlign: '-1px', marginRight: 4 }} />}
            {note ? `${t('msg.note')} · ` : ''}
            {message.senderType === 'contact' ? (message.senderName || '') : message.senderType === 'bot' ? t('status.bot') : (message.authorName || 'Atende')}
          </Text>
          {fromHistory && <ChannelBadge channel={message.channel} />}
          {fromHistory && <Text size="xs" c="dimmed">{t('msg.fromHistory')}</Text>}
          {message.campaignId && <Badge size="xs" variant="light" color="grape" tt="none" data-testid="origin">{t('msg.campaign', { name: message.campaignName || message.campaignId })}</Badge>}
          {message.followupRule && <Badge size="xs" variant="light" color="cyan" tt="none" data-testid="origin">{t('msg.followup', { rule: message.followupRule })}</Badge>}
        </Group>
        <Media message={message} fresh={freshLink} onBroken={onBrokenLink} />
        {message.text && <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{message.text}</Text>}
        {options(message.content).length > 0 && (
          <Group gap={4} mt={4} aria-label={t('msg.options')}>
            {options(message.content).map((o) => <Badge key={o.id} variant="outline" size="sm" tt="none">{o.title}</Badge>)}
          </Group>
        )}
        {message.kind === 'template' && <Text size="sm" c="dimmed">📋 {message.content?.name} ({(message.content?.params || []).join(', ')})</Text>}
        {message.triage && (
          <Text size="xs" c="dimmed" mt={4}>
            {t('msg.ai', {
              intent: named(t, 'intent', message.triage.intent),
              sentiment: named(t, 'sentiment', message.triage.sentiment),
              confidence: Math.round((message.triage.confidence || 0) * 100),
            })}
            {message.decision ? ` · ${t('msg.route', { route: named(t, 'route', message.decision.route), reason: named(t, 'reason', message.decision.reason) })}` : ''}
          </Text>
        )}
        <Group gap={6} justify="flex-end" mt={2}>
          <Text size="xs" c="dimmed">{clock(message.timestamp)}</Text>
          {ours && !failed && (
            <Text size="xs" c={message.status === 'read' || message.status === 'played' ? 'blue' : 'dimmed'}
              aria-label={message.status} title={message.status}>{TICKS[message.status] || ''}</Text>
          )}
        </Group>
        {failed && (
          <Box mt={4} role="alert">
            <Badge color="red" size="sm">{message.status === 'failed' ? t('msg.failed') : t('msg.unknown')}</Badge>
            <Text size="xs" c="red.8">{message.error?.agentMessage || message.error?.message}</Text>
            {message.senderType === 'agent' && onRetry && (
              <Button size="compact-xs" variant="light" color="red" mt={4} onClick={() => onRetry(message.id)}>{t('msg.retry')}</Button>
            )}
          </Box>
        )}
      </Paper>
    </Group>
  );
});

const PAGE = 150; // the newest items drawn; older ones on request, so a long conversation stays fast

export default function Timeline({ messages, history, onRetry }) {
  const { t } = useTranslation();
  const end = useRef(null);
  const [shown, setShown] = useState(PAGE);
  // Follow new messages once per frame, however many arrive in it.
  useEffect(() => {
    const frame = requestAnimationFrame(() => end.current?.scrollIntoView({ block: 'end' }));
    return () => cancelAnimationFrame(frame);
  }, [messages.length]);
  // Live messages keep their identity between snapshots, so only new or changed bubbles re-render.
  const merged = useMemo(() => [
    ...history.map((m) => ({ ...m, fromHistory: true })),
    ...messages,
  ].sort((a, b) => (millis(a.timestamp) || 0) - (millis(b.timestamp) || 0) || a.id.localeCompare(b.id)), [history, messages]);
  const visible = merged.length > shown ? merged.slice(merged.length - shown) : merged;
  const { links, broken } = useFreshLinks(visible);
  return (
    <Stack gap={6} p="sm" aria-live="polite" aria-relevant="additions" data-testid="timeline">
      {merged.length > shown && (
        <Button variant="subtle" size="xs" onClick={() => setShown((n) => n + PAGE)}>
          {t('msg.earlier', { count: merged.length - shown })}
        </Button>
      )}
      {visible.map((m) => (m.event
        ? <Event key={m.id} message={m} />
        : <Bubble key={m.id} message={m} onRetry={onRetry} fromHistory={m.fromHistory}
          freshLink={links[m.id]} onBrokenLink={broken} />))}
      <div ref={end} />
    </Stack>
  );
}
