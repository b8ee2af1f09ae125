import { graphql } from '../../gql';

// The query and the subscription read the card with the same fields, so a live update replaces it whole.
export const HubspotContactLookupFields = graphql(`
  fragment HubspotContactLookupFields on HubspotContactLookup {
    customerId
    outcome
    matchedBy
    candidates
    errorCode
    message
    detail
    contact {
      id
      name
      firstName
      lastName
      email
      phone
      mobilePhone
      lifecycleStage
      owner {
        id
        name
        email
      }
      url
    }
  }
`);

export type { HubspotContactLookupFieldsFragment as HubspotLookup } from '../../gql/graphql';
