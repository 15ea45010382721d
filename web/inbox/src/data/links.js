// Fresh links to the files messages show (inbox_api `links`, docs/inbox.md). The link stored on a message is
// signed and expires (an hour for the platforms' media, 7 days for uploads) while the file stays: a link
// that is old or fails to load is asked for again, in one batched call. The widget does the same
// (web/widget/src/panel/links.js).
import { useCallback, useEffect, useRef, useState } from 'react';
import { call } from './api';
import { millis } from './time';

const WEEK_LINK_STALE_MS = 6 * 24 * 3600 * 1000; // a 7-day link, a day before it expires
const MARGIN_MS = 60 * 1000;
const BATCH = 50; // the most ids one call takes
const FILE_KINDS = new Set(['image', 'sticker', 'audio', 'video', 'document']);

export function storedLink(message) {
  return message.media?.url || message.content?.url || null;
}

function stale(message, now) {
  const expires = message.media?.urlExpiresAt;
  if (expires) return expires * 1000 - MARGIN_MS < now;
  return (millis(message.timestamp) || 0) < now - WEEK_LINK_STALE_MS;
}

/** `links`: message id → fresh URL; `broken(id, src)`: its file failed to load from `src` (asked again once). */
export function useFreshLinks(messages) {
  const [links, setLinks] = useState(() => new Map());
  const asked = useRef(new Set());
  const retried = useRef(new Set());
  const fresh = useRef({}); // the same as `links`, for `broken`
  const queue = useRef([]);
  const timer = useRef(null);

  const ask = useCallback((ids) => {
    queue.current.push(...ids);
    if (timer.current) return;
    timer.current = setTimeout(() => {
      const wanted = [...new Set(queue.current)];
      queue.current = [];
      timer.current = null;
      for (let i = 0; i < wanted.length; i += BATCH) {
        const batch = wanted.slice(i, i + BATCH);
        call('links', { messageIds: batch })
          .then((answer) => {
            Object.assign(fresh.current, answer.links);
            setLinks(new Map(Object.entries(fresh.current)));
          })
          .catch((error) => console.warn('links', error));
      }
    }, 0);
  }, []);

  useEffect(() => {
    const now = Date.now();
    const due = messages.filter((m) => FILE_KINDS.has(m.kind) && storedLink(m) && !asked.current.has(m.id) && stale(m, now));
    due.forEach((m) => asked.current.add(m.id));
    if (due.length) ask(due.map((m) => m.id));
  }, [messages, ask]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const broken = useCallback((id, src) => {
    // an older link failing while (or after) a fresh one was asked for is no news
    if (fresh.current[id] ? src !== fresh.current[id] : asked.current.has(id)) return;
    if (retried.current.has(id)) return;
    retried.current.add(id);
    ask([id]);
  }, [ask]);
  return { links, broken };
}
