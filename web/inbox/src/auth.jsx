// Who is signed in, with the role and teams from their token's claims (what the rules and inbox_api trust).
import { createContext, useContext, useEffect, useState } from 'react';
import { onIdTokenChanged, signOut } from 'firebase/auth';
import { current } from './config';

const AuthContext = createContext(null);

export function AuthProvider({ children }) {
  const [state, setState] = useState({ user: null, claims: null, ready: false });
  useEffect(() => {
    const { auth } = current();
    return onIdTokenChanged(auth, async (user) => {
      if (!user) {
        setState({ user: null, claims: null, ready: true });
        return;
      }
      const token = await user.getIdTokenResult();
      setState({
        user: { uid: user.uid, email: user.email, name: user.displayName || token.claims.name || user.email },
        claims: { role: token.claims.role || null, teams: token.claims.teams || [] },
        ready: true,
      });
    });
  }, []);
  return <AuthContext.Provider value={state}>{children}</AuthContext.Provider>;
}

export function useAuth() {
  return useContext(AuthContext);
}

export function leave() {
  return signOut(current().auth);
}
