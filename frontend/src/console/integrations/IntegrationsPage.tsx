import { HubspotCard } from '../../features/admin-card';
import type { Role } from '../../gql/graphql';

export function IntegrationsPage({ role }: { role: Role }) {
  return (
    <main className="page page--narrow" aria-labelledby="integrations-title">
      <h1 id="integrations-title">Integrations</h1>
      {role === 'ADMIN' ? (
        <HubspotCard />
      ) : (
        <p>Only administrators can configure integrations. Ask an administrator of your workspace to connect HubSpot.</p>
      )}
    </main>
  );
}
