// Fresh links to the files messages show (inbox_api `links`, docs/inbox.md): the rules are shared with the
// widget (web/shared/fresh-links.js); this binds them to React.
import { useEffect, useState } from 'react';
import { freshLinks } from '../../../shared/fresh-links.js';
import { call } from './api';
import { millis } from './time';

const FILE_KINDS = new Set(['image', 'sticker', 'audio', 'video', 'document']);

export function storedLink(message) {
  return message.media?.url || message.content?.url || null;
}

/** `links`: message id → fresh URL; `broken(id, src)`: its file failed to load from `src` (asked again once). */
export function useFreshLinks(messages) {
  const [links, setLinks] = useState({});
  const [tracker] = useState(() =>
    freshLinks({
      request: (ids) => call('links', { messageIds: ids }),
      onChange: setLinks,
      warn: (error) => console.warn('links', error),
    }),
  );
  useEffect(() => {
    const withFile = messages.filter((m) => FILE_KINDS.has(m.kind) && storedLink(m));
    tracker.watch(
      withFile.map((m) => ({ id: m.id, expiresAt: m.media?.urlExpiresAt, sentAtMs: millis(m.timestamp) })),
      Date.now(),
    );
  }, [messages, tracker]);
  return { links, broken: tracker.broken };
}
