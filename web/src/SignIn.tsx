import { type ApiClient, describeError } from '@onehop/client';
import { type FormEvent, useId, useState } from 'react';

interface Props {
  api: ApiClient;
  devMode: boolean;
  notice: string | null;
  onSignedIn: (token: string, user?: string) => void;
}

/** Dev mode: pick any user name and get a dev token. Otherwise: paste a token from your app. */
export function SignIn({ api, devMode, notice, onSignedIn }: Props) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const errorId = useId();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const trimmed = value.trim();
    if (!trimmed) {
      setError(devMode ? 'Enter a user name.' : 'Paste a token.');
      return;
    }
    if (!devMode) {
      onSignedIn(trimmed);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await api.devToken(trimmed);
      onSignedIn(res.token, res.user);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card sign-in" aria-labelledby={`${inputId}-h`}>
      <h2 id={`${inputId}-h`}>Sign in</h2>
      {notice && <p className="notice">{notice}</p>}
      <form onSubmit={submit} data-testid="sign-in-form" noValidate>
        <label htmlFor={inputId}>{devMode ? 'User name' : 'Access token'}</label>
        {devMode ? (
          <input
            id={inputId}
            name="user"
            autoComplete="username"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            aria-invalid={error !== null}
            aria-describedby={`${errorId} ${inputId}-hint`}
            data-testid="user-input"
          />
        ) : (
          <textarea
            id={inputId}
            name="token"
            rows={3}
            spellCheck={false}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            aria-invalid={error !== null}
            aria-describedby={`${errorId} ${inputId}-hint`}
            data-testid="token-input"
          />
        )}
        <p id={`${inputId}-hint`} className="hint">
          {devMode
            ? 'Development mode: any name works and gets its own images.'
            : 'A JWT from your application (or an API key); it stays in this tab only.'}
        </p>
        <p id={errorId} className="error" role="alert">
          {error}
        </p>
        <button type="submit" disabled={busy} data-testid="sign-in-button">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
