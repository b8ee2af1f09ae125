import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { isUnauthorized } from './errors';

export interface GraphqlClientOptions {
  /** The session token, read on every request so a new sign-in needs no new client. */
  getToken: () => string | null;
  /** Called when the gateway says the session is missing or expired. */
  onUnauthorized?: () => void;
  /** The GraphQL endpoint, for HTTP and websockets. */
  url?: string;
  fetch?: typeof fetch;
  /** A WebSocket implementation for environments without a global one. */
  webSocketImpl?: unknown;
}

/** Whether the live-update websocket is up; the console shows it, and the e2e tests wait for it. */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting';

export interface Connection {
  getState(): ConnectionState;
  subscribe(listener: () => void): () => void;
}

export interface GraphqlClient {
  client: Client;
  connection: Connection;
  /** Closes the websocket; call when the session ends. */
  dispose(): void;
}

// graphql-ws close codes that mean the connection_init payload was refused.
const unauthorizedCloseCodes = new Set([4401, 4403]);

/** ws: or wss: for the page's own origin, so the websocket follows the page through proxies and TLS. */
export function websocketUrl(url: string, base: string = window.location.href): string {
  const u = new URL(url, base);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

/**
 * The urql client for the gateway: queries and mutations over HTTP with `Authorization: Bearer <token>`,
 * subscriptions over graphql-ws on the same path with the token in the connection_init payload.
 */
export function createGraphqlClient(options: GraphqlClientOptions): GraphqlClient {
  const { getToken, onUnauthorized } = options;
  const url = options.url ?? '/query';

  let state: ConnectionState = 'idle';
  const listeners = new Set<() => void>();
  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    listeners.forEach((listener) => listener());
  };

  const ws: WsClient = createWsClient({
    url: websocketUrl(url),
    webSocketImpl: options.webSocketImpl,
    lazy: true,
    connectionParams: () => {
      const token = getToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    // Keep trying while the page is open (a gateway restart must not end live updates), at most every 10 s.
    retryAttempts: Number.POSITIVE_INFINITY,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries))),
    shouldRetry: (event) => !isCloseEventWith(event, unauthorizedCloseCodes),
    on: {
      connecting: (isRetry) => setState(isRetry ? 'reconnecting' : 'connecting'),
      connected: () => setState('connected'),
      closed: (event) => {
        setState('idle');
        if (isCloseEventWith(event, unauthorizedCloseCodes)) onUnauthorized?.();
      },
    },
  });

  const client = new Client({
    url,
    fetch: options.fetch,
    // The gateway takes queries by POST only.
    preferGetMethod: false,
    fetchOptions: (): RequestInit => {
      const token = getToken();
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      return { headers };
    },
    exchanges: [
      cacheExchange,
      mapExchange({
        onError(error) {
          if (isUnauthorized(error)) onUnauthorized?.();
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return {
    client,
    connection: {
      getState: () => state,
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    dispose: () => void ws.dispose(),
  };
}

function isCloseEventWith(event: unknown, codes: Set<number>): boolean {
  return typeof event === 'object' && event !== null && 'code' in event && codes.has((event as { code: number }).code);
}
