import { useQuery } from 'urql';
import { HubspotCard } from '../../features/admin-card';
import { graphql } from '../../gql';
import type { Role } from '../../gql/graphql';
import { errorMessage } from '../../shared/api';
import { Banner } from '../../shared/ui';

const IntegrationStatusQuery = graphql(`
  query IntegrationStatus {
    hubspotIntegration {
      state
      portalId
      errorReason
      options {
        allowOutboundSearch
        requireOutboundMatch
      }
    }
  }
`);

export function IntegrationsPage({ role }: { role: Role }) {
  return (
    <main className="page page--narrow" aria-labelledby="integrations-title">
      <h1 id="integrations-title">Integrations</h1>
      {role === 'ADMIN' ? <HubspotCard /> : <HubspotStatus />}
    </main>
  );
}

/** What an agent sees: whether HubSpot is connected and syncing, read-only. */
function HubspotStatus() {
  const [{ data, error, fetching }] = useQuery({ query: IntegrationStatusQuery });
  const integ = data?.hubspotIntegration;
  let status;
  if (!integ) {
    status = fetching || !error ? <p className="muted">Loading the HubSpot status…</p> : <Banner tone="red" title="The HubSpot status could not be loaded.">{errorMessage(error)}</Banner>;
  } else if (integ.state === 'ENABLED') {
    status = (
      <Banner tone="green" title={`HubSpot is connected (portal ${integ.portalId}) and syncing.`}>
        <p>
          Every closed conversation is written to the customer's HubSpot contact as a note, and User Details shows the contact during a chat.{' '}
          {integ.options.allowOutboundSearch
            ? integ.options.requireOutboundMatch
              ? 'Create New Chat searches HubSpot, and a HubSpot contact must be picked.'
              : 'Create New Chat can search HubSpot contacts.'
            : 'Create New Chat does not search HubSpot.'}
        </p>
      </Banner>
    );
  } else if (integ.state === 'CONNECTED') {
    status = (
      <Banner tone="yellow" title={`HubSpot is connected (portal ${integ.portalId}), but syncing is not enabled yet.`}>
        <p>Nothing is written to HubSpot until an administrator enables syncing.</p>
      </Banner>
    );
  } else if (integ.state === 'ERROR') {
    status = (
      <Banner tone="red" title="HubSpot needs to be reconnected.">
        <p>{integ.errorReason ?? 'HubSpot refused the connection.'} Transcripts wait until an administrator reconnects HubSpot.</p>
      </Banner>
    );
  } else {
    status = <p>HubSpot is not connected.</p>;
  }
  return (
    <section className="card" aria-labelledby="hubspot-status-title">
      <h2 id="hubspot-status-title">HubSpot</h2>
      {status}
      <p className="muted">Only administrators can connect or configure integrations.</p>
    </section>
  );
}
