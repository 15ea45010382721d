// What the host page asked for: the snippet's data-* attributes, or `window.AtendeWidget = {...}` set
// before the script (which wins). Read once, synchronously, while document.currentScript is this script.

const LANGUAGES = { pt: 'pt-BR', en: 'en', es: 'es' };

export function language(value) {
  return LANGUAGES[String(value || '').slice(0, 2).toLowerCase()] || null;
}

function ownScript() {
  const current = document.currentScript;
  if (current && current.src) return current;
  return document.querySelector('script[src*="atende-widget"]');
}

export function readSettings() {
  const script = ownScript();
  const data = (script && script.dataset) || {};
  const given = window.AtendeWidget && typeof window.AtendeWidget === 'object' ? window.AtendeWidget : {};
  const pick = (name) => (given[name] !== undefined && given[name] !== null ? given[name] : data[name]);
  const position = pick('position');
  return {
    siteKey: pick('siteKey') || '',
    apiUrl: (pick('apiUrl') || '').replace(/\/+$/, ''),
    color: pick('color') || null,
    position: position === 'left' || position === 'right' ? position : null,
    language: language(pick('language')),
    greeting: pick('greeting') || null,
    user: given.user || null,
    // chunks and config.json live beside the loader, wherever it is served from
    base: script && script.src ? new URL('.', script.src).href : new URL('./', document.baseURI).href,
  };
}
