import { CombinedError, getOperationName, type Client, type GraphQLRequest, type Operation, type OperationResult } from '@urql/core';
import type { GraphQLError } from 'graphql';
import type { ReactNode } from 'react';
import { Provider } from 'urql';
import { concat, fromValue, makeSubject, never, type Source } from 'wonka';
import { vi } from 'vitest';
import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
import type * as documents from '../gql/graphql';

/** The operations the frontend sends, by name: codegen names each one's typed document `<Name>Document`. */
type Documents = typeof documents;
export type OperationName = {
  [K in keyof Documents]: K extends `${infer Name}Document` ? Name : never;
}[keyof Documents];
type DocumentOf<Name extends OperationName> = Documents[`${Name}Document`];

/** What a handler answers: data, an error, or a wonka source for results that arrive later. */
export type MockAnswer<Data = unknown> = { data?: Data; error?: CombinedError } | Source<Partial<OperationResult<Data>>>;

/** A handler of the named operation: it gets that operation's variables and answers with its result's shape. */
export type MockHandler<Name extends OperationName> = (
  variables: VariablesOf<DocumentOf<Name>>,
) => MockAnswer<ResultOf<DocumentOf<Name>>>;

/**
 * Handlers keyed by operation name, e.g. { HubspotIntegration: () => ({ data: … }) }. Each is typed by the
 * operation it answers, so a fixture that lacks a field of its query, or has one of another type, or a handler
 * of an operation the frontend does not send, fails `npm run typecheck` (mockClient.test.ts shows each).
 */
export type MockHandlers = { [Name in OperationName]?: MockHandler<Name> };

// Operations no handler answered. setup.ts fails the test after it ends if any are left, so a component that
// sends an unexpected request cannot pass by accident even if it swallows the error thrown here.
export const unhandledOperations: string[] = [];

function answer(kind: string, handlers: MockHandlers, request: GraphQLRequest): Source<OperationResult> {
  const name = getOperationName(request.query) ?? '(anonymous)';
  // Looked up by the name the request carries; the handler's types were checked where the test wrote it.
  const handler = (handlers as Record<string, ((variables: unknown) => MockAnswer) | undefined>)[name];
  if (!handler) {
    unhandledOperations.push(`${kind} ${name}`);
    throw new Error(`mock client: unhandled ${kind} ${name}`);
  }
  const result = handler(request.variables ?? {});
  const operation = { ...request, kind, context: {} } as unknown as Operation;
  if (typeof result === 'function') {
    return result as Source<OperationResult>;
  }
  const value = fromValue({ operation, stale: false, hasNext: false, data: result.data, error: result.error } as OperationResult);
  // A real client keeps a query's source open (later cache updates arrive on it); urql's hooks treat a source
  // that ends as "done fetching" and drop its error, so only mutations end here.
  return kind === 'mutation' ? value : concat([value, never]);
}

/**
 * A urql client that answers each operation from a handler named after it, as urql's testing guide
 * describes; any other operation fails the test. The execute functions are vi.fn()s so tests can assert
 * the variables a mutation was sent with.
 */
export function createMockClient(handlers: MockHandlers) {
  const executeQuery = vi.fn((request: GraphQLRequest) => answer('query', handlers, request));
  const executeMutation = vi.fn((request: GraphQLRequest) => answer('mutation', handlers, request));
  const executeSubscription = vi.fn((request: GraphQLRequest) => answer('subscription', handlers, request));
  const client = { executeQuery, executeMutation, executeSubscription } as unknown as Client;
  return { client, executeQuery, executeMutation, executeSubscription };
}

/** The variables of every call of a mock execute function for the named operation. */
export function variablesOf(fn: ReturnType<typeof vi.fn>, operationName: string): Record<string, unknown>[] {
  return fn.mock.calls
    .map((call) => call[0] as GraphQLRequest)
    .filter((request) => getOperationName(request.query) === operationName)
    .map((request) => (request.variables ?? {}) as Record<string, unknown>);
}

export function MockProvider({ client, children }: { client: Client; children: ReactNode }) {
  return <Provider value={client}>{children}</Provider>;
}

/** A GraphQL error as the gateway sends it. */
export function graphqlError(message: string, code: string, field?: string): CombinedError {
  const extensions: Record<string, unknown> = { code };
  if (field) extensions.field = field;
  return new CombinedError({ graphQLErrors: [{ message, extensions } as unknown as GraphQLError] });
}

/**
 * A subscription whose events the test pushes with next(data). Named, its events are typed by that operation:
 * subscriptionSubject<'ConversationEvents'>().
 */
export function subscriptionSubject<Name extends OperationName | null = null>() {
  type Data = Name extends OperationName ? ResultOf<DocumentOf<Name>> : unknown;
  const subject = makeSubject<Partial<OperationResult<Data>>>();
  return {
    // Any handler may return it: the events' shape is checked where next() is called, when the name is given.
    source: subject.source as Source<Partial<OperationResult>>,
    next: (data: Data) => subject.next({ data, stale: false, hasNext: true }),
    /** The gateway ends the subscription with an error, e.g. ERESYNC (events may have been missed). */
    fail: (code: string, message = 'Live updates were interrupted.') => {
      subject.next({ error: graphqlError(message, code), stale: false, hasNext: false });
      subject.complete();
    },
  };
}

/** A query or subscription that never answers. */
export const silent = (): Source<Partial<OperationResult<never>>> => never;
