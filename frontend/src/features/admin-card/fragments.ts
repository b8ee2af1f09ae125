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
    lastConnectError
    health {
      unansweredSince
      detail
    }
    options {
      allowOutboundSearch
      requireOutboundMatch
    }
  }
`);

export type { HubspotIntegrationFieldsFragment as Integration } from '../../gql/graphql';

// A transcript sync record as the Sync activity section shows it; queries, Retry and the live subscription
// all select these fields, so any of them can replace a row.
export const HubspotSyncFields = graphql(`
  fragment HubspotSyncFields on HubspotSync {
    id
    conversationId
    status
    reasonCode
    reason
    detail
    closedAt
    closeNumber
    matchedBy
    matchedHow
    contactId
    contactName
    contactUrl
    attempts
    nextAttemptAt
    warnings
    attemptErrors {
      at
      attempt
      reason
    }
    createdAt
    updatedAt
    customer {
      id
      name
      email
      phone
    }
  }
`);

export const HubspotSyncSummaryFields = graphql(`
  fragment HubspotSyncSummaryFields on HubspotSyncSummary {
    queued
    running
    synced
    skipped
    waiting
    failed
    cancelled
    total
    nextAttemptAt
  }
`);

export type {
  HubspotSyncFieldsFragment as SyncRecord,
  HubspotSyncStatus as SyncStatus,
  HubspotSyncSummaryFieldsFragment as SyncSummary,
} from '../../gql/graphql';
