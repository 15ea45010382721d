// The panel's Firebase: its own named app (never the host page's), Auth kept in IndexedDB so a reload
// or a second tab is the same visitor, Firestore for the live listeners; the emulators when config.json
// says so (the dev stack and the tests).
import { getApp, getApps, initializeApp } from 'firebase/app';
import { connectAuthEmulator, indexedDBLocalPersistence, initializeAuth } from 'firebase/auth';
import { connectFirestoreEmulator, initializeFirestore } from 'firebase/firestore';

export function firebaseFor(siteKey, config) {
  const name = `atende-widget-${siteKey}`;
  if (getApps().some((app) => app.name === name)) {
    const app = getApp(name);
    return { app, auth: app._atendeAuth, db: app._atendeDb };
  }
  if (!config.firebase || !config.firebase.projectId) throw new Error('config.json has no firebase settings');
  const app = initializeApp(config.firebase, name);
  const auth = initializeAuth(app, { persistence: indexedDBLocalPersistence });
  const db = initializeFirestore(app, {});
  const emulators = config.emulators || {};
  if (emulators.auth) connectAuthEmulator(auth, emulators.auth, { disableWarnings: true });
  if (emulators.firestore) connectFirestoreEmulator(db, emulators.firestore.host, emulators.firestore.port);
  app._atendeAuth = auth;
  app._atendeDb = db;
  return { app, auth, db };
}
