// The file a message shows, and fresh links to it (`POST /links`, docs/webchat.md): the rules are shared
// with the inbox (web/shared/fresh-links.js); this binds them to Preact.
import { useEffect, useState } from 'preact/hooks';
import { freshLinks } from '../../../shared/fresh-links.js';
import { millis } from './live.js';

export function mediaOf(message) {
  const media = message.media || {};
  const content = message.content || {};
  return {
    url: media.url || content.url || null,
    mimeType: media.mimeType || content.mime_type || null,
    name: content.filename || media.filename || null,
  };
}

/** `links`: message id → fresh URL; `broken(id, src)`: its file failed to load from `src` (asked again once). */
export function useFreshLinks(api, messages) {
  const [links, setLinks] = useState({});
  const [tracker] = useState(() =>
    freshLinks({
      request: (ids) => api.links(ids),
      onChange: setLinks,
      warn: (error) => console.warn('[Atende widget] links', error),
    }),
  );
  useEffect(() => {
    const withFile = messages.filter((m) => mediaOf(m).url);
    tracker.watch(
      withFile.map((m) => ({
        id: m.id,
        expiresAt: m.media && m.media.urlExpiresAt,
        sentAtMs: millis(m.createdAt || m.timestamp),
      })),
      Date.now(),
    );
  }, [messages, tracker]);
  return { links, broken: tracker.broken };
}
