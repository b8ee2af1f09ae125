// The staff session token lives in localStorage, so every tab of the browser shares one demo session: signing
// in or out in one tab does the same in the others (the storage event tells them).
const key = 'convrs.session';

export function readToken(): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeToken(token: string): void {
  window.localStorage.setItem(key, token);
}

export function clearToken(): void {
  window.localStorage.removeItem(key);
}

/** Calls onChange with the new token (or null) whenever another tab signs in or out. */
export function subscribeToken(onChange: (token: string | null) => void): () => void {
  const listener = (e: StorageEvent) => {
    if (e.key === key || e.key === null) onChange(readToken());
  };
  window.addEventListener('storage', listener);
  return () => window.removeEventListener('storage', listener);
}
