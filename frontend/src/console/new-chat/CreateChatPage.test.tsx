import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useFakeTimers } from '../../testing/fakeTimers';
import { createMockClient, graphqlError, MockProvider, silent, variablesOf, type MockHandlers } from '../../testing/mockClient';
import { CreateChatPage } from './CreateChatPage';

// user-event types a character at a time; on a loaded machine a long form takes seconds.
vi.setConfig({ testTimeout: 20_000 });

type Options = { allowOutboundSearch: boolean; requireOutboundMatch: boolean };
const off: Options = { allowOutboundSearch: false, requireOutboundMatch: false };

function options(o: Options) {
  return () => ({ data: { hubspotIntegration: { state: 'ENABLED' as const, options: o } } });
}

function renderPage(handlers: MockHandlers, o: Options = off) {
  const mock = createMockClient({ CreateChatOptions: options(o), ...handlers });
  render(
    <MockProvider client={mock.client}>
      <CreateChatPage />
    </MockProvider>,
  );
  return mock;
}

const bob = {
  id: '901',
  name: 'Bob Smith',
  firstName: 'Bob',
  lastName: 'Smith',
  email: 'bob@example.com',
  phone: '+14155550123',
  mobilePhone: '+447911123456',
  url: 'https://app.hubspot.com/contacts/1/record/0-1/901',
  createdAt: null,
  lifecycleStage: null,
  owner: null,
};

const started = () => ({ data: { startConversation: { id: 'cnv_42' } } });

function errors(...list: { message: string; code: string; field?: string; customerId?: string }[]) {
  return new CombinedError({
    graphQLErrors: list.map(
      ({ message, code, field, customerId }) =>
        new GraphQLError(message, { extensions: { code, ...(field ? { field } : {}), ...(customerId ? { customerId } : {}) } }),
    ),
  });
}

describe('CreateChatPage', () => {
  it('shows the server error next to the field it names', async () => {
    const user = userEvent.setup();
    renderPage({
      StartConversation: () => ({ error: graphqlError('"bob@example" is not a valid email address.', 'EINVALID', 'customer.email') }),
    });
    await user.type(screen.getByLabelText('Email'), 'bob@example.c');
    await user.type(screen.getByLabelText('First message'), 'Hello from Convrs');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));

    const email = screen.getByLabelText('Email');
    expect(email).toHaveAttribute('aria-invalid', 'true');
    expect(email).toHaveAccessibleDescription('"bob@example" is not a valid email address.');
    expect(screen.getByLabelText('Phone')).not.toHaveAttribute('aria-invalid');
  });

  it('starts the chat with what was entered and opens it', async () => {
    const user = userEvent.setup();
    const mock = renderPage({ StartConversation: started });
    expect(screen.queryByRole('combobox', { name: 'Search HubSpot contacts' })).not.toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Channel'), 'SMS');
    await user.type(screen.getByLabelText('Phone'), '+44 7911 123456');
    await user.type(screen.getByLabelText('First name'), 'Grace');
    await user.type(screen.getByLabelText('First message'), 'Your order has shipped.');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));

    expect(variablesOf(mock.executeMutation, 'StartConversation')).toEqual([
      { input: { channel: 'sms', customer: { phone: '+44 7911 123456', firstName: 'Grace' }, message: 'Your order has shipped.' } },
    ]);
    expect(window.location.hash).toBe('#/chat/cnv_42');
  });

  it('says what each channel needs before anything is submitted', async () => {
    const user = userEvent.setup();
    renderPage({});
    const channel = screen.getByLabelText('Channel');
    await user.selectOptions(channel, 'SMS');
    expect(channel).toHaveAccessibleDescription("SMS needs the customer's phone number.");
    expect(screen.getByLabelText('Phone')).toHaveAttribute('aria-required', 'true');
    await user.selectOptions(channel, 'WhatsApp');
    expect(channel).toHaveAccessibleDescription("WhatsApp needs the customer's phone number.");
    await user.selectOptions(channel, 'Email');
    expect(channel).toHaveAccessibleDescription("Email needs the customer's email address.");
    expect(screen.getByLabelText('Email')).toHaveAttribute('aria-required', 'true');
    expect(screen.getByLabelText('Phone')).toHaveAttribute('aria-required', 'false');
  });

  it('reports every invalid field at once, without calling the server', async () => {
    const user = userEvent.setup();
    const mock = renderPage({});
    await user.selectOptions(screen.getByLabelText('Channel'), 'SMS');
    await user.type(screen.getByLabelText('Email'), 'bob@');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));

    expect(screen.getByLabelText('Phone')).toHaveAccessibleDescription(/SMS needs a phone number\./);
    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription('"bob@" is not an email address such as name@example.com.');
    expect(screen.getByLabelText('First message')).toHaveAccessibleDescription('Enter the first message.');
    expect(screen.getByRole('alert')).toHaveTextContent('3 fields need attention.');
    expect(mock.executeMutation).not.toHaveBeenCalled();
  });

  it('asks for an email for an Email chat', async () => {
    const user = userEvent.setup();
    const mock = renderPage({});
    await user.selectOptions(screen.getByLabelText('Channel'), 'Email');
    await user.type(screen.getByLabelText('Phone'), '+447911123456');
    await user.type(screen.getByLabelText('First message'), 'Hi');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));
    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription(/Email needs an email address\./);
    expect(mock.executeMutation).not.toHaveBeenCalled();
  });

  it('shows every field the server rejects at once, and what names no field above the form', async () => {
    const user = userEvent.setup();
    renderPage({
      StartConversation: () => ({
        error: errors(
          { message: '"12345" is not a valid phone number for GB.', code: 'EINVALID', field: 'customer.phone' },
          { message: '"x@y.zz" is not a valid email address.', code: 'EINVALID', field: 'customer.email' },
          { message: 'The subject is too long.', code: 'EINVALID', field: 'subject' },
        ),
      }),
    });
    await user.type(screen.getByLabelText('Email'), 'x@y.zz');
    await user.type(screen.getByLabelText('Phone'), '12345');
    await user.type(screen.getByLabelText('First message'), 'Hi');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));

    expect(screen.getByLabelText('Phone')).toHaveAccessibleDescription(/"12345" is not a valid phone number for GB\./);
    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription('"x@y.zz" is not a valid email address.');
    expect(screen.getByRole('alert')).toHaveTextContent('The chat could not be started.The subject is too long.');
  });

  it('shows errors that name no field above the form', async () => {
    const user = userEvent.setup();
    renderPage({ StartConversation: () => ({ error: graphqlError('The workspace is not accepting chats.', 'EFORBIDDEN') }) });
    await user.type(screen.getByLabelText('First name'), 'Ada');
    await user.type(screen.getByLabelText('First message'), 'Hi');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));
    expect(screen.getByRole('alert')).toHaveTextContent('The workspace is not accepting chats.');
  });

  it('asks for some detail of the customer on a web chat', async () => {
    const user = userEvent.setup();
    const mock = renderPage({});
    await user.type(screen.getByLabelText('First message'), 'Hi');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Enter an email, a phone number or a name.');
    expect(mock.executeMutation).not.toHaveBeenCalled();
  });

  it('offers the existing customer the details match, and starts the chat with them on "Use this customer"', async () => {
    const user = userEvent.setup();
    let calls = 0;
    const mock = renderPage({
      StartConversation: () =>
        ++calls === 1
          ? { error: errors({ message: 'This matches Bob Smith (bob@example.com)', code: 'ECONFLICT', field: 'customer.email', customerId: 'cus_bob' }) }
          : started(),
    });
    await user.type(screen.getByLabelText('Email'), 'bob@example.com');
    await user.type(screen.getByLabelText('Phone'), '+447911000000');
    await user.type(screen.getByLabelText('First message'), 'Hello Bob');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));

    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('This matches Bob Smith (bob@example.com)');
    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription('This belongs to an existing customer (see above).');
    expect(window.location.hash).toBe('');
    await user.click(within(alert).getByRole('button', { name: 'Use this customer' }));

    expect(variablesOf(mock.executeMutation, 'StartConversation')[1]).toEqual({
      input: { channel: 'web', customerId: 'cus_bob', message: 'Hello Bob' },
    });
    expect(window.location.hash).toBe('#/chat/cnv_42');
  });

  it('lets the agent correct the details instead of using the matching customer', async () => {
    const user = userEvent.setup();
    const mock = renderPage({
      StartConversation: () => ({ error: errors({ message: 'This matches Bob Smith (bob@example.com)', code: 'ECONFLICT', customerId: 'cus_bob' }) }),
    });
    await user.type(screen.getByLabelText('Email'), 'bob@example.com');
    await user.type(screen.getByLabelText('First message'), 'Hello');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));
    await user.click(screen.getByRole('button', { name: 'Correct the details' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveFocus();
    expect(mock.executeMutation).toHaveBeenCalledTimes(1);
  });

  it('says it is loading until it knows whether HubSpot search is on', () => {
    renderPage({ CreateChatOptions: silent });
    expect(screen.getByText('Loading…')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Start chat' })).not.toBeInTheDocument();
  });

  it('falls back to manual entry when the options cannot be loaded', () => {
    renderPage({ CreateChatOptions: () => ({ error: graphqlError('Convrs is unavailable right now.', 'EUNAVAILABLE') }) });
    expect(screen.getByText("HubSpot search could not be loaded: enter the customer's details by hand.")).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).not.toHaveAttribute('readonly');
  });
});

describe('CreateChatPage with outbound HubSpot search', () => {
  let realTimers: (() => void) | null = null;
  afterEach(() => {
    realTimers?.();
    realTimers = null;
  });

  /** Lets the mutation's answer arrive (its promise settles after user-event's click returns). */
  async function settle() {
    await act(async () => {
      vi.advanceTimersByTime(0);
    });
  }

  async function searchAndPick(query: string, option: RegExp) {
    realTimers = useFakeTimers();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await user.type(screen.getByRole('combobox', { name: 'Search HubSpot contacts' }), query);
    await act(async () => {
      vi.advanceTimersByTime(1000);
    });
    await user.click(screen.getByRole('option', { name: option }));
    return user;
  }

  it('says a picked contact belongs to an existing customer, and starts the chat with both, optionally linking them', async () => {
    let calls = 0;
    const robert = { ...bob, id: '902', name: 'Robert Smith', firstName: 'Robert' };
    const mock = renderPage(
      {
        SearchHubspotContacts: () => ({ data: { searchHubspotContacts: [robert] } }),
        StartConversation: () =>
          ++calls === 1
            ? {
                error: errors({
                  message: 'Bob Smith is already a customer; this chat will be written to Robert Smith in HubSpot.',
                  code: 'ECONFLICT',
                  field: 'email',
                  customerId: 'cus_bob',
                }),
              }
            : started(),
      },
      { allowOutboundSearch: true, requireOutboundMatch: false },
    );
    const user = await searchAndPick('robert', /Robert Smith/);
    await user.type(screen.getByLabelText('First message'), 'Your invoice');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));
    await settle();

    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Bob Smith is already a customer; this chat will be written to Robert Smith in HubSpot.');
    expect(within(alert).queryByRole('button', { name: 'Use this customer' })).not.toBeInTheDocument();
    await user.click(within(alert).getByRole('checkbox', { name: "Also make Robert Smith this customer's HubSpot contact from now on" }));
    await user.click(within(alert).getByRole('button', { name: 'Start the chat' }));
    await settle();

    expect(variablesOf(mock.executeMutation, 'StartConversation')[1]).toEqual({
      input: { channel: 'web', customerId: 'cus_bob', hubspotContactId: '902', linkCustomer: true, message: 'Your invoice' },
    });
    expect(window.location.hash).toBe('#/chat/cnv_42');
  });

  it('lets the agent type a number for a picked contact without a valid one, even with HubSpot matches required', async () => {
    const carla = { ...bob, id: '903', name: 'Carla Gomez', firstName: 'Carla', lastName: 'Gomez', email: null, phone: null, mobilePhone: '+447700900123' };
    let calls = 0;
    const mock = renderPage(
      {
        SearchHubspotContacts: () => ({ data: { searchHubspotContacts: [carla] } }),
        StartConversation: () =>
          ++calls === 1
            ? { error: graphqlError("+447700900123, HubSpot's number for Carla Gomez, is not a valid phone number in GB. Type a valid number to reach them on, or choose another channel.", 'EINVALID', 'phone') }
            : started(),
      },
      { allowOutboundSearch: true, requireOutboundMatch: true },
    );
    const user = await searchAndPick('carla', /Carla Gomez/);
    await user.selectOptions(screen.getByLabelText('Channel'), 'WhatsApp');
    const phone = screen.getByLabelText('Phone');
    expect(phone).toHaveAttribute('readonly');
    expect(screen.getByLabelText('First name')).toHaveAttribute('readonly');
    await user.type(screen.getByLabelText('First message'), 'Hola');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));
    await settle();
    expect(phone).toHaveAccessibleDescription(/is not a valid phone number in GB/);
    expect(phone).not.toHaveAttribute('readonly');
    expect(screen.getByLabelText('First name')).toHaveAttribute('readonly');
    await user.clear(phone);
    await user.type(phone, '020 7946 0123');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));
    await settle();
    expect(variablesOf(mock.executeMutation, 'StartConversation')[1]).toMatchObject({
      input: { channel: 'whatsapp', hubspotContactId: '903', customer: { phone: '020 7946 0123' } },
    });
  });

  it('fills phone, email and names from the chosen contact, locks them, and sends its id', async () => {
    const mock = renderPage(
      { SearchHubspotContacts: () => ({ data: { searchHubspotContacts: [bob] } }), StartConversation: started },
      { allowOutboundSearch: true, requireOutboundMatch: false },
    );
    expect(screen.getByLabelText('Email')).not.toHaveAttribute('readonly');
    const user = await searchAndPick('bob', /Bob Smith/);

    expect(screen.getByLabelText('Email')).toHaveValue('bob@example.com');
    expect(screen.getByLabelText('Phone')).toHaveValue('+14155550123');
    expect(screen.getByLabelText('First name')).toHaveValue('Bob');
    expect(screen.getByLabelText('Last name')).toHaveValue('Smith');
    expect(screen.getByLabelText('Email')).toHaveAttribute('readonly');
    expect(screen.getByLabelText('Phone')).toHaveAccessibleDescription(/Filled from the selected HubSpot contact/);
    expect(screen.getByRole('group', { name: 'Selected HubSpot contact' })).toHaveTextContent('Bob Smith');

    await user.type(screen.getByLabelText('First message'), 'Hi Bob');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));
    await settle();
    expect(variablesOf(mock.executeMutation, 'StartConversation')).toEqual([
      {
        input: {
          channel: 'web',
          customer: { email: 'bob@example.com', phone: '+14155550123', firstName: 'Bob', lastName: 'Smith' },
          message: 'Hi Bob',
          hubspotContactId: '901',
        },
      },
    ]);
    expect(window.location.hash).toBe('#/chat/cnv_42');
  });

  it('fills the mobile number for an SMS chat, and clearing the selection empties and unlocks the fields', async () => {
    const mock = renderPage(
      { SearchHubspotContacts: () => ({ data: { searchHubspotContacts: [bob] } }) },
      { allowOutboundSearch: true, requireOutboundMatch: false },
    );
    await userEvent.setup().selectOptions(screen.getByLabelText('Channel'), 'SMS');
    const user = await searchAndPick('bob', /Bob Smith/);
    expect(screen.getByLabelText('Phone')).toHaveValue('+447911123456');
    await user.selectOptions(screen.getByLabelText('Channel'), 'Web chat');
    expect(screen.getByLabelText('Phone')).toHaveValue('+14155550123');

    await user.click(screen.getByRole('button', { name: 'Clear selection' }));
    expect(screen.getByLabelText('Phone')).toHaveValue('');
    expect(screen.getByLabelText('Email')).not.toHaveAttribute('readonly');
    await user.type(screen.getByLabelText('Phone'), '+447911000111');
    expect(screen.getByLabelText('Phone')).toHaveValue('+447911000111');
    expect(mock.executeMutation).not.toHaveBeenCalled();
  });

  it('with "Only allow HubSpot matches" keeps the fields read-only and will not start without a selection', async () => {
    const user = userEvent.setup();
    const mock = renderPage(
      { SearchHubspotContacts: () => ({ data: { searchHubspotContacts: [bob] } }), StartConversation: started },
      { allowOutboundSearch: true, requireOutboundMatch: true },
    );
    for (const label of ['Email', 'Phone', 'First name', 'Last name']) {
      expect(screen.getByLabelText(label)).toHaveAttribute('readonly');
    }
    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription('Only HubSpot contacts can be used here: search and select one above.');
    await user.type(screen.getByLabelText('Email'), 'someone@example.com');
    expect(screen.getByLabelText('Email')).toHaveValue('');

    await user.type(screen.getByLabelText('First message'), 'Hello');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));
    const search = screen.getByRole('combobox', { name: 'Search HubSpot contacts' });
    expect(search).toHaveAttribute('aria-invalid', 'true');
    expect(search).toHaveAccessibleDescription(/Select a HubSpot contact: this workspace only starts chats with contacts found in HubSpot\./);
    expect(mock.executeMutation).not.toHaveBeenCalled();

    const typist = await searchAndPick('bob', /Bob Smith/);
    expect(search).not.toHaveAttribute('aria-invalid');
    expect(screen.getByLabelText('Email')).toHaveAttribute('readonly');
    await typist.click(screen.getByRole('button', { name: 'Start chat' }));
    await settle();
    expect(variablesOf(mock.executeMutation, 'StartConversation')[0]).toMatchObject({ input: { hubspotContactId: '901' } });
  });

  it('shows the server’s refusal of a contact next to the search field', async () => {
    renderPage(
      {
        SearchHubspotContacts: () => ({ data: { searchHubspotContacts: [bob] } }),
        StartConversation: () => ({ error: graphqlError('HubSpot contact 901 no longer exists.', 'EINVALID', 'hubspotContactId') }),
      },
      { allowOutboundSearch: true, requireOutboundMatch: true },
    );
    const user = await searchAndPick('bob', /Bob Smith/);
    await user.type(screen.getByLabelText('First message'), 'Hello');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));
    await settle();
    expect(screen.getByRole('combobox', { name: 'Search HubSpot contacts' })).toHaveAccessibleDescription(/HubSpot contact 901 no longer exists\./);
  });
});
