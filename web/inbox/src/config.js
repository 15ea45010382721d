// Runtime configuration: one build serves dev, tests and production; `/config.json` says where it runs.
import { initializeApp } from 'firebase/app';
import { connectAuthEmulator, getAuth } from 'firebase/auth';
import { connectFirestoreEmulator, initializeFirestore } from 'firebase/firestore';

let services = null;

export async function loadServices() {
  if (services) return services;
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = await response.json();
  const app = initializeApp(config.firebase);
  const auth = getAuth(app);
  const db = initializeFirestore(app, {});
  if (config.emulators?.auth) connectAuthEmulator(auth, config.emulators.auth, { disableWarnings: true });
  if (config.emulators?.firestore) {
    connectFirestoreEmulator(db, config.emulators.firestore.host, config.emulators.firestore.port);
  }
  services = { app, auth, db, apiBase: config.apiBase, locale: config.locale || 'pt-BR' };
  return services;
}

export function current() {
  return services;
}
