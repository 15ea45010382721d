// The live board's arithmetic, the same rules as src/atende/domain/board.py (which `reports_api`'s
// GET /board runs): the browser computes it from its live listeners, so it moves the moment a
// conversation does. Both run the cases of tests/fixtures/board_cases.json (tests/unit/test_board_rules.py),
// so the two cannot drift apart.
import { millis } from '../data/time.js';

// Since when the customer waits for a person: queued (or handed off) and nobody answered yet.
export function waitingSince(c) {
  const handoffAt = millis(c.handoff?.at);
  if (c.status === 'waiting') return millis(c.waitingSince) || handoffAt;
  const opened = millis(c.openedAt);
  if (c.status === 'in_service' && !c.firstResponseAt && handoffAt && (!opened || handoffAt >= opened)) return handoffAt;
  return null;
}

const byCode = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// How far over its limit a breach is: a 10-minute first answer against 5 outranks 3 hours against 2.
const overrun = (b) => (b.limitS > 0 ? b.waitedS / b.limitS : Infinity);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// `levels`: team id -> { firstResponseS, resolutionS } (seconds; a missing one is not checked).
export function board(conversations, people, levels, now) {
  const waits = new Map();
  const breaches = [];
  conversations.forEach((c) => {
    const team = c.team || '';
    const level = levels[team] || {};
    const since = waitingSince(c);
    if (c.status === 'waiting' && since) {
      const key = `${team}\u0000${c.channel}`;
      waits.set(key, [...(waits.get(key) || []), Math.max(0, (now - since) / 1000)]);
    }
    const opened = millis(c.openedAt);
    if (since && level.firstResponseS != null && (now - since) / 1000 > level.firstResponseS) {
      breaches.push({ conversation: c, kind: 'firstResponse', waitedS: (now - since) / 1000, limitS: level.firstResponseS });
    } else if (level.resolutionS != null && opened && (now - opened) / 1000 > level.resolutionS) {
      breaches.push({ conversation: c, kind: 'resolution', waitedS: (now - opened) / 1000, limitS: level.resolutionS });
    }
  });
  const queues = [...waits.entries()].sort(([a], [b]) => byCode(a, b)).map(([key, w]) => {
    const [team, channel] = key.split('\u0000');
    return { team, channel, waiting: w.length, oldestS: Math.max(...w), medianS: median(w) };
  });
  breaches.sort((a, b) => byCode(overrun(b), overrun(a)));
  const load = people.filter((p) => !p.disabled).map((p) => ({
    uid: p.id, name: p.displayName || p.email || p.id, availability: p.availability || 'away',
    open: p.openCount || 0, capacity: p.capacity || 0, teams: p.teams || [],
  })).sort((a, b) => a.name.localeCompare(b.name, 'pt-BR', { sensitivity: 'base' }) || byCode(a.uid, b.uid));
  return { queues, breaches, people: load };
}

export function duration(seconds) {
  if (seconds == null) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}
