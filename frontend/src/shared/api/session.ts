// The staff session token lives in sessionStorage: it survives a reload but not the closing of the tab.
const key = 'convrs.session';

export function readToken(): string | null {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeToken(token: string): void {
  window.sessionStorage.setItem(key, token);
}

export function clearToken(): void {
  window.sessionStorage.removeItem(key);
}
