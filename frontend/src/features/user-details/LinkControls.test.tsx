import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { createMockClient, graphqlError, MockProvider, silent, variablesOf, type MockHandlers } from '../../testing/mockClient';
import type { HubspotContactCard, HubspotLookup } from './fragments';
import { UserDetails } from './UserDetails';

vi.setConfig({ testTimeout: 20_000 });

const bob: HubspotContactCard = {
  id: '101',
  name: 'Bob Smith',
  firstName: 'Bob',
  lastName: 'Smith',
  email: 'bob@example.com',
  phone: null,
  mobilePhone: null,
  lifecycleStage: 'Lead',
  owner: { id: 'o1', name: 'Marcus Lee', email: 'marcus@acme.example' },
  url: 'https://app.hubspot.com/contacts/1/record/0-1/101',
  createdAt: '2021-03-01T09:00:00Z',
  lastActivityAt: null,
};
const robert: HubspotContactCard = { ...bob, id: '102', name: 'Robert Smith', firstName: 'Robert', lifecycleStage: 'Subscriber', owner: null, createdAt: '2023-06-10T09:00:00Z', url: 'https://app.hubspot.com/contacts/1/record/0-1/102' };

function lookup(l: Partial<HubspotLookup>): HubspotLookup {
  return {
    customerId: 'cus_1',
    outcome: 'FOUND',
    contact: bob,
    matchedBy: 'EMAIL',
    candidates: 1,
    errorCode: null,
    message: null,
    detail: null,
    conversationId: null,
    customerContactId: null,
    notThisPerson: 0,
    link: { rule: 'EMAIL', value: 'bob@example.com', chosenBy: null, at: null, description: 'matched by email (bob@example.com)' },
    ...l,
  };
}

const customer = { id: 'cus_1', name: 'Bob Smith', email: 'bob@example.com', phone: null, phoneRaw: null };

function renderPanel(handlers: MockHandlers, conversationId?: string) {
  const mock = createMockClient({ UserDetails: () => ({ data: { customer } }), HubspotContactUpdated: silent, ...handlers });
  render(
    <MockProvider client={mock.client}>
      <UserDetails customerId="cus_1" channel="email" conversationId={conversationId} />
    </MockProvider>,
  );
  return mock;
}

const section = () => screen.getByRole('region', { name: 'HubSpot' });

describe('the HubSpot link in User Details', () => {
  it('says how the link was made', () => {
    renderPanel({ HubspotContact: () => ({ data: { hubspotContact: lookup({}) } }) });
    expect(within(section()).getByText('Linked: matched by email (bob@example.com).')).toBeInTheDocument();
  });

  it('lists the duplicates with what tells them apart, and Change contact links the one chosen', async () => {
    const user = userEvent.setup();
    const mock = renderPanel({
      HubspotContact: () => ({ data: { hubspotContact: lookup({ outcome: 'MULTIPLE_MATCHES', candidates: 2 }) } }),
      HubspotContactCandidates: () => ({ data: { hubspotContactCandidates: [bob, robert] } }),
      ChangeHubspotContact: () => ({ data: { changeHubspotContact: lookup({ contact: robert, matchedBy: 'CHOSEN' }) } }),
    });
    await user.click(within(section()).getByRole('button', { name: 'Change contact' }));
    const list = within(section()).getByRole('list', { name: "Contacts sharing this customer's details" });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent(/Bob Smith.*\(current\)/);
    expect(items[0]).toHaveTextContent(/Created .*2021 · Owner Marcus Lee · Lead/);
    expect(items[1]).toHaveTextContent(/Created .*2023 · No owner · Subscriber/);
    expect(variablesOf(mock.executeQuery, 'HubspotContactCandidates')).toEqual([{ customerId: 'cus_1' }]);
    await user.click(within(items[1]).getByRole('button', { name: /^Choose Robert Smith/ }));
    expect(variablesOf(mock.executeMutation, 'ChangeHubspotContact')).toEqual([{ customerId: 'cus_1', hubspotContactId: '102' }]);
    expect(within(section()).getByText("Robert Smith is now this customer's HubSpot contact.")).toHaveAttribute('role', 'status');
  });

  it('says when searching HubSpot is off, and still offers the duplicates', async () => {
    const user = userEvent.setup();
    renderPanel({
      HubspotContact: () => ({ data: { hubspotContact: lookup({}) } }),
      HubspotContactCandidates: () => ({ data: { hubspotContactCandidates: [bob] } }),
      SearchHubspotForChange: () => ({ error: graphqlError('Outbound search is off.', 'EFORBIDDEN') }),
    });
    await user.click(within(section()).getByRole('button', { name: 'Change contact' }));
    await user.type(within(section()).getByLabelText('Search HubSpot'), 'rob');
    expect(within(section()).getByText(/Searching HubSpot is off for this workspace/)).toBeInTheDocument();
  });

  it('Unlink says the contact will not be matched again', async () => {
    const user = userEvent.setup();
    const mock = renderPanel({
      HubspotContact: () => ({ data: { hubspotContact: lookup({}) } }),
      UnlinkHubspotContact: () => ({ data: { unlinkHubspotContact: lookup({ outcome: 'NO_MATCH', contact: null, link: null, notThisPerson: 1 }) } }),
    });
    await user.click(within(section()).getByRole('button', { name: 'Unlink (not this person)' }));
    expect(variablesOf(mock.executeMutation, 'UnlinkHubspotContact')).toEqual([{ customerId: 'cus_1' }]);
    expect(within(section()).getByRole('status')).toHaveTextContent(
      'Unlinked Bob Smith: Convrs will not match this customer to that contact again unless someone links it.',
    );
  });

  it('beside a chat started from a pick, shows the picked contact and offers to make it the customer’s', async () => {
    const user = userEvent.setup();
    const mock = renderPanel(
      {
        HubspotContact: () => ({
          data: {
            hubspotContact: lookup({
              contact: robert,
              matchedBy: 'CHOSEN',
              conversationId: 'cnv_9',
              customerContactId: '101',
              link: { rule: 'CHOSEN', value: null, chosenBy: 'Sam Agent', at: '2026-12-07T10:00:00Z', description: 'chosen by Sam Agent on 7 Dec' },
            }),
          },
        }),
        ChangeHubspotContact: () => ({ data: { changeHubspotContact: lookup({ contact: robert }) } }),
      },
      'cnv_9',
    );
    expect(variablesOf(mock.executeQuery, 'HubspotContact')).toEqual([{ customerId: 'cus_1', conversationId: 'cnv_9' }]);
    expect(within(section()).getByText('This chat is written to Robert Smith in HubSpot: chosen by Sam Agent on 7 Dec when the chat was started.')).toBeInTheDocument();
    expect(within(section()).queryByRole('button', { name: 'Unlink (not this person)' })).not.toBeInTheDocument();
    await user.click(within(section()).getByRole('button', { name: "Make Robert Smith this customer's contact from now on" }));
    expect(variablesOf(mock.executeMutation, 'ChangeHubspotContact')).toEqual([{ customerId: 'cus_1', hubspotContactId: '102' }]);
  });
});

describe('identifying a visitor in User Details', () => {
  it('adds a name and email, and shows what the server refuses next to its field', async () => {
    const user = userEvent.setup();
    let calls = 0;
    const mock = createMockClient({
      UserDetails: () => ({ data: { customer: { id: 'cus_v', name: null, email: null, phone: null, phoneRaw: null } } }),
      HubspotContact: () => ({ data: { hubspotContact: lookup({ customerId: 'cus_v', outcome: 'ANONYMOUS', contact: null, link: null }) } }),
      HubspotContactUpdated: silent,
      CustomerForEdit: () => ({ data: { customer: { id: 'cus_v', firstName: null, lastName: null, email: null, phone: null, phoneRaw: null } } }),
      UpdateCustomerDetails: () =>
        ++calls === 1
          ? { error: graphqlError('"12345" is not a valid phone number.', 'EINVALID', 'phone') }
          : { data: { updateCustomer: { id: 'cus_v', name: 'Vera', firstName: 'Vera', lastName: null, email: 'vera@example.com', phone: null, phoneRaw: null } } },
    });
    render(
      <MockProvider client={mock.client}>
        <UserDetails customerId="cus_v" />
      </MockProvider>,
    );
    await user.click(screen.getByRole('button', { name: 'Identify this visitor (add a name, email or phone)' }));
    const form = screen.getByRole('form', { name: 'Customer details' });
    await user.type(within(form).getByLabelText('Email'), 'not-an-email');
    await user.click(within(form).getByRole('button', { name: 'Save details' }));
    expect(within(form).getByLabelText('Email')).toHaveAccessibleDescription('"not-an-email" is not an email address such as name@example.com.');
    expect(mock.executeMutation).not.toHaveBeenCalled();

    await user.clear(within(form).getByLabelText('Email'));
    await user.type(within(form).getByLabelText('Email'), 'vera@example.com');
    await user.type(within(form).getByLabelText('First name'), 'Vera');
    await user.type(within(form).getByLabelText('Phone'), '12345');
    await user.click(within(form).getByRole('button', { name: 'Save details' }));
    expect(within(form).getByLabelText('Phone')).toHaveAccessibleDescription(/"12345" is not a valid phone number\./);

    await user.clear(within(form).getByLabelText('Phone'));
    await user.click(within(form).getByRole('button', { name: 'Save details' }));
    expect(variablesOf(mock.executeMutation, 'UpdateCustomerDetails')[1]).toEqual({
      id: 'cus_v',
      input: { firstName: 'Vera', lastName: '', email: 'vera@example.com', phone: '' },
    });
    expect(screen.queryByRole('form', { name: 'Customer details' })).not.toBeInTheDocument();
  });
});
