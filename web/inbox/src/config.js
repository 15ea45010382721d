// Runtime configuration: one build serves dev, tests and production; `/config.json` says where it runs.
// Only Auth loads at sign-in; Firestore is initialised by the inbox's own chunk (data/firestore.js).
import { initializeApp } from 'firebase/app';
import { connectAuthEmulator, getAuth } from 'firebase/auth';

let services = null;

export async function loadServices() {
  if (services) return services;
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = await response.json();
  const app = initializeApp(config.firebase);
  const auth = getAuth(app);
  if (config.emulators?.auth) connectAuthEmulator(auth, config.emulators.auth, { disableWarnings: true });
  services = {
    app,
    auth,
    emulators: config.emulators || {},
    apiBase: config.apiBase,
    // The console's two functions (docs/reports.md, docs/console.md), next to inbox_api.
    apiBases: {
      inbox: config.apiBase,
      reports: config.reportsApi || config.apiBase?.replace(/inbox_api$/, 'reports_api'),
      console: config.consoleApi || config.apiBase?.replace(/inbox_api$/, 'console_api'),
    },
    locale: config.locale || 'pt-BR',
    // The web-chat loader's address, for the console's install snippet (docs/webchat-install.md).
    widgetScript: config.widgetScript || null,
  };
  return services;
}

export function current() {
  return services;
}
