// The signed-in user's token: kept in sessionStorage (gone with the tab) and sent as a bearer
// token. In dev mode the API also sets an HttpOnly cookie, which the Uppy example relies on.

const KEY = 'onehop.token';
const USER_KEY = 'onehop.user';

export interface Session {
  token: string;
  user: string;
}

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** The JWT's `sub`, for display only: the API verifies the token, the page never does. */
export function userFromToken(token: string): string | null {
  const payload = token.split('.')[1];
  if (!payload) {
    return null;
  }
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const sub = (JSON.parse(json) as { sub?: unknown }).sub;
    return typeof sub === 'string' ? sub : null;
  } catch {
    return null;
  }
}

export function loadSession(): Session | null {
  const token = storage()?.getItem(KEY);
  if (!token) {
    return null;
  }
  return { token, user: storage()?.getItem(USER_KEY) ?? userFromToken(token) ?? 'API key' };
}

export function saveSession(token: string, user?: string): Session {
  try {
    storage()?.setItem(KEY, token);
    if (user) {
      storage()?.setItem(USER_KEY, user);
    } else {
      storage()?.removeItem(USER_KEY);
    }
  } catch {
    // Denied storage: the session lasts until the page is closed.
  }
  return { token, user: user ?? userFromToken(token) ?? 'API key' };
}

export function clearSession(): void {
  try {
    storage()?.removeItem(KEY);
    storage()?.removeItem(USER_KEY);
  } catch {
    // As above.
  }
}
