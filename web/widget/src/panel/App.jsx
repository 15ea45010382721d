import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Composer } from './Composer.jsx';
import { OfflineForm, PreChatForm } from './Forms.jsx';
import { Header } from './Header.jsx';
import { Messages, botName, senderName } from './Messages.jsx';
import { useFreshLinks } from './links.js';
import { millis, watchConversation } from './live.js';
import { Outbox, newClientId, providerId } from './outbox.js';
import { endSession, existingSession, newSession } from './session.js';
import { focusFirst, trapFocus } from './focus.js';

const UNREAD = new Set(['queued', 'sending', 'sent', 'delivered']);

function useOnline() {
  const [online, setOnline] = useState(navigator.onLine !== false);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);
  return online;
}

/** Re-renders when `until` (ms) passes, so the typing indicator goes away on time. */
function useUntil(until) {
  const [, tick] = useState(0);
  useEffect(() => {
    const left = until - Date.now();
    if (left <= 0) return undefined;
    const timer = setTimeout(() => tick((n) => n + 1), left + 50);
    return () => clearTimeout(timer);
  }, [until]);
  return until > Date.now();
}

export function App({ bridge, services, api, t, site, controls }) {
  const { auth, db } = services;
  const siteKey = bridge.settings.siteKey;
  const [open, setOpen] = useState(bridge.isOpen());
  const [session, setSessionState] = useState(undefined); // undefined: looking; null: none yet
  const current = useRef(undefined); // the same, for callbacks that outlive a render (retries, timers)
  const setSession = (value) => {
    current.current = value;
    setSessionState(value);
  };
  const [refused, setRefused] = useState(false);
  const [failure, setFailure] = useState(null);
  const [conversation, setConversation] = useState(null);
  const [messages, setMessages] = useState([]);
  const [pending, setPending] = useState([]);
  const [announcement, setAnnouncement] = useState('');
  const [leaving, setLeaving] = useState(null); // the offline form instead of the chat (null: the default)
  const [visible, setVisible] = useState(document.visibilityState === 'visible');
  const online = useOnline();
  const panel = useRef(null);
  const files = useRef(new Map()); // clientId → File, until uploaded (a File cannot be kept across reloads)
  const starting = useRef(null);
  const inFlight = useRef(new Set()); // clientIds being sent now: never two sends of one message at once
  const seen = useRef(null);
  const posted = useRef({ delivered: new Set(), read: new Set() });
  const outbox = useMemo(() => new Outbox(siteKey, setPending), [siteKey]);
  const links = useFreshLinks(api, messages);
  useEffect(() => setPending([...outbox.items]), [outbox]);

  // the loader tells us when it opens/closes and when the host page's user changes
  useEffect(() => {
    controls.visibility = (value) => setOpen(value);
    controls.userChanged = () => identify();
    // A click on the launcher between the first render and this effect (the chunk preloaded for a recent
    // visitor, a busy or background tab) reached the no-op `controls.visibility`: catch up with it.
    setOpen(bridge.isOpen());
    const onVisibility = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, []);

  async function identify() {
    setRefused(false);
    setFailure(null);
    const user = bridge.user();
    try {
      let found = await existingSession(auth, siteKey, user);
      if (!found && user && user.identifier) found = await newSession(auth, api, siteKey, user, {});
      if (!found && auth.currentUser) {
        // the host page's customer logged out (or another site's visitor): never show their conversation
        await endSession(auth, siteKey);
        outbox.items = [];
        outbox.save();
      }
      setSession(found || null);
    } catch (error) {
      if (error.status === 403) {
        setRefused(true);
        setSession(null);
      } else {
        console.error('[Atende widget]', error);
        setFailure(t.connectionError);
      }
    }
  }

  useEffect(() => {
    identify();
  }, []);

  /** The session, created on first need (first message, a form): opening alone creates nothing. */
  async function ensureSession(details = {}) {
    if (current.current) return current.current;
    if (!starting.current) {
      starting.current = newSession(auth, api, siteKey, bridge.user(), { ...details, locale: bridge.language() })
        .then((created) => {
          setSession(created);
          return created;
        })
        .finally(() => {
          starting.current = null;
        });
    }
    return starting.current;
  }

  // live: the conversation and its public messages
  useEffect(() => {
    if (!session) return undefined;
    bridge.touch();
    seen.current = null;
    setMessages([]);
    setConversation(null);
    return watchConversation(db, session.conversationId, {
      conversation: setConversation,
      messages: setMessages,
      error: (error) => {
        console.error('[Atende widget]', error);
        setFailure(t.connectionError);
      },
    });
  }, [session && session.conversationId]);

  // stored messages replace their pending copies; new ones are announced and given to on('message')
  useEffect(() => {
    if (!session) return;
    const stored = new Set(messages.map((m) => m.providerMessageId).filter(Boolean));
    outbox.settle(stored, session.visitorId);
    const before = seen.current;
    seen.current = new Set(messages.map((m) => m.id));
    if (!before) return;
    const fresh = messages.filter((m) => !before.has(m.id));
    for (const m of fresh) {
      bridge.emit('message', {
        id: m.id,
        text: m.text || '',
        direction: m.direction === 'outbound' ? 'received' : 'sent',
        sender: senderName(t, site, m),
        at: millis(m.createdAt),
      });
    }
    const replies = fresh.filter((m) => m.direction === 'outbound');
    if (replies.length) {
      const last = replies[replies.length - 1];
      setAnnouncement(t.newMessage(senderName(t, site, last), last.text || t.document));
      bridge.touch();
    }
  }, [messages]);

  // receipts: delivered once a reply reached this browser, read once the open panel is on screen
  useEffect(() => {
    if (!session) return;
    const replies = messages.filter((m) => m.direction === 'outbound');
    const post = (status, list) => {
      const ids = list.map((m) => m.id).filter((id) => !posted.current[status].has(id)).slice(0, 100);
      if (!ids.length) return;
      ids.forEach((id) => posted.current[status].add(id));
      api.receipts(ids, status).catch((error) => {
        ids.forEach((id) => posted.current[status].delete(id));
        console.warn('[Atende widget] receipts', error);
      });
    };
    const reading = open && visible;
    if (reading) post('read', replies.filter((m) => m.status === 'sent' || m.status === 'delivered'));
    else post('delivered', replies.filter((m) => m.status === 'sent'));
    bridge.setUnread(reading ? 0 : replies.filter((m) => UNREAD.has(m.status)).length);
  }, [messages, open, visible, session]);

  // sending: optimistic, by clientId; a failure can be retried, and is retried when back online
  async function deliver(clientId) {
    const item = outbox.get(clientId);
    if (!item || inFlight.current.has(clientId)) return;
    inFlight.current.add(clientId);
    outbox.update(clientId, { state: 'pending', error: null });
    try {
      await ensureSession();
      let attachment = item.attachment;
      const file = files.current.get(clientId);
      if (!attachment && file) {
        attachment = (await api.upload(file)).path;
        outbox.update(clientId, { attachment });
        files.current.delete(clientId);
      } else if (!attachment && item.file) {
        throw Object.assign(new Error(t.uploadFailed), { status: 410 });
      }
      const body = { clientId };
      if (item.text) body.text = item.text;
      if (attachment) body.attachment = { path: attachment };
      if (item.reply) body.reply = item.reply;
      await api.message(body);
      if (outbox.get(clientId)) outbox.update(clientId, { state: 'accepted' });
    } catch (error) {
      console.warn('[Atende widget] send', error);
      if (!outbox.get(clientId)) return;
      outbox.update(clientId, { state: 'failed', error: error.status === 0 ? null : error.message || null });
      if (error.status === 429) setTimeout(() => deliver(clientId), Number(error.retryAfter || 5) * 1000);
    } finally {
      inFlight.current.delete(clientId);
    }
  }

  function send({ text, file, reply }) {
    const clientId = newClientId();
    const item = { clientId, text: text || '', state: 'pending', at: Date.now() };
    if (reply) item.reply = reply;
    if (file) {
      files.current.set(clientId, file);
      Object.assign(item, { file: true, name: file.name, mimeType: file.type, preview: URL.createObjectURL(file) });
    }
    outbox.add(item);
    deliver(clientId);
  }

  // after a reload, what was not stored yet goes again (same clientId: stored once)
  useEffect(() => {
    if (session) outbox.items.filter((i) => i.state !== 'failed').forEach((i) => deliver(i.clientId));
  }, [session && session.conversationId]);

  useEffect(() => {
    if (online && session) outbox.items.filter((i) => i.state === 'failed' && !i.file).forEach((i) => deliver(i.clientId));
  }, [online]);

  // keyboard: focus moves into the open panel and stays there; Esc closes and returns to the launcher
  useEffect(() => trapFocus(panel.current, () => bridge.close()), []);
  useEffect(() => {
    if (open) requestAnimationFrame(() => focusFirst(panel.current));
  }, [open, session === undefined, refused]);
  useEffect(() => {
    if (!open) return undefined;
    // a view changed under the focused element (a form sent, a notice shown): focus stays in the panel,
    // unless the visitor has moved on to the host page
    const watcher = new MutationObserver(() => {
      if (!document.activeElement || document.activeElement === document.body) focusFirst(panel.current);
    });
    watcher.observe(panel.current, { childList: true, subtree: true });
    return () => watcher.disconnect();
  }, [open]);

  // who answers: a person is named by their last message (the public view says only that a person does)
  const lastAgent = [...messages].reverse().find((m) => m.senderType === 'agent' && m.authorName);
  const agentName = lastAgent ? lastAgent.authorName : null;
  const typingUntil = millis(conversation && conversation.typingUntil);
  const typing = useUntil(typingUntil);
  const typingBy = conversation && conversation.typingBy;
  const typingText = typing ? t.typing(typingBy === 'bot' || !typingBy ? botName(t, site) : typingBy) : null;

  const shown = pending.filter(
    (item) => !session || !messages.some((m) => m.providerMessageId === providerId(session.visitorId, item.clientId)),
  );

  let body;
  let chatting = false;
  if (refused) {
    body = (
      <div class="aw-notice" role="alert" data-testid="identity-refused">
        {t.identityRefused}
      </div>
    );
  } else if (failure && !messages.length) {
    body = (
      <div class="aw-notice" role="alert">
        <p>{failure}</p>
        <button type="button" class="aw-primary" onClick={() => identify()}>
          {t.tryAgain}
        </button>
      </div>
    );
  } else if (session === undefined) {
    body = (
      <div class="aw-notice" role="status">
        <span class="aw-spinner" aria-hidden="true" />
        {t.loading}
      </div>
    );
  } else if (!session && site.identityRequired && !(bridge.user() && bridge.user().identifier)) {
    body = (
      <div class="aw-notice" role="status">
        {t.loginRequired}
      </div>
    );
  } else if (leaving ?? (!session && !site.available)) {
    // nobody can answer now: a message for later (the bot still answers in the chat, one tap away)
    body = (
      <OfflineForm
        t={t}
        secondary={{ label: session ? t.backToChat : t.chatWithBot, onClick: () => setLeaving(false) }}
        onSubmit={async ({ clientId, name, email, phone, text }) => {
          setLeaving(true); // the thanks stay on screen once the session exists
          await ensureSession({ name, ...(email ? { email } : {}), ...(phone ? { phone } : {}) });
          const contact = { ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
          await api.leaveMessage({ clientId, name, text, ...contact });
        }}
      />
    );
  } else if (!session && site.preChat) {
    body = <PreChatForm t={t} {...site.preChat} onSubmit={(details) => ensureSession(details)} />;
  } else {
    chatting = true;
    body = (
      <>
        <Messages
          t={t}
          site={site}
          messages={messages}
          pending={shown}
          typing={typingText}
          onChoose={(option) => send({ text: option.title, reply: { id: option.id } })}
          onRetry={(clientId) => deliver(clientId)}
          links={links}
        />
        <Composer t={t} onSend={send} />
      </>
    );
  }

  return (
    <div
      ref={panel}
      class="aw-panel"
      id="aw-panel"
      role="dialog"
      aria-modal="true"
      aria-labelledby="aw-title"
      hidden={!open}
      data-testid="atende-panel"
    >
      <Header t={t} site={site} conversation={conversation} agentName={agentName} onClose={() => bridge.close()} />
      {!online ? (
        <p class="aw-banner" role="status">
          {t.offline}
        </p>
      ) : null}
      {chatting && !site.available ? (
        <p class="aw-banner aw-banner-info">
          {t.unavailable}{' '}
          <button type="button" class="aw-link" onClick={() => setLeaving(true)}>
            {t.leaveLink}
          </button>
        </p>
      ) : null}
      {body}
      <p class="aw-sr" aria-live="polite" aria-atomic="true" data-testid="announcer">
        {announcement}
      </p>
    </div>
  );
}
