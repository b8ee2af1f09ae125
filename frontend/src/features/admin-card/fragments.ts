import { graphql } from '../../gql';

// Every operation of the card reads the integration with the same fields, so a query result, a mutation
// result and a subscription event can each replace what the card shows.
export const HubspotIntegrationFields = graphql(`
  fragment HubspotIntegrationFields on HubspotIntegration {
    state
    portalId
    uiDomain
    hubUserEmail
    connectedAt
    enabledAt
    errorReason
    options {
      allowOutboundSearch
      requireOutboundMatch
    }
  }
`);

export type { HubspotIntegrationFieldsFragment as Integration } from '../../gql/graphql';
