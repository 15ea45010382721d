// Who the visitor is: the persisted Firebase user when it is this site's and the same person the host
// page names (setUser), otherwise a new session from POST /session and signInWithCustomToken.
import { signInWithCustomToken, signOut } from 'firebase/auth';

function identityKey(siteKey) {
  return `atende:${siteKey}:identity`;
}

function remembered(siteKey) {
  try {
    return localStorage.getItem(identityKey(siteKey)) || '';
  } catch {
    return '';
  }
}

function remember(siteKey, identifier) {
  try {
    if (identifier) localStorage.setItem(identityKey(siteKey), identifier);
    else localStorage.removeItem(identityKey(siteKey));
  } catch {
    /* private mode: the next load asks the server again, which answers the same visitor */
  }
}

function fromClaims(claims) {
  return { visitorId: claims.visitorId, conversationId: claims.conversationId, verified: !!claims.verified };
}

/** The current session if one fits `user`, or null (nothing asked of the server). */
export async function existingSession(auth, siteKey, user) {
  await auth.authStateReady();
  const current = auth.currentUser;
  if (!current) return null;
  const { claims } = await current.getIdTokenResult();
  const wanted = user && user.identifier ? String(user.identifier) : '';
  if (claims.site !== siteKey || !claims.conversationId) return null;
  if (wanted ? claims.verified && remembered(siteKey) === wanted : !claims.verified) return fromClaims(claims);
  return null;
}

/** A new (or resumed) session from the server; a refused identity throws the 403. */
export async function newSession(auth, api, siteKey, user, details) {
  const wanted = user && user.identifier ? String(user.identifier) : '';
  const body = { siteKey, ...details };
  if (wanted) {
    Object.assign(body, { identifier: wanted, identifierHash: user.identifierHash || '' });
    if (user.name) body.name = user.name;
    if (user.email) body.email = user.email;
    if (user.phone) body.phone = user.phone;
  }
  const answer = await api.session(body);
  await signInWithCustomToken(auth, answer.token);
  remember(siteKey, wanted);
  return { visitorId: answer.visitorId, conversationId: answer.conversationId, verified: !!answer.verified };
}

/** The host page's user logged out: the next person at this browser must not see the conversation. */
export async function endSession(auth, siteKey) {
  remember(siteKey, '');
  if (auth.currentUser) await signOut(auth);
}
