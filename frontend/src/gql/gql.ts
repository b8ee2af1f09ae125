/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Me {\n    me {\n      id\n      name\n      email\n      role\n    }\n    workspace {\n      id\n      name\n      timeZone\n      defaultRegion\n    }\n  }\n": typeof types.MeDocument,
    "\n  query Conversations($status: ConversationStatus) {\n    conversations(status: $status, first: 50) {\n      id\n      channel\n      subject\n      status\n      lastMessageAt\n      customer {\n        id\n        name\n      }\n    }\n  }\n": typeof types.ConversationsDocument,
    "\n  fragment ConversationSyncFields on HubspotSync {\n    id\n    conversationId\n    status\n    reasonCode\n    reason\n    closeNumber\n    matchedBy\n    matchedHow\n    contactId\n    contactName\n    contactUrl\n    attempts\n    nextAttemptAt\n    updatedAt\n  }\n": typeof types.ConversationSyncFieldsFragmentDoc,
    "\n  query ConversationHubspotSync($conversationId: ID!) {\n    hubspotSync(conversationId: $conversationId) {\n      ...ConversationSyncFields\n    }\n  }\n": typeof types.ConversationHubspotSyncDocument,
    "\n  subscription ConversationHubspotSyncUpdated {\n    hubspotSyncUpdated {\n      ...ConversationSyncFields\n    }\n  }\n": typeof types.ConversationHubspotSyncUpdatedDocument,
    "\n  query Conversation($id: ID!) {\n    conversation(id: $id) {\n      id\n      channel\n      subject\n      status\n      openedAt\n      closedAt\n      customer {\n        id\n        name\n      }\n      messages {\n        ...MessageFields\n      }\n      hubspotSync {\n        ...ConversationSyncFields\n      }\n    }\n  }\n": typeof types.ConversationDocument,
    "\n  mutation SendMessage($conversationId: ID!, $text: String!) {\n    sendMessage(conversationId: $conversationId, text: $text) {\n      ...MessageFields\n    }\n  }\n": typeof types.SendMessageDocument,
    "\n  mutation PostCustomerMessage($conversationId: ID!, $text: String!) {\n    postCustomerMessage(conversationId: $conversationId, text: $text) {\n      ...MessageFields\n    }\n  }\n": typeof types.PostCustomerMessageDocument,
    "\n  mutation CloseConversation($id: ID!) {\n    closeConversation(id: $id) {\n      id\n      status\n      closedAt\n      hubspotSync {\n        ...ConversationSyncFields\n      }\n    }\n  }\n": typeof types.CloseConversationDocument,
    "\n  mutation ReopenConversation($id: ID!) {\n    reopenConversation(id: $id) {\n      id\n      status\n      closedAt\n    }\n  }\n": typeof types.ReopenConversationDocument,
    "\n  fragment MessageFields on Message {\n    id\n    conversationId\n    author\n    authorName\n    text\n    createdAt\n  }\n": typeof types.MessageFieldsFragmentDoc,
    "\n  subscription ConversationEvents {\n    conversationEvents {\n      kind\n      conversation {\n        id\n        status\n        closedAt\n        lastMessageAt\n      }\n      message {\n        ...MessageFields\n      }\n    }\n  }\n": typeof types.ConversationEventsDocument,
    "\n  query IntegrationStatus {\n    hubspotIntegration {\n      state\n      portalId\n      errorReason\n      options {\n        allowOutboundSearch\n        requireOutboundMatch\n      }\n    }\n  }\n": typeof types.IntegrationStatusDocument,
    "\n  mutation StartConversation($input: StartConversationInput!) {\n    startConversation(input: $input) {\n      id\n    }\n  }\n": typeof types.StartConversationDocument,
    "\n  query CreateChatOptions {\n    hubspotIntegration {\n      state\n      options {\n        allowOutboundSearch\n        requireOutboundMatch\n      }\n    }\n  }\n": typeof types.CreateChatOptionsDocument,
    "\n  query HubspotContactToPick($id: ID!) {\n    hubspotContactToPick(id: $id) {\n      ...SearchContactFields\n    }\n  }\n": typeof types.HubspotContactToPickDocument,
    "\n  query WorkspaceSettings {\n    workspace {\n      id\n      name\n      defaultRegion\n      timeZone\n    }\n  }\n": typeof types.WorkspaceSettingsDocument,
    "\n  mutation UpdateWorkspaceSettings($input: WorkspaceSettingsInput!) {\n    updateWorkspaceSettings(input: $input) {\n      id\n      name\n      defaultRegion\n      timeZone\n    }\n  }\n": typeof types.UpdateWorkspaceSettingsDocument,
    "\n  query HubspotBackfillCount($days: Int!) {\n    hubspotBackfillCount(days: $days)\n  }\n": typeof types.HubspotBackfillCountDocument,
    "\n  mutation BackfillHubspotSyncs($days: Int!) {\n    backfillHubspotSyncs(days: $days)\n  }\n": typeof types.BackfillHubspotSyncsDocument,
    "\n  mutation CheckHubspotConnection($testNoteContactId: ID) {\n    checkHubspotConnection(testNoteContactId: $testNoteContactId) {\n      ok\n      checkedAt\n      steps {\n        name\n        outcome\n        message\n        detail\n      }\n    }\n  }\n": typeof types.CheckHubspotConnectionDocument,
    "\n  query HubspotIntegration {\n    hubspotIntegration {\n      ...HubspotIntegrationFields\n    }\n  }\n": typeof types.HubspotIntegrationDocument,
    "\n  subscription HubspotIntegrationChanged {\n    hubspotIntegrationChanged {\n      ...HubspotIntegrationFields\n    }\n  }\n": typeof types.HubspotIntegrationChangedDocument,
    "\n  mutation SaveHubspotOptions($input: HubspotOptionsInput!) {\n    saveHubspotOptions(input: $input) {\n      ...HubspotIntegrationFields\n    }\n  }\n": typeof types.SaveHubspotOptionsDocument,
    "\n  mutation EnableHubspot {\n    enableHubspot {\n      ...HubspotIntegrationFields\n    }\n  }\n": typeof types.EnableHubspotDocument,
    "\n  mutation DisableHubspot {\n    disableHubspot {\n      ...HubspotIntegrationFields\n    }\n  }\n": typeof types.DisableHubspotDocument,
    "\n  mutation RetryHubspotSync($conversationId: ID!) {\n    retryHubspotSync(conversationId: $conversationId) {\n      ...HubspotSyncFields\n    }\n  }\n": typeof types.RetryHubspotSyncDocument,
    "\n  fragment HubspotIntegrationFields on HubspotIntegration {\n    state\n    portalId\n    uiDomain\n    hubUserEmail\n    connectedAt\n    enabledAt\n    errorReason\n    lastConnectError\n    health {\n      unansweredSince\n      detail\n    }\n    options {\n      allowOutboundSearch\n      requireOutboundMatch\n    }\n  }\n": typeof types.HubspotIntegrationFieldsFragmentDoc,
    "\n  fragment HubspotSyncFields on HubspotSync {\n    id\n    conversationId\n    status\n    reasonCode\n    reason\n    detail\n    closedAt\n    closeNumber\n    matchedBy\n    matchedHow\n    contactId\n    contactName\n    contactUrl\n    attempts\n    nextAttemptAt\n    warnings\n    attemptErrors {\n      at\n      attempt\n      reason\n    }\n    createdAt\n    updatedAt\n    customer {\n      id\n      name\n      email\n      phone\n    }\n  }\n": typeof types.HubspotSyncFieldsFragmentDoc,
    "\n  fragment HubspotSyncSummaryFields on HubspotSyncSummary {\n    queued\n    running\n    synced\n    skipped\n    waiting\n    failed\n    cancelled\n    total\n    nextAttemptAt\n  }\n": typeof types.HubspotSyncSummaryFieldsFragmentDoc,
    "\n  mutation ConnectHubspot {\n    connectHubspot {\n      url\n      expiresAt\n    }\n  }\n": typeof types.ConnectHubspotDocument,
    "\n  query HubspotSyncActivity($first: Int!, $status: HubspotSyncStatus) {\n    hubspotSyncSummary {\n      ...HubspotSyncSummaryFields\n    }\n    hubspotSyncs(first: $first, status: $status) {\n      nodes {\n        ...HubspotSyncFields\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": typeof types.HubspotSyncActivityDocument,
    "\n  query HubspotSyncsPage($first: Int!, $after: String, $status: HubspotSyncStatus) {\n    hubspotSyncs(first: $first, after: $after, status: $status) {\n      nodes {\n        ...HubspotSyncFields\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": typeof types.HubspotSyncsPageDocument,
    "\n  query HubspotSyncSummary {\n    hubspotSyncSummary {\n      ...HubspotSyncSummaryFields\n    }\n  }\n": typeof types.HubspotSyncSummaryDocument,
    "\n  subscription HubspotSyncUpdated {\n    hubspotSyncUpdated {\n      ...HubspotSyncFields\n    }\n  }\n": typeof types.HubspotSyncUpdatedDocument,
    "\n  fragment SearchContactFields on HubspotContact {\n    id\n    name\n    firstName\n    lastName\n    email\n    phone\n    mobilePhone\n    url\n    createdAt\n    lifecycleStage\n    owner {\n      id\n      name\n      email\n    }\n  }\n": typeof types.SearchContactFieldsFragmentDoc,
    "\n  query SearchHubspotContacts($query: String!) {\n    searchHubspotContacts(query: $query) {\n      ...SearchContactFields\n    }\n  }\n": typeof types.SearchHubspotContactsDocument,
    "\n  query CustomerForEdit($id: ID!) {\n    customer(id: $id) {\n      id\n      firstName\n      lastName\n      email\n      phone\n      phoneRaw\n    }\n  }\n": typeof types.CustomerForEditDocument,
    "\n  mutation UpdateCustomerDetails($id: ID!, $input: CustomerInput!) {\n    updateCustomer(id: $id, input: $input) {\n      id\n      name\n      firstName\n      lastName\n      email\n      phone\n      phoneRaw\n    }\n  }\n": typeof types.UpdateCustomerDetailsDocument,
    "\n  query HubspotContact($customerId: ID!, $conversationId: ID) {\n    hubspotContact(customerId: $customerId, conversationId: $conversationId) {\n      ...HubspotContactLookupFields\n    }\n  }\n": typeof types.HubspotContactDocument,
    "\n  subscription HubspotContactUpdated($customerId: ID!, $conversationId: ID) {\n    hubspotContactUpdated(customerId: $customerId, conversationId: $conversationId) {\n      ...HubspotContactLookupFields\n    }\n  }\n": typeof types.HubspotContactUpdatedDocument,
    "\n  mutation ChangeHubspotContact($customerId: ID!, $hubspotContactId: ID!) {\n    changeHubspotContact(customerId: $customerId, hubspotContactId: $hubspotContactId) {\n      ...HubspotContactLookupFields\n    }\n  }\n": typeof types.ChangeHubspotContactDocument,
    "\n  mutation UnlinkHubspotContact($customerId: ID!) {\n    unlinkHubspotContact(customerId: $customerId) {\n      ...HubspotContactLookupFields\n    }\n  }\n": typeof types.UnlinkHubspotContactDocument,
    "\n  query HubspotContactCandidates($customerId: ID!) {\n    hubspotContactCandidates(customerId: $customerId) {\n      ...HubspotContactFields\n    }\n  }\n": typeof types.HubspotContactCandidatesDocument,
    "\n  query SearchHubspotForChange($query: String!) {\n    searchHubspotContacts(query: $query) {\n      ...HubspotContactFields\n    }\n  }\n": typeof types.SearchHubspotForChangeDocument,
    "\n  query UserDetails($customerId: ID!) {\n    customer(id: $customerId) {\n      id\n      name\n      email\n      phone\n      phoneRaw\n    }\n  }\n": typeof types.UserDetailsDocument,
    "\n  fragment HubspotContactLookupFields on HubspotContactLookup {\n    customerId\n    outcome\n    matchedBy\n    candidates\n    errorCode\n    message\n    detail\n    conversationId\n    customerContactId\n    notThisPerson\n    link {\n      rule\n      value\n      chosenBy\n      at\n      description\n    }\n    contact {\n      ...HubspotContactFields\n    }\n  }\n": typeof types.HubspotContactLookupFieldsFragmentDoc,
    "\n  fragment HubspotContactFields on HubspotContact {\n    id\n    name\n    firstName\n    lastName\n    email\n    phone\n    mobilePhone\n    lifecycleStage\n    owner {\n      id\n      name\n      email\n    }\n    url\n    createdAt\n    lastActivityAt\n  }\n": typeof types.HubspotContactFieldsFragmentDoc,
};
const documents: Documents = {
    "\n  query Me {\n    me {\n      id\n      name\n      email\n      role\n    }\n    workspace {\n      id\n      name\n      timeZone\n      defaultRegion\n    }\n  }\n": types.MeDocument,
    "\n  query Conversations($status: ConversationStatus) {\n    conversations(status: $status, first: 50) {\n      id\n      channel\n      subject\n      status\n      lastMessageAt\n      customer {\n        id\n        name\n      }\n    }\n  }\n": types.ConversationsDocument,
    "\n  fragment ConversationSyncFields on HubspotSync {\n    id\n    conversationId\n    status\n    reasonCode\n    reason\n    closeNumber\n    matchedBy\n    matchedHow\n    contactId\n    contactName\n    contactUrl\n    attempts\n    nextAttemptAt\n    updatedAt\n  }\n": types.ConversationSyncFieldsFragmentDoc,
    "\n  query ConversationHubspotSync($conversationId: ID!) {\n    hubspotSync(conversationId: $conversationId) {\n      ...ConversationSyncFields\n    }\n  }\n": types.ConversationHubspotSyncDocument,
    "\n  subscription ConversationHubspotSyncUpdated {\n    hubspotSyncUpdated {\n      ...ConversationSyncFields\n    }\n  }\n": types.ConversationHubspotSyncUpdatedDocument,
    "\n  query Conversation($id: ID!) {\n    conversation(id: $id) {\n      id\n      channel\n      subject\n      status\n      openedAt\n      closedAt\n      customer {\n        id\n        name\n      }\n      messages {\n        ...MessageFields\n      }\n      hubspotSync {\n        ...ConversationSyncFields\n      }\n    }\n  }\n": types.ConversationDocument,
    "\n  mutation SendMessage($conversationId: ID!, $text: String!) {\n    sendMessage(conversationId: $conversationId, text: $text) {\n      ...MessageFields\n    }\n  }\n": types.SendMessageDocument,
    "\n  mutation PostCustomerMessage($conversationId: ID!, $text: String!) {\n    postCustomerMessage(conversationId: $conversationId, text: $text) {\n      ...MessageFields\n    }\n  }\n": types.PostCustomerMessageDocument,
    "\n  mutation CloseConversation($id: ID!) {\n    closeConversation(id: $id) {\n      id\n      status\n      closedAt\n      hubspotSync {\n        ...ConversationSyncFields\n      }\n    }\n  }\n": types.CloseConversationDocument,
    "\n  mutation ReopenConversation($id: ID!) {\n    reopenConversation(id: $id) {\n      id\n      status\n      closedAt\n    }\n  }\n": types.ReopenConversationDocument,
    "\n  fragment MessageFields on Message {\n    id\n    conversationId\n    author\n    authorName\n    text\n    createdAt\n  }\n": types.MessageFieldsFragmentDoc,
    "\n  subscription ConversationEvents {\n    conversationEvents {\n      kind\n      conversation {\n        id\n        status\n        closedAt\n        lastMessageAt\n      }\n      message {\n        ...MessageFields\n      }\n    }\n  }\n": types.ConversationEventsDocument,
    "\n  query IntegrationStatus {\n    hubspotIntegration {\n      state\n      portalId\n      errorReason\n      options {\n        allowOutboundSearch\n        requireOutboundMatch\n      }\n    }\n  }\n": types.IntegrationStatusDocument,
    "\n  mutation StartConversation($input: StartConversationInput!) {\n    startConversation(input: $input) {\n      id\n    }\n  }\n": types.StartConversationDocument,
    "\n  query CreateChatOptions {\n    hubspotIntegration {\n      state\n      options {\n        allowOutboundSearch\n        requireOutboundMatch\n      }\n    }\n  }\n": types.CreateChatOptionsDocument,
    "\n  query HubspotContactToPick($id: ID!) {\n    hubspotContactToPick(id: $id) {\n      ...SearchContactFields\n    }\n  }\n": types.HubspotContactToPickDocument,
    "\n  query WorkspaceSettings {\n    workspace {\n      id\n      name\n      defaultRegion\n      timeZone\n    }\n  }\n": types.WorkspaceSettingsDocument,
    "\n  mutation UpdateWorkspaceSettings($input: WorkspaceSettingsInput!) {\n    updateWorkspaceSettings(input: $input) {\n      id\n      name\n      defaultRegion\n      timeZone\n    }\n  }\n": types.UpdateWorkspaceSettingsDocument,
    "\n  query HubspotBackfillCount($days: Int!) {\n    hubspotBackfillCount(days: $days)\n  }\n": types.HubspotBackfillCountDocument,
    "\n  mutation BackfillHubspotSyncs($days: Int!) {\n    backfillHubspotSyncs(days: $days)\n  }\n": types.BackfillHubspotSyncsDocument,
    "\n  mutation CheckHubspotConnection($testNoteContactId: ID) {\n    checkHubspotConnection(testNoteContactId: $testNoteContactId) {\n      ok\n      checkedAt\n      steps {\n        name\n        outcome\n        message\n        detail\n      }\n    }\n  }\n": types.CheckHubspotConnectionDocument,
    "\n  query HubspotIntegration {\n    hubspotIntegration {\n      ...HubspotIntegrationFields\n    }\n  }\n": types.HubspotIntegrationDocument,
    "\n  subscription HubspotIntegrationChanged {\n    hubspotIntegrationChanged {\n      ...HubspotIntegrationFields\n    }\n  }\n": types.HubspotIntegrationChangedDocument,
    "\n  mutation SaveHubspotOptions($input: HubspotOptionsInput!) {\n    saveHubspotOptions(input: $input) {\n      ...HubspotIntegrationFields\n    }\n  }\n": types.SaveHubspotOptionsDocument,
    "\n  mutation EnableHubspot {\n    enableHubspot {\n      ...HubspotIntegrationFields\n    }\n  }\n": types.EnableHubspotDocument,
    "\n  mutation DisableHubspot {\n    disableHubspot {\n      ...HubspotIntegrationFields\n    }\n  }\n": types.DisableHubspotDocument,
    "\n  mutation RetryHubspotSync($conversationId: ID!) {\n    retryHubspotSync(conversationId: $conversationId) {\n      ...HubspotSyncFields\n    }\n  }\n": types.RetryHubspotSyncDocument,
    "\n  fragment HubspotIntegrationFields on HubspotIntegration {\n    state\n    portalId\n    uiDomain\n    hubUserEmail\n    connectedAt\n    enabledAt\n    errorReason\n    lastConnectError\n    health {\n      unansweredSince\n      detail\n    }\n    options {\n      allowOutboundSearch\n      requireOutboundMatch\n    }\n  }\n": types.HubspotIntegrationFieldsFragmentDoc,
    "\n  fragment HubspotSyncFields on HubspotSync {\n    id\n    conversationId\n    status\n    reasonCode\n    reason\n    detail\n    closedAt\n    closeNumber\n    matchedBy\n    matchedHow\n    contactId\n    contactName\n    contactUrl\n    attempts\n    nextAttemptAt\n    warnings\n    attemptErrors {\n      at\n      attempt\n      reason\n    }\n    createdAt\n    updatedAt\n    customer {\n      id\n      name\n      email\n      phone\n    }\n  }\n": types.HubspotSyncFieldsFragmentDoc,
    "\n  fragment HubspotSyncSummaryFields on HubspotSyncSummary {\n    queued\n    running\n    synced\n    skipped\n    waiting\n    failed\n    cancelled\n    total\n    nextAttemptAt\n  }\n": types.HubspotSyncSummaryFieldsFragmentDoc,
    "\n  mutation ConnectHubspot {\n    connectHubspot {\n      url\n      expiresAt\n    }\n  }\n": types.ConnectHubspotDocument,
    "\n  query HubspotSyncActivity($first: Int!, $status: HubspotSyncStatus) {\n    hubspotSyncSummary {\n      ...HubspotSyncSummaryFields\n    }\n    hubspotSyncs(first: $first, status: $status) {\n      nodes {\n        ...HubspotSyncFields\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": types.HubspotSyncActivityDocument,
    "\n  query HubspotSyncsPage($first: Int!, $after: String, $status: HubspotSyncStatus) {\n    hubspotSyncs(first: $first, after: $after, status: $status) {\n      nodes {\n        ...HubspotSyncFields\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": types.HubspotSyncsPageDocument,
    "\n  query HubspotSyncSummary {\n    hubspotSyncSummary {\n      ...HubspotSyncSummaryFields\n    }\n  }\n": types.HubspotSyncSummaryDocument,
    "\n  subscription HubspotSyncUpdated {\n    hubspotSyncUpdated {\n      ...HubspotSyncFields\n    }\n  }\n": types.HubspotSyncUpdatedDocument,
    "\n  fragment SearchContactFields on HubspotContact {\n    id\n    name\n    firstName\n    lastName\n    email\n    phone\n    mobilePhone\n    url\n    createdAt\n    lifecycleStage\n    owner {\n      id\n      name\n      email\n    }\n  }\n": types.SearchContactFieldsFragmentDoc,
    "\n  query SearchHubspotContacts($query: String!) {\n    searchHubspotContacts(query: $query) {\n      ...SearchContactFields\n    }\n  }\n": types.SearchHubspotContactsDocument,
    "\n  query CustomerForEdit($id: ID!) {\n    customer(id: $id) {\n      id\n      firstName\n      lastName\n      email\n      phone\n      phoneRaw\n    }\n  }\n": types.CustomerForEditDocument,
    "\n  mutation UpdateCustomerDetails($id: ID!, $input: CustomerInput!) {\n    updateCustomer(id: $id, input: $input) {\n      id\n      name\n      firstName\n      lastName\n      email\n      phone\n      phoneRaw\n    }\n  }\n": types.UpdateCustomerDetailsDocument,
    "\n  query HubspotContact($customerId: ID!, $conversationId: ID) {\n    hubspotContact(customerId: $customerId, conversationId: $conversationId) {\n      ...HubspotContactLookupFields\n    }\n  }\n": types.HubspotContactDocument,
    "\n  subscription HubspotContactUpdated($customerId: ID!, $conversationId: ID) {\n    hubspotContactUpdated(customerId: $customerId, conversationId: $conversationId) {\n      ...HubspotContactLookupFields\n    }\n  }\n": types.HubspotContactUpdatedDocument,
    "\n  mutation ChangeHubspotContact($customerId: ID!, $hubspotContactId: ID!) {\n    changeHubspotContact(customerId: $customerId, hubspotContactId: $hubspotContactId) {\n      ...HubspotContactLookupFields\n    }\n  }\n": types.ChangeHubspotContactDocument,
    "\n  mutation UnlinkHubspotContact($customerId: ID!) {\n    unlinkHubspotContact(customerId: $customerId) {\n      ...HubspotContactLookupFields\n    }\n  }\n": types.UnlinkHubspotContactDocument,
    "\n  query HubspotContactCandidates($customerId: ID!) {\n    hubspotContactCandidates(customerId: $customerId) {\n      ...HubspotContactFields\n    }\n  }\n": types.HubspotContactCandidatesDocument,
    "\n  query SearchHubspotForChange($query: String!) {\n    searchHubspotContacts(query: $query) {\n      ...HubspotContactFields\n    }\n  }\n": types.SearchHubspotForChangeDocument,
    "\n  query UserDetails($customerId: ID!) {\n    customer(id: $customerId) {\n      id\n      name\n      email\n      phone\n      phoneRaw\n    }\n  }\n": types.UserDetailsDocument,
    "\n  fragment HubspotContactLookupFields on HubspotContactLookup {\n    customerId\n    outcome\n    matchedBy\n    candidates\n    errorCode\n    message\n    detail\n    conversationId\n    customerContactId\n    notThisPerson\n    link {\n      rule\n      value\n      chosenBy\n      at\n      description\n    }\n    contact {\n      ...HubspotContactFields\n    }\n  }\n": types.HubspotContactLookupFieldsFragmentDoc,
    "\n  fragment HubspotContactFields on HubspotContact {\n    id\n    name\n    firstName\n    lastName\n    email\n    phone\n    mobilePhone\n    lifecycleStage\n    owner {\n      id\n      name\n      email\n    }\n    url\n    createdAt\n    lastActivityAt\n  }\n": types.HubspotContactFieldsFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      name\n      email\n      role\n    }\n    workspace {\n      id\n      name\n      timeZone\n      defaultRegion\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      name\n      email\n      role\n    }\n    workspace {\n      id\n      name\n      timeZone\n      defaultRegion\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Conversations($status: ConversationStatus) {\n    conversations(status: $status, first: 50) {\n      id\n      channel\n      subject\n      status\n      lastMessageAt\n      customer {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query Conversations($status: ConversationStatus) {\n    conversations(status: $status, first: 50) {\n      id\n      channel\n      subject\n      status\n      lastMessageAt\n      customer {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConversationSyncFields on HubspotSync {\n    id\n    conversationId\n    status\n    reasonCode\n    reason\n    closeNumber\n    matchedBy\n    matchedHow\n    contactId\n    contactName\n    contactUrl\n    attempts\n    nextAttemptAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment ConversationSyncFields on HubspotSync {\n    id\n    conversationId\n    status\n    reasonCode\n    reason\n    closeNumber\n    matchedBy\n    matchedHow\n    contactId\n    contactName\n    contactUrl\n    attempts\n    nextAttemptAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConversationHubspotSync($conversationId: ID!) {\n    hubspotSync(conversationId: $conversationId) {\n      ...ConversationSyncFields\n    }\n  }\n"): (typeof documents)["\n  query ConversationHubspotSync($conversationId: ID!) {\n    hubspotSync(conversationId: $conversationId) {\n      ...ConversationSyncFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConversationHubspotSyncUpdated {\n    hubspotSyncUpdated {\n      ...ConversationSyncFields\n    }\n  }\n"): (typeof documents)["\n  subscription ConversationHubspotSyncUpdated {\n    hubspotSyncUpdated {\n      ...ConversationSyncFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Conversation($id: ID!) {\n    conversation(id: $id) {\n      id\n      channel\n      subject\n      status\n      openedAt\n      closedAt\n      customer {\n        id\n        name\n      }\n      messages {\n        ...MessageFields\n      }\n      hubspotSync {\n        ...ConversationSyncFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Conversation($id: ID!) {\n    conversation(id: $id) {\n      id\n      channel\n      subject\n      status\n      openedAt\n      closedAt\n      customer {\n        id\n        name\n      }\n      messages {\n        ...MessageFields\n      }\n      hubspotSync {\n        ...ConversationSyncFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendMessage($conversationId: ID!, $text: String!) {\n    sendMessage(conversationId: $conversationId, text: $text) {\n      ...MessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation SendMessage($conversationId: ID!, $text: String!) {\n    sendMessage(conversationId: $conversationId, text: $text) {\n      ...MessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostCustomerMessage($conversationId: ID!, $text: String!) {\n    postCustomerMessage(conversationId: $conversationId, text: $text) {\n      ...MessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation PostCustomerMessage($conversationId: ID!, $text: String!) {\n    postCustomerMessage(conversationId: $conversationId, text: $text) {\n      ...MessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CloseConversation($id: ID!) {\n    closeConversation(id: $id) {\n      id\n      status\n      closedAt\n      hubspotSync {\n        ...ConversationSyncFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CloseConversation($id: ID!) {\n    closeConversation(id: $id) {\n      id\n      status\n      closedAt\n      hubspotSync {\n        ...ConversationSyncFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReopenConversation($id: ID!) {\n    reopenConversation(id: $id) {\n      id\n      status\n      closedAt\n    }\n  }\n"): (typeof documents)["\n  mutation ReopenConversation($id: ID!) {\n    reopenConversation(id: $id) {\n      id\n      status\n      closedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MessageFields on Message {\n    id\n    conversationId\n    author\n    authorName\n    text\n    createdAt\n  }\n"): (typeof documents)["\n  fragment MessageFields on Message {\n    id\n    conversationId\n    author\n    authorName\n    text\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConversationEvents {\n    conversationEvents {\n      kind\n      conversation {\n        id\n        status\n        closedAt\n        lastMessageAt\n      }\n      message {\n        ...MessageFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ConversationEvents {\n    conversationEvents {\n      kind\n      conversation {\n        id\n        status\n        closedAt\n        lastMessageAt\n      }\n      message {\n        ...MessageFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IntegrationStatus {\n    hubspotIntegration {\n      state\n      portalId\n      errorReason\n      options {\n        allowOutboundSearch\n        requireOutboundMatch\n      }\n    }\n  }\n"): (typeof documents)["\n  query IntegrationStatus {\n    hubspotIntegration {\n      state\n      portalId\n      errorReason\n      options {\n        allowOutboundSearch\n        requireOutboundMatch\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartConversation($input: StartConversationInput!) {\n    startConversation(input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation StartConversation($input: StartConversationInput!) {\n    startConversation(input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CreateChatOptions {\n    hubspotIntegration {\n      state\n      options {\n        allowOutboundSearch\n        requireOutboundMatch\n      }\n    }\n  }\n"): (typeof documents)["\n  query CreateChatOptions {\n    hubspotIntegration {\n      state\n      options {\n        allowOutboundSearch\n        requireOutboundMatch\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HubspotContactToPick($id: ID!) {\n    hubspotContactToPick(id: $id) {\n      ...SearchContactFields\n    }\n  }\n"): (typeof documents)["\n  query HubspotContactToPick($id: ID!) {\n    hubspotContactToPick(id: $id) {\n      ...SearchContactFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WorkspaceSettings {\n    workspace {\n      id\n      name\n      defaultRegion\n      timeZone\n    }\n  }\n"): (typeof documents)["\n  query WorkspaceSettings {\n    workspace {\n      id\n      name\n      defaultRegion\n      timeZone\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateWorkspaceSettings($input: WorkspaceSettingsInput!) {\n    updateWorkspaceSettings(input: $input) {\n      id\n      name\n      defaultRegion\n      timeZone\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateWorkspaceSettings($input: WorkspaceSettingsInput!) {\n    updateWorkspaceSettings(input: $input) {\n      id\n      name\n      defaultRegion\n      timeZone\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HubspotBackfillCount($days: Int!) {\n    hubspotBackfillCount(days: $days)\n  }\n"): (typeof documents)["\n  query HubspotBackfillCount($days: Int!) {\n    hubspotBackfillCount(days: $days)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BackfillHubspotSyncs($days: Int!) {\n    backfillHubspotSyncs(days: $days)\n  }\n"): (typeof documents)["\n  mutation BackfillHubspotSyncs($days: Int!) {\n    backfillHubspotSyncs(days: $days)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CheckHubspotConnection($testNoteContactId: ID) {\n    checkHubspotConnection(testNoteContactId: $testNoteContactId) {\n      ok\n      checkedAt\n      steps {\n        name\n        outcome\n        message\n        detail\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CheckHubspotConnection($testNoteContactId: ID) {\n    checkHubspotConnection(testNoteContactId: $testNoteContactId) {\n      ok\n      checkedAt\n      steps {\n        name\n        outcome\n        message\n        detail\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HubspotIntegration {\n    hubspotIntegration {\n      ...HubspotIntegrationFields\n    }\n  }\n"): (typeof documents)["\n  query HubspotIntegration {\n    hubspotIntegration {\n      ...HubspotIntegrationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription HubspotIntegrationChanged {\n    hubspotIntegrationChanged {\n      ...HubspotIntegrationFields\n    }\n  }\n"): (typeof documents)["\n  subscription HubspotIntegrationChanged {\n    hubspotIntegrationChanged {\n      ...HubspotIntegrationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SaveHubspotOptions($input: HubspotOptionsInput!) {\n    saveHubspotOptions(input: $input) {\n      ...HubspotIntegrationFields\n    }\n  }\n"): (typeof documents)["\n  mutation SaveHubspotOptions($input: HubspotOptionsInput!) {\n    saveHubspotOptions(input: $input) {\n      ...HubspotIntegrationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EnableHubspot {\n    enableHubspot {\n      ...HubspotIntegrationFields\n    }\n  }\n"): (typeof documents)["\n  mutation EnableHubspot {\n    enableHubspot {\n      ...HubspotIntegrationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableHubspot {\n    disableHubspot {\n      ...HubspotIntegrationFields\n    }\n  }\n"): (typeof documents)["\n  mutation DisableHubspot {\n    disableHubspot {\n      ...HubspotIntegrationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryHubspotSync($conversationId: ID!) {\n    retryHubspotSync(conversationId: $conversationId) {\n      ...HubspotSyncFields\n    }\n  }\n"): (typeof documents)["\n  mutation RetryHubspotSync($conversationId: ID!) {\n    retryHubspotSync(conversationId: $conversationId) {\n      ...HubspotSyncFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment HubspotIntegrationFields on HubspotIntegration {\n    state\n    portalId\n    uiDomain\n    hubUserEmail\n    connectedAt\n    enabledAt\n    errorReason\n    lastConnectError\n    health {\n      unansweredSince\n      detail\n    }\n    options {\n      allowOutboundSearch\n      requireOutboundMatch\n    }\n  }\n"): (typeof documents)["\n  fragment HubspotIntegrationFields on HubspotIntegration {\n    state\n    portalId\n    uiDomain\n    hubUserEmail\n    connectedAt\n    enabledAt\n    errorReason\n    lastConnectError\n    health {\n      unansweredSince\n      detail\n    }\n    options {\n      allowOutboundSearch\n      requireOutboundMatch\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment HubspotSyncFields on HubspotSync {\n    id\n    conversationId\n    status\n    reasonCode\n    reason\n    detail\n    closedAt\n    closeNumber\n    matchedBy\n    matchedHow\n    contactId\n    contactName\n    contactUrl\n    attempts\n    nextAttemptAt\n    warnings\n    attemptErrors {\n      at\n      attempt\n      reason\n    }\n    createdAt\n    updatedAt\n    customer {\n      id\n      name\n      email\n      phone\n    }\n  }\n"): (typeof documents)["\n  fragment HubspotSyncFields on HubspotSync {\n    id\n    conversationId\n    status\n    reasonCode\n    reason\n    detail\n    closedAt\n    closeNumber\n    matchedBy\n    matchedHow\n    contactId\n    contactName\n    contactUrl\n    attempts\n    nextAttemptAt\n    warnings\n    attemptErrors {\n      at\n      attempt\n      reason\n    }\n    createdAt\n    updatedAt\n    customer {\n      id\n      name\n      email\n      phone\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment HubspotSyncSummaryFields on HubspotSyncSummary {\n    queued\n    running\n    synced\n    skipped\n    waiting\n    failed\n    cancelled\n    total\n    nextAttemptAt\n  }\n"): (typeof documents)["\n  fragment HubspotSyncSummaryFields on HubspotSyncSummary {\n    queued\n    running\n    synced\n    skipped\n    waiting\n    failed\n    cancelled\n    total\n    nextAttemptAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConnectHubspot {\n    connectHubspot {\n      url\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation ConnectHubspot {\n    connectHubspot {\n      url\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HubspotSyncActivity($first: Int!, $status: HubspotSyncStatus) {\n    hubspotSyncSummary {\n      ...HubspotSyncSummaryFields\n    }\n    hubspotSyncs(first: $first, status: $status) {\n      nodes {\n        ...HubspotSyncFields\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n"): (typeof documents)["\n  query HubspotSyncActivity($first: Int!, $status: HubspotSyncStatus) {\n    hubspotSyncSummary {\n      ...HubspotSyncSummaryFields\n    }\n    hubspotSyncs(first: $first, status: $status) {\n      nodes {\n        ...HubspotSyncFields\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HubspotSyncsPage($first: Int!, $after: String, $status: HubspotSyncStatus) {\n    hubspotSyncs(first: $first, after: $after, status: $status) {\n      nodes {\n        ...HubspotSyncFields\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n"): (typeof documents)["\n  query HubspotSyncsPage($first: Int!, $after: String, $status: HubspotSyncStatus) {\n    hubspotSyncs(first: $first, after: $after, status: $status) {\n      nodes {\n        ...HubspotSyncFields\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HubspotSyncSummary {\n    hubspotSyncSummary {\n      ...HubspotSyncSummaryFields\n    }\n  }\n"): (typeof documents)["\n  query HubspotSyncSummary {\n    hubspotSyncSummary {\n      ...HubspotSyncSummaryFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription HubspotSyncUpdated {\n    hubspotSyncUpdated {\n      ...HubspotSyncFields\n    }\n  }\n"): (typeof documents)["\n  subscription HubspotSyncUpdated {\n    hubspotSyncUpdated {\n      ...HubspotSyncFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SearchContactFields on HubspotContact {\n    id\n    name\n    firstName\n    lastName\n    email\n    phone\n    mobilePhone\n    url\n    createdAt\n    lifecycleStage\n    owner {\n      id\n      name\n      email\n    }\n  }\n"): (typeof documents)["\n  fragment SearchContactFields on HubspotContact {\n    id\n    name\n    firstName\n    lastName\n    email\n    phone\n    mobilePhone\n    url\n    createdAt\n    lifecycleStage\n    owner {\n      id\n      name\n      email\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchHubspotContacts($query: String!) {\n    searchHubspotContacts(query: $query) {\n      ...SearchContactFields\n    }\n  }\n"): (typeof documents)["\n  query SearchHubspotContacts($query: String!) {\n    searchHubspotContacts(query: $query) {\n      ...SearchContactFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CustomerForEdit($id: ID!) {\n    customer(id: $id) {\n      id\n      firstName\n      lastName\n      email\n      phone\n      phoneRaw\n    }\n  }\n"): (typeof documents)["\n  query CustomerForEdit($id: ID!) {\n    customer(id: $id) {\n      id\n      firstName\n      lastName\n      email\n      phone\n      phoneRaw\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateCustomerDetails($id: ID!, $input: CustomerInput!) {\n    updateCustomer(id: $id, input: $input) {\n      id\n      name\n      firstName\n      lastName\n      email\n      phone\n      phoneRaw\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateCustomerDetails($id: ID!, $input: CustomerInput!) {\n    updateCustomer(id: $id, input: $input) {\n      id\n      name\n      firstName\n      lastName\n      email\n      phone\n      phoneRaw\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HubspotContact($customerId: ID!, $conversationId: ID) {\n    hubspotContact(customerId: $customerId, conversationId: $conversationId) {\n      ...HubspotContactLookupFields\n    }\n  }\n"): (typeof documents)["\n  query HubspotContact($customerId: ID!, $conversationId: ID) {\n    hubspotContact(customerId: $customerId, conversationId: $conversationId) {\n      ...HubspotContactLookupFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription HubspotContactUpdated($customerId: ID!, $conversationId: ID) {\n    hubspotContactUpdated(customerId: $customerId, conversationId: $conversationId) {\n      ...HubspotContactLookupFields\n    }\n  }\n"): (typeof documents)["\n  subscription HubspotContactUpdated($customerId: ID!, $conversationId: ID) {\n    hubspotContactUpdated(customerId: $customerId, conversationId: $conversationId) {\n      ...HubspotContactLookupFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeHubspotContact($customerId: ID!, $hubspotContactId: ID!) {\n    changeHubspotContact(customerId: $customerId, hubspotContactId: $hubspotContactId) {\n      ...HubspotContactLookupFields\n    }\n  }\n"): (typeof documents)["\n  mutation ChangeHubspotContact($customerId: ID!, $hubspotContactId: ID!) {\n    changeHubspotContact(customerId: $customerId, hubspotContactId: $hubspotContactId) {\n      ...HubspotContactLookupFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnlinkHubspotContact($customerId: ID!) {\n    unlinkHubspotContact(customerId: $customerId) {\n      ...HubspotContactLookupFields\n    }\n  }\n"): (typeof documents)["\n  mutation UnlinkHubspotContact($customerId: ID!) {\n    unlinkHubspotContact(customerId: $customerId) {\n      ...HubspotContactLookupFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HubspotContactCandidates($customerId: ID!) {\n    hubspotContactCandidates(customerId: $customerId) {\n      ...HubspotContactFields\n    }\n  }\n"): (typeof documents)["\n  query HubspotContactCandidates($customerId: ID!) {\n    hubspotContactCandidates(customerId: $customerId) {\n      ...HubspotContactFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchHubspotForChange($query: String!) {\n    searchHubspotContacts(query: $query) {\n      ...HubspotContactFields\n    }\n  }\n"): (typeof documents)["\n  query SearchHubspotForChange($query: String!) {\n    searchHubspotContacts(query: $query) {\n      ...HubspotContactFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserDetails($customerId: ID!) {\n    customer(id: $customerId) {\n      id\n      name\n      email\n      phone\n      phoneRaw\n    }\n  }\n"): (typeof documents)["\n  query UserDetails($customerId: ID!) {\n    customer(id: $customerId) {\n      id\n      name\n      email\n      phone\n      phoneRaw\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment HubspotContactLookupFields on HubspotContactLookup {\n    customerId\n    outcome\n    matchedBy\n    candidates\n    errorCode\n    message\n    detail\n    conversationId\n    customerContactId\n    notThisPerson\n    link {\n      rule\n      value\n      chosenBy\n      at\n      description\n    }\n    contact {\n      ...HubspotContactFields\n    }\n  }\n"): (typeof documents)["\n  fragment HubspotContactLookupFields on HubspotContactLookup {\n    customerId\n    outcome\n    matchedBy\n    candidates\n    errorCode\n    message\n    detail\n    conversationId\n    customerContactId\n    notThisPerson\n    link {\n      rule\n      value\n      chosenBy\n      at\n      description\n    }\n    contact {\n      ...HubspotContactFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment HubspotContactFields on HubspotContact {\n    id\n    name\n    firstName\n    lastName\n    email\n    phone\n    mobilePhone\n    lifecycleStage\n    owner {\n      id\n      name\n      email\n    }\n    url\n    createdAt\n    lastActivityAt\n  }\n"): (typeof documents)["\n  fragment HubspotContactFields on HubspotContact {\n    id\n    name\n    firstName\n    lastName\n    email\n    phone\n    mobilePhone\n    lifecycleStage\n    owner {\n      id\n      name\n      email\n    }\n    url\n    createdAt\n    lastActivityAt\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;