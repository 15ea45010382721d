// The file a message shows, and fresh links to it (`POST /links`, docs/webchat.md): the link stored on a
// message is signed and expires (7 days) while the file stays, so one that is old, or fails to load, is
// asked for again in one batched call. The inbox does the same (web/inbox/src/data/links.js).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { millis } from './live.js';

const STALE_MS = 6 * 24 * 3600 * 1000;
const BATCH = 50;

export function mediaOf(message) {
  const media = message.media || {};
  const content = message.content || {};
  return {
    url: media.url || content.url || null,
    mimeType: media.mimeType || content.mime_type || null,
    name: content.filename || media.filename || null,
  };
}

function stale(message, now) {
  const expires = message.media && message.media.urlExpiresAt;
  if (expires) return expires * 1000 - 60000 < now;
  return millis(message.createdAt || message.timestamp) < now - STALE_MS;
}

/** `links`: message id → fresh URL; `broken(id, src)`: its file failed to load from `src` (asked again once). */
export function useFreshLinks(api, messages) {
  const [links, setLinks] = useState({});
  const asked = useRef(new Set());
  const retried = useRef(new Set());
  const fresh = useRef({}); // the same as `links`, for `broken`
  const queue = useRef(null);

  const ask = useCallback((ids) => {
    if (queue.current) {
      queue.current.push(...ids);
      return;
    }
    queue.current = [...ids];
    setTimeout(() => {
      const wanted = [...new Set(queue.current)];
      queue.current = null;
      for (let i = 0; i < wanted.length; i += BATCH) {
        const batch = wanted.slice(i, i + BATCH);
        api
          .links(batch)
          .then((answer) => {
            Object.assign(fresh.current, answer.links);
            setLinks({ ...fresh.current });
          })
          .catch((error) => console.warn('[Atende widget] links', error));
      }
    }, 0);
  }, [api]);

  useEffect(() => {
    const now = Date.now();
    const due = messages.filter((m) => mediaOf(m).url && !asked.current.has(m.id) && stale(m, now)).map((m) => m.id);
    due.forEach((id) => asked.current.add(id));
    if (due.length) ask(due);
  }, [messages]);

  const broken = useCallback((id, src) => {
    // an older link failing while (or after) a fresh one was asked for is no news
    if (fresh.current[id] ? src !== fresh.current[id] : asked.current.has(id)) return;
    if (retried.current.has(id)) return;
    retried.current.add(id);
    ask([id]);
  }, [ask]);
  return { links, broken };
}
