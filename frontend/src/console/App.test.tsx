import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { json, mockFetch } from '../testing/mockFetch';
import { App } from './App';

// These tests run the real urql client against a fake network at fetch, so they cover the client setup too.

const staff = [{ id: 'stf_sam', name: 'Sam Agent', email: 'sam@convrs.test', role: 'agent', workspaceId: 'ws_1', workspaceName: 'Acme Support' }];
const me = { data: { me: { __typename: 'Staff', id: 'stf_sam', name: 'Sam Agent', email: 'sam@convrs.test', role: 'AGENT' }, workspace: { __typename: 'Workspace', id: 'ws_1', name: 'Acme Support' } } };

const integrationEnabled = {
  data: {
    hubspotIntegration: {
      __typename: 'HubspotIntegration',
      state: 'ENABLED',
      portalId: '4242',
      errorReason: null,
      options: { __typename: 'HubspotOptions', allowOutboundSearch: true, requireOutboundMatch: false },
    },
  },
};

describe('App', () => {
  it('signs in, tells an agent that only admins configure integrations, and signs out', async () => {
    const user = userEvent.setup();
    window.location.hash = '#/integrations';
    const authorizations: (string | null)[] = [];
    mockFetch({
      'GET /auth/dev/staff': () => json(staff),
      'POST /auth/dev/signin': () => json({ token: 'tok_sam' }),
      'POST /query': async (request) => {
        authorizations.push(request.headers.get('authorization'));
        const body = await request.clone().text();
        return json(body.includes('IntegrationStatus') ? integrationEnabled : me);
      },
    });
    render(<App />);

    await user.click(await screen.findByRole('button', { name: 'Sign in as Sam Agent (agent)' }));
    expect(await screen.findByText(/Only administrators can connect or configure integrations/)).toBeInTheDocument();
    // The agent sees, read-only, that HubSpot is connected and syncing.
    expect(await screen.findByText('HubSpot is connected (portal 4242) and syncing.')).toBeInTheDocument();
    expect(screen.getByText('Sam Agent · Agent')).toBeInTheDocument();
    expect(new Set(authorizations)).toEqual(new Set(['Bearer tok_sam']));
    expect(window.localStorage.getItem('convrs.session')).toBe('tok_sam');

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('button', { name: 'Sign in as Sam Agent (agent)' })).toBeInTheDocument();
    expect(window.localStorage.getItem('convrs.session')).toBeNull();
  });

  it('returns to sign-in when the gateway says the session is no longer valid', async () => {
    window.localStorage.setItem('convrs.session', 'tok_expired');
    window.location.hash = '#/integrations';
    mockFetch({
      'GET /auth/dev/staff': () => json(staff),
      'POST /query': () => json({ data: null, errors: [{ message: 'Sign in again.', extensions: { code: 'EUNAUTHORIZED' } }] }),
    });
    render(<App />);

    expect(await screen.findByText('Your session has ended. Sign in again.')).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Sign in as Sam Agent (agent)' })).toBeInTheDocument();
    expect(window.localStorage.getItem('convrs.session')).toBeNull();
  });

  it('follows a sign-out and a sign-in made in another tab of the same browser', async () => {
    window.localStorage.setItem('convrs.session', 'tok_sam');
    window.location.hash = '#/integrations';
    mockFetch({
      'GET /auth/dev/staff': () => json(staff),
      'POST /query': () => json(me),
    });
    render(<App />);
    expect(await screen.findByText('Sam Agent · Agent')).toBeInTheDocument();

    // The other tab removes the token; the browser tells this tab with a storage event.
    act(() => {
      window.localStorage.removeItem('convrs.session');
      window.dispatchEvent(new StorageEvent('storage', { key: 'convrs.session', newValue: null }));
    });
    expect(await screen.findByText('You signed out in another tab.')).toBeInTheDocument();
    expect(screen.queryByText('Sam Agent · Agent')).not.toBeInTheDocument();

    act(() => {
      window.localStorage.setItem('convrs.session', 'tok_sam');
      window.dispatchEvent(new StorageEvent('storage', { key: 'convrs.session', newValue: 'tok_sam' }));
    });
    expect(await screen.findByText('Sam Agent · Agent')).toBeInTheDocument();
  });
});
