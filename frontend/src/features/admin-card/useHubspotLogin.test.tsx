import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMockClient, MockProvider, variablesOf } from '../../testing/mockClient';
import { useHubspotLogin } from './useHubspotLogin';

const startLink = 'http://localhost:8080/oauth/hubspot/start?state=abc123';

function fakeTab() {
  return { closed: false, opener: {} as unknown, location: { href: '' }, close: vi.fn() };
}

function renderLogin(url: string) {
  const mock = createMockClient({ ConnectHubspot: () => ({ data: { connectHubspot: { url, expiresAt: '2030-01-01T00:00:00Z' } } }) });
  const wrapper = ({ children }: { children: ReactNode }) => <MockProvider client={mock.client}>{children}</MockProvider>;
  return { ...renderHook(() => useHubspotLogin(), { wrapper }), mock };
}

afterEach(() => vi.restoreAllMocks());

describe('useHubspotLogin', () => {
  it('opens the start link from connectHubspot in the new tab, without a way back to this page', async () => {
    const tab = fakeTab();
    const open = vi.spyOn(window, 'open').mockReturnValue(tab as unknown as Window);
    const { result, mock } = renderLogin(startLink);
    await act(() => result.current.login());
    expect(variablesOf(mock.executeMutation, 'ConnectHubspot')).toHaveLength(1);
    expect(open).toHaveBeenCalledWith('', '_blank');
    expect(tab.location.href).toBe(startLink);
    expect(tab.opener).toBeNull();
    expect(result.current.started).toBe(true);
  });

  it('offers the start link when the browser blocked the tab', async () => {
    vi.spyOn(window, 'open').mockReturnValue(null);
    const { result } = renderLogin(startLink);
    await act(() => result.current.login());
    expect(result.current.blockedUrl).toBe(startLink);
  });

  it('never points the tab at anything but a web link', async () => {
    const tab = fakeTab();
    vi.spyOn(window, 'open').mockReturnValue(tab as unknown as Window);
    const { result } = renderLogin('javascript:alert(document.domain)');
    await act(() => result.current.login());
    expect(tab.location.href).toBe('');
    expect(tab.close).toHaveBeenCalled();
    expect(result.current.blockedUrl).toBeNull();
    expect(result.current.started).toBe(false);
  });
});
