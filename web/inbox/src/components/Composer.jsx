import { useEffect, useMemo, useRef, useState } from 'react';
import {
  ActionIcon, Alert, Button, FileButton, Group, Paper, Popover, Select, SimpleGrid, Stack, Switch, Text,
  Textarea, TextInput, UnstyledButton,
} from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { IconMoodSmile, IconPaperclip } from '@tabler/icons-react';
import { call, newClientId, upload } from '../data/api';
import { useCannedResponses, useTemplates } from '../data/firestore';
import { windowState } from '../format';

const TYPING_EVERY_MS = 4000;

const EMOJI = ['😊', '👍', '🙏', '👋', '✅', '⏳', '📄', '💳', '📶', '🔧', '🎉', '😉'];

function templateBody(template) {
  return (template.components || []).find((c) => (c.type || '').toUpperCase() === 'BODY')?.text || '';
}

function placeholders(text) {
  return [...new Set([...text.matchAll(/\{\{(\d+)\}\}/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
}

export default function Composer({ conversation, onError, inputRef }) {
  const { t } = useTranslation();
  const canned = useCannedResponses();
  const templates = useTemplates();
  const [text, setText] = useState('');
  const typedAt = useRef(0);
  const [note, setNote] = useState(false);
  const [file, setFile] = useState(null);
  const [busy, setBusy] = useState(false);
  const [templateId, setTemplateId] = useState(null);
  const [params, setParams] = useState({});
  const clientId = useRef(newClientId());
  const win = windowState(conversation);

  // The `n` shortcut (InboxPage) opens a private note here.
  useEffect(() => {
    const toNote = () => {
      setNote(true);
      setTimeout(() => inputRef?.current?.focus(), 0);
    };
    window.addEventListener('atende:note', toNote);
    return () => window.removeEventListener('atende:note', toNote);
  }, [inputRef]);

  const matches = useMemo(() => {
    const m = /^\/(\S*)$/.exec(text);
    if (!m) return [];
    return canned.filter((c) => (c.shortcut || c.id).startsWith(m[1].toLowerCase())).slice(0, 8);
  }, [text, canned]);

  const usable = templates.filter((tp) => tp.status === 'APPROVED' && (!tp.accountId || tp.accountId === conversation.accountId));
  const template = usable.find((tp) => tp.id === templateId);
  const slots = template ? placeholders(templateBody(template)) : [];

  async function run(action, body) {
    setBusy(true);
    try {
      await call(action, { conversationId: conversation.id, clientId: clientId.current, ...body });
      clientId.current = newClientId();
      return true;
    } catch (e) {
      onError(e.message);
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function submit(event) {
    event?.preventDefault();
    if (note) {
      if (text.trim() && await run('note', { text })) setText('');
      return;
    }
    if (file) {
      setBusy(true);
      let media;
      try {
        media = await upload(conversation.id, file);
      } catch (e) {
        onError(e.message);
        setBusy(false);
        return;
      }
      if (await run('send', { attachment: { mediaId: media.mediaId, caption: text.trim() || null } })) {
        setFile(null);
        setText('');
      }
      return;
    }
    if (text.trim() && await run('send', { text })) setText('');
  }

  async function sendTemplate() {
    const values = slots.map((n) => params[n] || '');
    if (await run('send', { template: { name: template.name, language: template.language, params: values } })) {
      setTemplateId(null);
      setParams({});
    }
  }

  if (!win.open && !note) {
    return (
      <Paper withBorder p="sm" m="sm" component="section" aria-label={t('composer.template')}>
        <Stack gap="xs">
          <Alert color="orange" py={6}>{t('conv.windowClosed')}</Alert>
          {win.templatesOnly && (
            <>
              <Select label={t('composer.templatePick')} value={templateId} onChange={setTemplateId}
                data={usable.map((tp) => ({ value: tp.id, label: `${tp.name} (${tp.language})` }))} />
              {template && <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap' }}>{templateBody(template)}</Text>}
              {slots.map((n) => (
                <TextInput key={n} label={t('composer.param', { n })} value={params[n] || ''}
                  onChange={(e) => setParams((p) => ({ ...p, [n]: e.currentTarget.value }))} required />
              ))}
              <Group justify="space-between">
                <Switch label={t('composer.note')} checked={note} onChange={(e) => setNote(e.currentTarget.checked)} />
                <Button disabled={!template || slots.some((n) => !(params[n] || '').trim())} loading={busy} onClick={sendTemplate}>
                  {t('composer.sendTemplate')}
                </Button>
              </Group>
            </>
          )}
        </Stack>
      </Paper>
    );
  }

  return (
    <Paper withBorder p="sm" m="sm" component="form" onSubmit={submit} bg={note ? 'yellow.0' : undefined}
      aria-label={note ? t('composer.note') : t('composer.send')}>
      {win.humanAgent && !note && <Text size="xs" c="orange.8" mb={4}>{t('conv.humanAgent')}</Text>}
      <Popover opened={matches.length > 0} position="top-start" width={360} withinPortal={false}>
        <Popover.Target>
          <Textarea ref={inputRef} autosize minRows={2} maxRows={8} value={text}
            aria-label={note ? t('composer.notePlaceholder') : t('composer.placeholder')}
            placeholder={note ? t('composer.notePlaceholder') : t('composer.placeholder')}
            onChange={(e) => {
              setText(e.currentTarget.value);
              // A web-chat visitor sees "typing…"; the server keeps it on 6 s after each of these.
              if (conversation.channel === 'webchat' && !note && Date.now() - typedAt.current > TYPING_EVERY_MS) {
                typedAt.current = Date.now();
                call('typing', { conversationId: conversation.id }).catch(() => {});
              }
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                if (matches.length) setText(matches[0].text);
                else submit();
              }
            }} />
        </Popover.Target>
        <Popover.Dropdown p={4} aria-label={t('composer.canned')}>
          {matches.map((c) => (
            <UnstyledButton key={c.id} p={6} w="100%" onClick={() => setText(c.text)}>
              <Text size="sm" fw={600}>/{c.shortcut || c.id} · {c.title}</Text>
              <Text size="xs" c="dimmed" lineClamp={1}>{c.text}</Text>
            </UnstyledButton>
          ))}
        </Popover.Dropdown>
      </Popover>
      {file && (
        <Group gap={6} mt={4}>
          <Text size="xs">{t('composer.attached', { name: file.name })}</Text>
          <Button size="compact-xs" variant="subtle" onClick={() => setFile(null)}>{t('composer.remove')}</Button>
        </Group>
      )}
      <Group justify="space-between" mt="xs">
        <Group gap={6}>
          <Switch label={t('composer.note')} checked={note} onChange={(e) => setNote(e.currentTarget.checked)} color="yellow" />
          {!note && (
            <FileButton onChange={setFile} accept="image/jpeg,image/png,image/webp,application/pdf,audio/mpeg,audio/ogg,video/mp4">
              {(props) => <ActionIcon {...props} variant="light" aria-label={t('composer.attach')} size="lg"><IconPaperclip size={18} /></ActionIcon>}
            </FileButton>
          )}
          <Popover position="top">
            <Popover.Target>
              <ActionIcon variant="light" aria-label={t('composer.emoji')} size="lg"><IconMoodSmile size={18} /></ActionIcon>
            </Popover.Target>
            <Popover.Dropdown>
              <SimpleGrid cols={6} spacing={4}>
                {EMOJI.map((e) => (
                  <UnstyledButton key={e} aria-label={e} onClick={() => setText((v) => v + e)} fz="lg">{e}</UnstyledButton>
                ))}
              </SimpleGrid>
            </Popover.Dropdown>
          </Popover>
        </Group>
        <Button type="submit" loading={busy} color={note ? 'yellow' : 'teal'}>{note ? t('composer.note') : t('composer.send')}</Button>
      </Group>
    </Paper>
  );
}
