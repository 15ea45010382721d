import { Close } from './icons.jsx';

function initials(name) {
  return (name || 'A')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0].toUpperCase())
    .join('');
}

/** Who answers now: the bot, the queue, a named person, or nobody (offline). */
export function statusLine(t, site, conversation, agentName) {
  switch (conversation && conversation.status) {
    case 'bot':
      return { text: t.botAnswers, tone: 'online' };
    case 'waiting':
      return { text: t.waiting, tone: 'waiting' };
    case 'in_service':
    case 'snoozed':
      return { text: t.inService(conversation.assigneeName || agentName), tone: 'online' };
    case 'resolved':
      return { text: t.resolved, tone: 'idle' };
    default:
      return site.available ? { text: t.botAnswers, tone: 'online' } : { text: t.offlineStatus, tone: 'idle' };
  }
}

export function Header({ t, site, conversation, agentName, onClose }) {
  const status = statusLine(t, site, conversation, agentName);
  const title = site.name || t.title;
  return (
    <header class="aw-header">
      <div class="aw-avatar" aria-hidden="true">
        {site.logoUrl ? <img src={site.logoUrl} alt="" /> : initials(title)}
      </div>
      <div class="aw-heading">
        <h2 id="aw-title">{title}</h2>
        <p class="aw-status" data-testid="who-answers" data-tone={status.tone}>
          <span class="aw-dot" aria-hidden="true" />
          {status.text}
        </p>
      </div>
      <button type="button" class="aw-icon-button" aria-label={t.close} onClick={onClose}>
        <Close />
      </button>
    </header>
  );
}
