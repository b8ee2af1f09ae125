import { describe, expect, it, vi } from 'vitest';
import { gql } from '@urql/core';
import { createGraphqlClient, websocketUrl } from './client';

const MeQuery = gql<{ me: { id: string } }>`
  query ClientTestMe {
    me {
      id
    }
  }
`;

function fakeFetch(body: unknown, status = 200) {
  return vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
}

describe('createGraphqlClient', () => {
  it('POSTs queries with the session token as a bearer token', async () => {
    const fetch = fakeFetch({ data: { me: { id: 'stf_1' } } });
    const { client } = createGraphqlClient({ getToken: () => 'tok_1', url: 'http://gateway.test/query', fetch });
    const result = await client.query(MeQuery, {}).toPromise();
    expect(result.data?.me.id).toBe('stf_1');
    const [url, init] = fetch.mock.calls[0];
    expect(String(url)).toBe('http://gateway.test/query');
    expect(init?.method).toBe('POST');
    expect(new Headers(init?.headers).get('authorization')).toBe('Bearer tok_1');
  });

  it('reports EUNAUTHORIZED errors and HTTP 401s as a lost session', async () => {
    const onUnauthorized = vi.fn();
    const gateway = createGraphqlClient({
      getToken: () => 'tok_1',
      url: 'http://gateway.test/query',
      onUnauthorized,
      fetch: fakeFetch({ data: null, errors: [{ message: 'Sign in again.', extensions: { code: 'EUNAUTHORIZED' } }] }),
    });
    await gateway.client.query(MeQuery, {}).toPromise();
    expect(onUnauthorized).toHaveBeenCalledTimes(1);

    const http401 = createGraphqlClient({ getToken: () => null, url: 'http://gateway.test/query', onUnauthorized, fetch: fakeFetch({ message: 'no session' }, 401) });
    await http401.client.query(MeQuery, {}).toPromise();
    expect(onUnauthorized).toHaveBeenCalledTimes(2);
  });

  it('does not sign out on other errors', async () => {
    const onUnauthorized = vi.fn();
    const { client } = createGraphqlClient({
      getToken: () => 'tok_1',
      url: 'http://gateway.test/query',
      onUnauthorized,
      fetch: fakeFetch({ data: null, errors: [{ message: 'Only admins.', extensions: { code: 'EFORBIDDEN' } }] }),
    });
    const result = await client.query(MeQuery, {}).toPromise();
    expect(result.error?.graphQLErrors[0].message).toBe('Only admins.');
    expect(onUnauthorized).not.toHaveBeenCalled();
  });
});

describe('websocketUrl', () => {
  it('follows the page: ws for http, wss for https', () => {
    expect(websocketUrl('/query', 'http://localhost:5173/#/chat')).toBe('ws://localhost:5173/query');
    expect(websocketUrl('/query', 'https://convrs.example.com/app')).toBe('wss://convrs.example.com/query');
  });
});
