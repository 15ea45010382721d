// Fresh links to the files messages show, for the inbox (web/inbox/src/data/links.js) and the web-chat
// widget (web/widget/src/panel/links.js); docs/inbox.md and docs/webchat.md name the endpoints. The link
// stored on a message is signed and expires (an hour for the platforms' media, 7 days for uploads) while
// the file stays: a link that is old, or fails to load, is asked for again, in batched calls. Plain
// JavaScript with no framework, so both apps (React and Preact) bind the same rules with a small hook,
// and tests/unit/test_fresh_links_rules.py runs them under node.

export const WEEK_LINK_STALE_MS = 6 * 24 * 3600 * 1000; // a 7-day link, a day before it expires
const MARGIN_MS = 60 * 1000;
export const BATCH = 50; // the most ids one call takes

/** Whether a stored link is due for renewal: its expiry (seconds) if known, else its message's age. */
export function isStale({ expiresAt, sentAtMs }, now) {
  if (expiresAt) return expiresAt * 1000 - MARGIN_MS < now;
  return (sentAtMs || 0) < now - WEEK_LINK_STALE_MS;
}

/**
 * The renewal state of one open conversation view.
 * `request(ids)` resolves to `{links: {id: url}}`; `onChange(links)` gets every fresh link known so far;
 * `warn(error)` hears a failed request (the stored link stays shown). Ids asked together within one tick
 * go out as one batch of at most BATCH.
 */
export function freshLinks({ request, onChange, warn = () => {} }) {
  const asked = new Set();
  const retried = new Set();
  const fresh = {};
  let queue = null;

  function ask(ids) {
    if (queue) {
      queue.push(...ids);
      return;
    }
    queue = [...ids];
    setTimeout(() => {
      const wanted = [...new Set(queue)];
      queue = null;
      for (let i = 0; i < wanted.length; i += BATCH) {
        request(wanted.slice(i, i + BATCH))
          .then((answer) => {
            Object.assign(fresh, answer.links);
            onChange({ ...fresh });
          })
          .catch(warn);
      }
    }, 0);
  }

  return {
    /** Messages on screen with a stored link (`{id, expiresAt, sentAtMs}`): the stale ones are asked for, once. */
    watch(items, now) {
      const due = items.filter((item) => !asked.has(item.id) && isStale(item, now)).map((item) => item.id);
      due.forEach((id) => asked.add(id));
      if (due.length) ask(due);
    },
    /** The file of message `id` failed to load from `src`: asked for again, once. */
    broken(id, src) {
      // an older link failing while (or after) a fresh one was asked for is no news
      if (fresh[id] ? src !== fresh[id] : asked.has(id)) return;
      if (retried.has(id)) return;
      retried.add(id);
      ask([id]);
    },
  };
}
