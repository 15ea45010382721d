// Times and labels as an agent reads them, in the current language.
import i18n from './i18n';
import { millis } from './data/time';

export function ago(value, now = Date.now()) {
  const at = millis(value);
  if (!at) return '';
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d`;
}

export function clock(value) {
  const at = millis(value);
  if (!at) return '';
  return new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'short' }).format(at);
}

export const WINDOW_MS = 24 * 3600 * 1000;
export const HUMAN_AGENT_MS = 7 * 24 * 3600 * 1000;

// Meta's windows (src/atende/domain/window.py): free text for 24 h; then WhatsApp only templates,
// Messenger/Instagram a person's reply tagged HUMAN_AGENT for 7 days.
export function windowState(conversation, now = Date.now()) {
  const last = millis(conversation?.lastInboundAt);
  const age = last ? now - last : Infinity;
  if (conversation?.channel === 'webchat') return { open: true, until: null };
  if (age < WINDOW_MS) return { open: true, until: last + WINDOW_MS };
  if (conversation?.channel === 'whatsapp') return { open: false, templatesOnly: true };
  if (age < HUMAN_AGENT_MS) return { open: true, humanAgent: true, until: last + HUMAN_AGENT_MS };
  return { open: false, templatesOnly: false };
}

// ERP amounts arrive as decimal strings ("89.90"); calendar dates as "YYYY-MM-DD" (no time zone to shift).
export function money(amount) {
  return new Intl.NumberFormat(i18n.language, { style: 'currency', currency: 'BRL' }).format(Number(amount));
}

export function day(isoDate) {
  const [y, m, d] = String(isoDate || '').split('-').map(Number);
  if (!y || !m || !d) return '';
  return new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short' }).format(new Date(y, m - 1, d));
}

// A code the server stores (an intent, a routing reason) as the reader's language names it; a code this
// build does not know yet shows as it is rather than as a missing-key path.
export function named(t, group, code) {
  return t(`${group}.${code}`, { defaultValue: code });
}
