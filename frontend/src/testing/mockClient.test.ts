// The mock client's handlers are typed by the operation they answer. The @ts-expect-error lines are the test
// that matters: `npm run typecheck` fails ("Unused '@ts-expect-error' directive") if a wrong fixture compiles.
// (A field the query does not select is not caught: TypeScript does not check a returned object for extra
// properties. A field it lacks, or of another type, is.)
import { getOperationName } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { pipe, take, toPromise } from 'wonka';
import { UserDetailsDocument } from '../gql/graphql';
import { createMockClient, subscriptionSubject, type MockHandlers } from './mockClient';

const integration = {
  state: 'ENABLED',
  portalId: '123',
  uiDomain: 'app.hubspot.com',
  hubUserEmail: 'ada@acme.example',
  connectedAt: '2025-01-02T10:00:00Z',
  enabledAt: '2025-01-02T10:05:00Z',
  errorReason: null,
  lastConnectError: null,
  health: null,
  options: { allowOutboundSearch: true, requireOutboundMatch: false },
} as const;

describe('mock client handler types', () => {
  it('accepts fixtures of the operation’s shape, and rejects others at typecheck', async () => {
    const handlers: MockHandlers = {
      HubspotIntegration: () => ({ data: { hubspotIntegration: integration } }),
      UserDetails: ({ customerId }) => ({
        data: { customer: { id: String(customerId), name: 'Grace Hopper', email: null, phone: null, phoneRaw: null } },
      }),
    };
    // Each wrong fixture in its own object: TypeScript reports one error per object literal.
    const wrong: MockHandlers[] = [
      // @ts-expect-error a field of the wrong type (state is an enum)
      { HubspotIntegration: () => ({ data: { hubspotIntegration: { ...integration, state: 'ON' } } }) },
      // @ts-expect-error a field missing (options)
      { CreateChatOptions: () => ({ data: { hubspotIntegration: { state: 'ENABLED' } } }) },
      // @ts-expect-error a variable the operation does not have (UserDetails takes customerId)
      { UserDetails: ({ id }) => ({ data: { customer: null, id } }) },
      // @ts-expect-error an operation the frontend does not send
      { HubspotIntegraton: () => ({ data: {} }) },
    ];
    // A named subscription subject's events are typed too.
    const events = subscriptionSubject<'ConversationEvents'>();
    // @ts-expect-error an event kind that does not exist
    const push = () => events.next({ conversationEvents: { kind: 'TYPED', conversation: { id: 'cnv_1', status: 'OPEN', closedAt: null, lastMessageAt: '2025-01-02T10:00:00Z' }, message: null } });
    expect(push).toBeTypeOf('function');
    expect(wrong).toHaveLength(4);

    const { client } = createMockClient(handlers);
    const request = { key: 1, query: UserDetailsDocument, variables: { customerId: 'cus_1' } };
    expect(getOperationName(request.query)).toBe('UserDetails');
    const result = await pipe(client.executeQuery(request as never), take(1), toPromise);
    expect(result.data).toEqual({ customer: { id: 'cus_1', name: 'Grace Hopper', email: null, phone: null, phoneRaw: null } });
  });
});
