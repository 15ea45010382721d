// What the campaign and template pages share: status colours, a template body with its {{n}} filled, and
// polling that runs only while the page is visible (a hidden tab costs nothing).
import { useEffect, useRef } from 'react';

export const CAMPAIGN_COLOR = {
  draft: 'gray', scheduled: 'blue', running: 'teal', paused: 'yellow', cancelled: 'red', finished: 'green',
};
export const SEND_COLOR = {
  queued: 'gray', sending: 'blue', sent: 'teal', delivered: 'green', read: 'indigo', failed: 'red',
  unknown: 'orange', skipped: 'yellow', cancelled: 'dark',
};
export const SEND_STATUSES = Object.keys(SEND_COLOR);
export const TEMPLATE_COLOR = { APPROVED: 'green', PENDING: 'yellow', REJECTED: 'red', PAUSED: 'orange', DISABLED: 'gray', DELETED: 'gray' };

const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;

// The body as the customer will read it (src/atende/domain/templates.py `render`): a parameter not typed
// yet keeps its {{n}} visible.
export function fill(body, params) {
  return (body || '').replace(PLACEHOLDER, (whole, n) => {
    const value = params[Number(n) - 1];
    return value ? value : whole;
  });
}

// Call `load` now and every `everyMs` while `active` and the document is visible.
export function usePolling(load, everyMs, active) {
  const saved = useRef(load);
  saved.current = load;
  useEffect(() => {
    if (!active) return undefined;
    let timer = null;
    const tick = () => { if (document.visibilityState === 'visible') saved.current(); };
    const start = () => { clearInterval(timer); timer = setInterval(tick, everyMs); };
    const onVisibility = () => { if (document.visibilityState === 'visible') { tick(); start(); } else clearInterval(timer); };
    start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => { clearInterval(timer); document.removeEventListener('visibilitychange', onVisibility); };
  }, [active, everyMs]);
}
