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
    conversationId
    customerContactId
    notThisPerson
    link {
      rule
      value
      chosenBy
      at
      description
    }
    contact {
      ...HubspotContactFields
    }
  }
`);

// A contact as the card and Change contact show it, with what tells duplicates apart.
export const HubspotContactFields = graphql(`
  fragment HubspotContactFields on HubspotContact {
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
    createdAt
    lastActivityAt
  }
`);

export type { HubspotContactLookupFieldsFragment as HubspotLookup, HubspotContactFieldsFragment as HubspotContactCard } from '../../gql/graphql';
