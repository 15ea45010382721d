import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { choices, millis } from './live.js';
import { Alert, Clock, FileIcon, Tick } from './icons.jsx';
import { mediaOf } from './links.js';

const URL_PATTERN = /(https?:\/\/[^\s<]+[^\s<.,;:!?)\]'"])/g;

function Linked({ text }) {
  const parts = String(text || '').split(URL_PATTERN);
  return parts.map((part, i) =>
    i % 2 ? (
      <a href={part} target="_blank" rel="noopener noreferrer">
        {part}
      </a>
    ) : (
      part
    ),
  );
}

function time(ms) {
  return ms ? new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
}

function Attachment({ t, url, mimeType, name, onError }) {
  if (!url) return null;
  if (String(mimeType || '').startsWith('image/')) {
    return (
      <a class="aw-image" href={url} target="_blank" rel="noopener noreferrer">
        <img src={url} alt={name || t.image} loading="lazy" onError={onError} />
      </a>
    );
  }
  return (
    <a class="aw-file" href={url} target="_blank" rel="noopener noreferrer" aria-label={`${t.openDocument}: ${name || t.document}`}>
      <FileIcon />
      <span>{name || t.document}</span>
    </a>
  );
}

function Ticks({ t, status }) {
  if (status === 'read') {
    return (
      <span class="aw-ticks" data-state="read" title={t.read} aria-label={t.read}>
        <Tick double />
      </span>
    );
  }
  return (
    <span class="aw-ticks" data-state="stored" title={t.stored} aria-label={t.stored}>
      <Tick />
    </span>
  );
}

/** The bot speaks as the site (its name, else its title): the greeting, the replies and "typing" alike. */
export function botName(t, site) {
  return site.name || t.bot;
}

export function senderName(t, site, message) {
  if (message.direction !== 'outbound') return t.you;
  if (message.senderType === 'agent') return message.authorName || t.agent;
  return botName(t, site);
}

function Stored({ t, site, message, showChoices, onChoose, fresh, onBroken }) {
  const own = message.direction !== 'outbound';
  const options = own ? [] : choices(message.content);
  const media = mediaOf(message);
  if (fresh) media.url = fresh;
  const text = message.text;
  return (
    <li class="aw-row" data-side={own ? 'visitor' : 'business'} data-message-id={message.id} data-status={message.status}>
      {!own ? <span class="aw-sender">{senderName(t, site, message)}</span> : null}
      <div class="aw-bubble">
        <Attachment t={t} {...media} onError={(event) => onBroken(message.id, event.currentTarget.src)} />
        {text ? (
          <p class="aw-text">
            <Linked text={text} />
          </p>
        ) : null}
      </div>
      {options.length ? (
        <div class="aw-choices" role="group" aria-label={t.options}>
          {options.map((option) => (
            <button type="button" class="aw-choice" disabled={!showChoices} onClick={() => onChoose(option)}>
              {option.title}
              {option.description ? <small>{option.description}</small> : null}
            </button>
          ))}
        </div>
      ) : null}
      <span class="aw-meta">
        {time(millis(message.createdAt || message.timestamp))}
        {own ? <Ticks t={t} status={message.status} /> : null}
      </span>
    </li>
  );
}

function Pending({ t, item, onRetry }) {
  const failed = item.state === 'failed';
  return (
    <li class="aw-row" data-side="visitor" data-client-id={item.clientId} data-pending={failed ? 'failed' : 'sending'}>
      <div class="aw-bubble">
        {item.preview ? <Attachment t={t} url={item.preview} mimeType={item.mimeType} name={item.name} /> : null}
        {!item.preview && item.name ? <p class="aw-text aw-filename">{item.name}</p> : null}
        {item.text ? (
          <p class="aw-text">
            <Linked text={item.text} />
          </p>
        ) : null}
      </div>
      <span class="aw-meta">
        {failed ? (
          <span class="aw-failed" role="alert">
            <Alert /> {item.error || t.notSent}{' '}
            <button type="button" class="aw-link" onClick={() => onRetry(item.clientId)}>
              {t.retry}
            </button>
          </span>
        ) : (
          <span class="aw-ticks" data-state="pending" aria-label={t.sending} title={t.sending}>
            <Clock />
          </span>
        )}
      </span>
    </li>
  );
}

export function Messages({ t, site, messages, pending, typing, onChoose, onRetry, links }) {
  const list = useRef(null);
  const pinned = useRef(true);
  const lastReply = [...messages].reverse().find((m) => m.direction === 'outbound');
  const lastIndex = lastReply ? messages.lastIndexOf(lastReply) : -1;
  const answeredAfter = messages.slice(lastIndex + 1).some((m) => m.direction !== 'outbound') || pending.length > 0;

  function onScroll() {
    const el = list.current;
    pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  }

  useLayoutEffect(() => {
    const el = list.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [messages.length, pending.length, typing]);

  useEffect(() => {
    pinned.current = true; // what the visitor sends always scrolls into view
  }, [pending.length]);

  return (
    <div class="aw-scroll" ref={list} onScroll={onScroll} tabIndex={0} aria-label={t.messages} role="region">
      <ol class="aw-list">
        <li class="aw-row" data-side="business" data-greeting="">
          <span class="aw-sender">{botName(t, site)}</span>
          <div class="aw-bubble">
            <p class="aw-text">{site.greeting || t.greeting}</p>
          </div>
        </li>
        {messages.map((message, i) => (
          <Stored
            key={message.id}
            t={t}
            site={site}
            message={message}
            showChoices={i === lastIndex && !answeredAfter}
            onChoose={onChoose}
            fresh={links.links[message.id]}
            onBroken={links.broken}
          />
        ))}
        {pending.map((item) => (
          <Pending key={item.clientId} t={t} item={item} onRetry={onRetry} />
        ))}
      </ol>
      {typing ? (
        <div class="aw-typing" data-testid="typing">
          <span class="aw-dots" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
          {typing}
        </div>
      ) : null}
    </div>
  );
}
