// The panel chunk: Preact UI + Firebase, import()ed by the loader. `mount` renders into the loader's
// shadow root and hands back what the loader drives (visibility, the host page's user).
import { render } from 'preact';
import css from './panel.css?inline';
import { App } from './App.jsx';
import { webchatApi } from './api.js';
import { firebaseFor } from './firebase.js';
import { watchConversation } from './live.js';
import { siteView } from './site.js';
import { STRINGS } from './strings.js';

export async function mount(bridge) {
  const config = await bridge.config;
  if (!config.apiUrl) throw new Error('no API URL: set data-api-url on the snippet');
  const services = firebaseFor(bridge.settings.siteKey, config);
  const api = webchatApi(config.apiUrl, bridge.settings.siteKey, services.auth);
  const site = siteView(await bridge.site.catch(() => null), bridge.settings);
  const t = STRINGS[bridge.language()] || STRINGS['pt-BR'];
  const controls = { visibility: () => {}, userChanged: () => {} };
  const style = document.createElement('style');
  style.textContent = css;
  const root = document.createElement('div');
  bridge.slot.replaceChildren(style, root);
  render(<App bridge={bridge} services={services} api={api} t={t} site={site} controls={controls} />, root);
  return {
    visibility: (open) => controls.visibility(open),
    userChanged: () => controls.userChanged(),
  };
}

// The widget's own Firebase and its one query, for the browser tests' rules probe: run in a visitor's
// page against another visitor's conversation, they must be refused (tests/browser/test_widget.py).
export { firebaseFor, watchConversation };
