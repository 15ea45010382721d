import { useEffect, useRef, useState } from 'react';
import { Button, Drawer, Group, ScrollArea, Select, Stack, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { directChatId, ensureDirectChat, ensureTeamChat, postChatMessage, useChat } from '../data/firestore';
import { clock } from '../format';

// Rooms: one per team of mine, and one per colleague (1:1).
export default function TeamChat({ opened, onClose, me, teams, users, teamNames }) {
  const { t } = useTranslation();
  const [room, setRoom] = useState(teams[0] ? `team:${teams[0]}` : null);
  const [kind, target] = (room || ':').split(':');
  const chatId = !room ? null : kind === 'team' ? `team_${target}` : directChatId(me.uid, target);
  const { messages, error } = useChat(opened ? chatId : null);
  const [text, setText] = useState('');
  const end = useRef(null);
  useEffect(() => {
    if (!opened || !room) return;
    const opening = kind === 'team' ? ensureTeamChat(target) : ensureDirectChat(me.uid, target);
    opening.catch((error) => console.error('chat', chatId, error));
  }, [opened, room, kind, target, me.uid, chatId]);
  useEffect(() => { end.current?.scrollIntoView({ block: 'end' }); }, [messages.length]);

  async function send(event) {
    event.preventDefault();
    if (!text.trim()) return;
    await postChatMessage(chatId, me, text.trim());
    setText('');
  }

  return (
    <Drawer opened={opened} onClose={onClose} position="right" title={t('chat.title')} size="md">
      <Stack h="calc(100vh - 90px)">
        <Select aria-label={t('chat.room')} value={room} onChange={setRoom} allowDeselect={false} searchable
          data={[
            { group: t('list.team'), items: teams.map((tm) => ({ value: `team:${tm}`, label: teamNames.get(tm) || tm })) },
            { group: t('chat.people'), items: users.filter((u) => u.id !== me.uid).map((u) => ({ value: `dm:${u.id}`, label: u.displayName })) },
          ]} />
        <ScrollArea style={{ flex: 1 }}>
          <Stack gap={6} aria-live="polite">
            {error && <Text c="red" size="sm">{error.code}</Text>}
            {messages.length === 0 && <Text c="dimmed" size="sm">{t('chat.empty')}</Text>}
            {messages.map((m) => (
              <div key={m.id} data-chat-message={m.id}>
                <Text size="xs" c="dimmed">{m.authorName} · {clock(m.at)}</Text>
                <Text size="sm">{m.text}</Text>
              </div>
            ))}
            <div ref={end} />
          </Stack>
        </ScrollArea>
        <form onSubmit={send}>
          <Group wrap="nowrap">
            <TextInput style={{ flex: 1 }} aria-label={t('chat.placeholder')} placeholder={t('chat.placeholder')}
              value={text} onChange={(e) => setText(e.currentTarget.value)} maxLength={4000} />
            <Button type="submit">{t('chat.send')}</Button>
          </Group>
        </form>
      </Stack>
    </Drawer>
  );
}
