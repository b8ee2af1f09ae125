// The integration as the card's tests meet it, in one place, so a field the fragment gains is added once.
// Imported by tests only.
import type { Integration } from './fragments';

/** A workspace's integration: DISCONNECTED unless overrides say otherwise. */
export function integration(overrides: Partial<Integration> = {}): Integration {
  return {
    state: 'DISCONNECTED',
    portalId: null,
    uiDomain: null,
    hubUserEmail: null,
    connectedAt: null,
    enabledAt: null,
    errorReason: null,
    lastConnectError: null,
    health: null,
    options: { allowOutboundSearch: false, requireOutboundMatch: false },
    ...overrides,
  };
}

export const connected = integration({
  state: 'CONNECTED',
  portalId: '12345678',
  uiDomain: 'app.hubspot.com',
  hubUserEmail: 'ada@example.com',
  connectedAt: '2025-01-02T10:00:00Z',
});

export const enabled = integration({ ...connected, state: 'ENABLED', enabledAt: '2025-01-02T10:05:00Z' });
