import { useCallback, useEffect, useState } from 'react';
import { Provider } from 'urql';
import { clearToken, createGraphqlClient, readToken, subscribeToken, writeToken, type GraphqlClient } from '../shared/api';
import { SignInPage } from './auth/SignInPage';
import { Shell } from './Shell';

/** The demo host app: sign-in, then the console with its own GraphQL client for the session. */
export function App() {
  const [token, setToken] = useState<string | null>(readToken);
  const [notice, setNotice] = useState<string | null>(null);
  const [session, setSession] = useState<GraphqlClient | null>(null);

  const signOut = useCallback((message: string | null) => {
    clearToken();
    setToken(null);
    setNotice(message);
  }, []);

  // Another tab of this browser signed in or out: follow it, so all tabs share one session.
  useEffect(
    () =>
      subscribeToken((next) => {
        setToken(next);
        if (!next) setNotice('You signed out in another tab.');
      }),
    [],
  );

  // One client per session: signing out drops its cache and closes its websocket.
  useEffect(() => {
    if (!token) {
      setSession(null);
      return;
    }
    const next = createGraphqlClient({
      getToken: () => token,
      onUnauthorized: () => signOut('Your session has ended. Sign in again.'),
    });
    setSession(next);
    return () => next.dispose();
  }, [token, signOut]);

  if (!token) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(next) => {
          writeToken(next);
          setNotice(null);
          setToken(next);
        }}
      />
    );
  }
  if (!session) return null;
  return (
    <Provider value={session.client}>
      <Shell connection={session.connection} onSignOut={() => signOut(null)} />
    </Provider>
  );
}
