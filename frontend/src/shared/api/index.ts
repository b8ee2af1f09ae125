export { createGraphqlClient, websocketUrl, type Connection, type ConnectionState, type GraphqlClient, type GraphqlClientOptions } from './client';
export { conflictOf, errorCode, errorMessage, fieldErrors, isUnauthorized, type Conflict, type ErrorCode, type FieldErrors } from './errors';
export { clearToken, readToken, subscribeToken, writeToken } from './session';
export { mountWidget, type MountedWidget, type WidgetConnection } from './mountWidget';
export { useSubscriptionEvents } from './useSubscriptionEvents';
