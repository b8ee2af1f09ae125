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
          Syncing is not active yet: nothing is written to HubSpot. Press <strong>Enable</strong> at the bottom of this
          card to start writing the transcript of each conversation that closes to HubSpot.
        </Banner>
      );
    case 'ENABLED':
      return (
        <Banner tone="green" title="Syncing is active">
          <p>
            {connectedAs(integration)}. Each conversation that closes is written as a Note with its transcript on the
            customer&apos;s HubSpot contact (found by CRM link, email or phone, or created; anonymous visitors are
            skipped). Sync activity below shows each one.
          </p>
          <p>
            Agents see the HubSpot contact in the User Details panel
            {integration.options.allowOutboundSearch ? ' and can search HubSpot contacts in Create New Chat.' : '.'}
          </p>
        </Banner>
      );
    case 'ERROR':
      return (
        <Banner tone="red" title="HubSpot connection needs attention" actions={reconnect}>
          <p>{integration.errorReason ?? 'HubSpot refused the stored access.'}</p>
          <p>
            Reconnect to sign in to HubSpot again; your options are kept. Transcripts of conversations that close
            meanwhile wait and are written after Reconnect.
          </p>
        </Banner>
      );
    default:
      return null;
  }
}
