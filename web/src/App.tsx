import { type ApiConfig, createUploader, describeError, type Image, UploadError } from '@onehop/client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import { Gallery } from './Gallery';
import { Announcer, type Announce } from './Announcer';
import { clearSession, loadSession, saveSession, type Session } from './session';
import { SignIn } from './SignIn';
import { UploadPanel } from './UploadPanel';

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const sessionRef = useRef(session);
  sessionRef.current = session;
  // One uploader for the page; it reads the current token on every call.
  const uploader = useMemo(() => createUploader({ getToken: () => sessionRef.current?.token }), []);
  const [config, setConfig] = useState<ApiConfig | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [signInNotice, setSignInNotice] = useState<string | null>(null);
  const [message, setMessage] = useState('');
  const announce: Announce = useCallback((text: string) => setMessage(text), []);

  useEffect(() => {
    uploader.api.config().then(setConfig, (e: unknown) => setConfigError(describeError(e)));
  }, [uploader]);

  const signIn = useCallback((token: string, user?: string) => {
    setSignInNotice(null);
    setSession(saveSession(token, user));
  }, []);

  const signOut = useCallback((notice?: string) => {
    clearSession();
    setSession(null);
    setSignInNotice(notice ?? null);
  }, []);

  // A 401 anywhere means the token expired or was revoked: back to the sign-in form.
  const onAuthError = useCallback(
    (e: unknown) => {
      if (e instanceof UploadError && e.code === 'unauthorized') {
        signOut('Your session expired; sign in again.');
        return true;
      }
      return false;
    },
    [signOut],
  );

  const [uploaded, setUploaded] = useState<Image[]>([]);
  const onUploaded = useCallback((image: Image) => setUploaded((list) => [image, ...list]), []);

  return (
    <div className="app">
      <header className="app-header">
        <h1>onehop</h1>
        {session && (
          <div className="who">
            <span>
              Signed in as <strong data-testid="user-name">{session.user}</strong>
            </span>
            <button type="button" className="secondary" onClick={() => signOut()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <Announcer message={message} />
      <main>
        {configError && (
          <p className="error" role="alert">
            The upload API is not answering: {configError}
          </p>
        )}
        {!config && !configError && <p aria-busy="true">Loading…</p>}
        {config && !session && <SignIn api={uploader.api} devMode={config.devMode} notice={signInNotice} onSignedIn={signIn} />}
        {config && session && (
          <div className="columns">
            <UploadPanel
              key={session.token}
              uploader={uploader}
              config={config}
              announce={announce}
              onUploaded={onUploaded}
              onAuthError={onAuthError}
            />
            <Gallery key={`g-${session.token}`} api={uploader.api} added={uploaded} announce={announce} onAuthError={onAuthError} />
          </div>
        )}
      </main>
      <footer className="app-footer">
        <p>
          Files go from this browser straight to the storage; the API only signs and verifies.{' '}
          <a href="./examples/uppy/">Uppy example</a>
        </p>
      </footer>
    </div>
  );
}
