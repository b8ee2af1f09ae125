import { vi } from 'vitest';
import { unhandledOperations } from './mockClient';

export type Route = (request: Request) => Response | Promise<Response>;

/**
 * Replaces the global fetch with routes keyed by "METHOD /path"; any other request fails the test (it is
 * reported after the test by setup.ts, as unhandled GraphQL operations are).
 */
export function mockFetch(routes: Record<string, Route>) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(new URL(input instanceof Request ? input.url : String(input), window.location.href), init);
    const key = `${request.method} ${new URL(request.url).pathname}`;
    const route = routes[key];
    if (!route) {
      unhandledOperations.push(`fetch ${key}`);
      throw new TypeError(`mock fetch: unhandled ${key}`);
    }
    return route(request);
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
