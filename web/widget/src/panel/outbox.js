// What the visitor sent that the listener has not shown yet, by clientId. Kept in localStorage so a
// reload (or a crash) sends it again with the same clientId, which the server stores once
// (provider id `wc_<visitorId>_<clientId>`); dropped the moment the stored message arrives.

export function providerId(visitorId, clientId) {
  return `wc_${visitorId}_${clientId}`;
}

export function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class Outbox {
  constructor(siteKey, onChange) {
    this.key = `atende:${siteKey}:outbox`;
    this.onChange = onChange;
    this.items = this.load();
  }

  load() {
    try {
      const saved = JSON.parse(localStorage.getItem(this.key) || '[]');
      // a reload interrupted these: they go again; a file never uploaded cannot
      return saved.map((item) => ({ ...item, state: item.attachment || !item.file ? 'pending' : 'failed' }));
    } catch {
      return [];
    }
  }

  save() {
    try {
      const kept = this.items.map(({ preview, file, ...rest }) => ({ ...rest, file: !!file }));
      if (kept.length) localStorage.setItem(this.key, JSON.stringify(kept));
      else localStorage.removeItem(this.key);
    } catch {
      /* private mode: pending messages live only in this page */
    }
    this.onChange([...this.items]);
  }

  add(item) {
    this.items.push(item);
    this.save();
  }

  update(clientId, changes) {
    this.items = this.items.map((item) => (item.clientId === clientId ? { ...item, ...changes } : item));
    this.save();
  }

  /** Drop what the listener now shows; returns whether anything was dropped. */
  settle(storedProviderIds, visitorId) {
    const before = this.items.length;
    this.items = this.items.filter((item) => !storedProviderIds.has(providerId(visitorId, item.clientId)));
    if (this.items.length !== before) this.save();
    return this.items.length !== before;
  }

  get(clientId) {
    return this.items.find((item) => item.clientId === clientId);
  }
}
