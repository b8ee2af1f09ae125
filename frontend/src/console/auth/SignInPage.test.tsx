import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { json, mockFetch } from '../../testing/mockFetch';
import { SignInPage } from './SignInPage';

const staff = [
  { id: 'stf_ada', name: 'Ada Admin', email: 'ada@convrs.test', role: 'admin', workspaceId: 'ws_1', workspaceName: 'Acme Support' },
  { id: 'stf_sam', name: 'Sam Agent', email: 'sam@convrs.test', role: 'agent', workspaceId: 'ws_1', workspaceName: 'Acme Support' },
];

describe('SignInPage', () => {
  it('lists the demo staff and signs in as the one chosen', async () => {
    const user = userEvent.setup();
    const fetch = mockFetch({
      'GET /auth/dev/staff': () => json(staff),
      'POST /auth/dev/signin': () => json({ token: 'tok_sam' }),
    });
    const onSignedIn = vi.fn();
    render(<SignInPage onSignedIn={onSignedIn} />);

    expect(await screen.findByRole('button', { name: 'Sign in as Ada Admin (admin)' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Sign in as Sam Agent (agent)' }));

    expect(onSignedIn).toHaveBeenCalledWith('tok_sam');
    const signin = fetch.mock.calls.find(([url]) => String(url).endsWith('/auth/dev/signin'));
    expect(JSON.parse(String(signin?.[1]?.body))).toEqual({ staffId: 'stf_sam' });
  });

  it('says so when demo sign-in is turned off (production mode)', async () => {
    mockFetch({ 'GET /auth/dev/staff': () => new Response('404 page not found', { status: 404 }) });
    render(<SignInPage onSignedIn={vi.fn()} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Demo sign-in is turned off on this server.');
  });

  it('shows why signing in failed', async () => {
    const user = userEvent.setup();
    mockFetch({
      'GET /auth/dev/staff': () => json(staff),
      'POST /auth/dev/signin': () => json({ message: 'No such staff member.' }, 400),
    });
    const onSignedIn = vi.fn();
    render(<SignInPage onSignedIn={onSignedIn} />);
    await user.click(await screen.findByRole('button', { name: 'Sign in as Ada Admin (admin)' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('No such staff member.');
    expect(onSignedIn).not.toHaveBeenCalled();
  });
});
