import type { ReactNode } from 'react';
import { Banner } from '../../shared/ui';
import type { Integration } from './fragments';

function connectedAs(integration: Integration) {
  return `Connected to HubSpot as ${integration.hubUserEmail ?? 'an unknown user'} · Portal ${integration.portalId ?? 'unknown'}`;
}

/** The connection status: yellow when connected but not syncing, green when syncing, red when broken. */
export function StatusBanner({ integration, reconnect }: { integration: Integration; reconnect: ReactNode }) {
  switch (integration.state) {
    case 'CONNECTED':
      return (
        <Banner tone="yellow" title={connectedAs(integration)}>
          Syncing is not active yet. Press <strong>Enable</strong> at the bottom of this card to start writing
          transcripts to HubSpot.
        </Banner>
      );
    case 'ENABLED':
      return (
        <Banner tone="green" title="Syncing is active">
          {connectedAs(integration)}. Every closed conversation is written to HubSpot as a Note, and agents see
          the HubSpot contact in the User Details panel.
        </Banner>
      );
    case 'ERROR':
      return (
        <Banner tone="red" title="HubSpot connection needs attention" actions={reconnect}>
          <p>{integration.errorReason ?? 'HubSpot refused the stored access.'}</p>
          <p>Reconnect to sign in to HubSpot again; your options are kept.</p>
        </Banner>
      );
    default:
      return null;
  }
}
