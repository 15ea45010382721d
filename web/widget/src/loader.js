// The snippet's script: reads the settings, draws the launcher in a shadow root at once, exposes
// window.AtendeWidget, and import()s the panel (Preact + Firebase) on first open, or in the background
// when this browser had a conversation recently (to count unread replies on the launcher).
// A classic script with no Firebase in it; nothing here may throw into the host page.
import css from './loader/launcher.css?inline';
import { palette } from './loader/colors.js';
import { language, readSettings } from './loader/settings.js';
import { LAUNCHER } from './loader/strings.js';

const PANEL = '__ATENDE_PANEL__'; // the panel chunk's file name, written in by the build (vite.config.js)
const RECENT_MS = 7 * 24 * 3600 * 1000;
const ICON_CHAT =
  '<svg class="aw-icon-chat" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor"><path d="M12 3C6.5 3 2 6.8 2 11.5c0 2.4 1.2 4.6 3.1 6.1-.1 1.3-.6 2.6-1.5 3.6-.2.2 0 .6.3.6 2 0 3.7-.8 4.8-1.7 1 .3 2.1.4 3.3.4 5.5 0 10-3.8 10-8.5S17.5 3 12 3Z"/></svg>';
const ICON_CLOSE =
  '<svg class="aw-icon-close" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"><path d="M6 6l12 12M18 6 6 18"/></svg>';

function log(error) {
  try {
    console.error('[Atende widget]', error);
  } catch {
    /* a console that throws is the page's business */
  }
}

function safe(fn) {
  return (...args) => {
    try {
      const result = fn(...args);
      if (result && typeof result.catch === 'function') result.catch(log);
    } catch (error) {
      log(error);
    }
  };
}

function storageKey(siteKey) {
  return `atende:${siteKey}:lastActive`;
}

function recentlyActive(siteKey) {
  try {
    const at = Number(localStorage.getItem(storageKey(siteKey)) || 0);
    return at > 0 && Date.now() - at < RECENT_MS;
  } catch {
    return false;
  }
}

function start() {
  const settings = readSettings();
  if (!settings.siteKey) {
    log('data-site-key is missing on the snippet: the widget stays hidden');
    return;
  }
  const listeners = {};
  const state = { open: false, panel: null, user: settings.user, site: null };
  let lang = settings.language || 'pt-BR';

  const host = document.createElement('atende-widget');
  const shadow = host.attachShadow({ mode: 'open' });
  shadow.innerHTML =
    `<style>${css}</style><div class="aw-root"><div class="aw-panel-slot"></div>` +
    `<button type="button" class="aw-launcher" aria-expanded="false" aria-haspopup="dialog">` +
    `${ICON_CHAT}${ICON_CLOSE}<span class="aw-badge" hidden aria-hidden="true"></span></button></div>`;
  const root = shadow.querySelector('.aw-root');
  const slot = shadow.querySelector('.aw-panel-slot');
  const launcher = shadow.querySelector('.aw-launcher');
  const badge = shadow.querySelector('.aw-badge');
  let unread = 0;

  function paint(appearance) {
    const { accent, onAccent } = palette(settings.color || appearance.primaryColor);
    root.style.setProperty('--aw-accent', accent);
    root.style.setProperty('--aw-on-accent', onAccent);
    root.dataset.position = settings.position || (appearance.position === 'left' ? 'left' : 'right');
    lang = settings.language || language(appearance.language) || 'pt-BR';
    labelLauncher();
  }

  function labelLauncher() {
    const words = LAUNCHER[lang];
    const label = state.open ? words.close : words.open;
    launcher.setAttribute('aria-label', unread && !state.open ? `${label} (${words.unread(unread)})` : label);
  }

  function setUnread(n) {
    unread = state.open ? 0 : n;
    badge.hidden = !unread;
    badge.textContent = unread > 9 ? '9+' : String(unread);
    labelLauncher();
  }

  function emit(event, payload) {
    for (const fn of listeners[event] || []) {
      try {
        fn(payload);
      } catch (error) {
        log(error);
      }
    }
  }

  const config = fetch(`${settings.base}config.json`, { credentials: 'omit' })
    .then((r) => (r.ok ? r.json() : {}))
    .catch(() => ({}))
    .then((c) => ({ ...c, apiUrl: settings.apiUrl || c.apiUrl || '' }));
  const site = config.then(async ({ apiUrl }) => {
    const r = await fetch(`${apiUrl}/sites/${encodeURIComponent(settings.siteKey)}`, { credentials: 'omit' });
    if (!r.ok) throw new Error(`GET /sites/${settings.siteKey}: HTTP ${r.status}`);
    const body = await r.json();
    state.site = body;
    paint(body.appearance || body);
    return body;
  });
  site.catch(log);

  const bridge = {
    settings,
    config,
    site,
    slot,
    launcher,
    language: () => lang,
    isOpen: () => state.open,
    user: () => state.user,
    close: () => setOpen(false),
    emit,
    setUnread,
    touch: () => {
      try {
        localStorage.setItem(storageKey(settings.siteKey), String(Date.now()));
      } catch {
        /* private mode: no background listener next time, that is all */
      }
    },
    forget: () => {
      try {
        localStorage.removeItem(storageKey(settings.siteKey));
      } catch {
        /* idem */
      }
    },
  };

  function loadPanel() {
    if (!state.panel) {
      root.toggleAttribute('data-loading', true);
      state.panel = import(/* @vite-ignore */ new URL(PANEL, settings.base).href)
        .then((module) => module.mount(bridge))
        .finally(() => root.removeAttribute('data-loading'));
      state.panel.catch((error) => {
        state.panel = null;
        log(error);
      });
    }
    return state.panel;
  }

  async function setOpen(open) {
    if (open === state.open) return;
    state.open = open;
    root.toggleAttribute('data-open', open);
    launcher.setAttribute('aria-expanded', String(open));
    if (open) setUnread(0);
    labelLauncher();
    emit(open ? 'open' : 'close');
    let panel;
    try {
      panel = open ? await loadPanel() : state.panel && (await state.panel);
    } catch (error) {
      setOpen(false); // the chat could not load (logged): the launcher must not look open
      throw error;
    }
    if (panel && state.open === open) panel.visibility(open);
    if (!open) launcher.focus();
  }

  launcher.addEventListener('click', safe(() => setOpen(!state.open)));

  window.AtendeWidget = {
    open: safe(() => setOpen(true)),
    close: safe(() => setOpen(false)),
    toggle: safe(() => setOpen(!state.open)),
    setUser: safe((user) => {
      state.user = user || null;
      if (state.panel) return state.panel.then((panel) => panel.userChanged());
      return undefined;
    }),
    on: safe((event, fn) => {
      if (typeof fn === 'function') (listeners[event] = listeners[event] || []).push(fn);
    }),
    off: safe((event, fn) => {
      listeners[event] = (listeners[event] || []).filter((f) => f !== fn);
    }),
    version: '1',
  };

  paint({});
  const attach = () => document.body.appendChild(host);
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', safe(attach));
  if (recentlyActive(settings.siteKey)) {
    const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 200));
    idle(() => loadPanel());
  }
}

try {
  if (!(window.AtendeWidget && window.AtendeWidget.version)) start();
} catch (error) {
  log(error);
}
