import { useSyncExternalStore } from 'react';

// The console routes on the URL's hash (#/chat/123) so the gateway only has to serve one index.html.

function subscribe(onChange: () => void) {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function currentPath(): string {
  return window.location.hash.replace(/^#/, '') || '/';
}

export function navigate(path: string): void {
  window.location.hash = path;
}

/** The current route, e.g. "/chat/123". */
export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

export function href(path: string): string {
  return `#${path}`;
}
