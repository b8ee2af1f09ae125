import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockClient, graphqlError, MockProvider, variablesOf, type MockHandlers } from '../../testing/mockClient';
import { CreateChatPage } from './CreateChatPage';
import { contactIdInPath, reachableChannel } from './pickFromUrl';

const hana = {
  id: '901',
  name: 'Hana Sato',
  firstName: 'Hana',
  lastName: 'Sato',
  email: 'hana@example.com',
  phone: null,
  mobilePhone: '+447400123456',
  url: 'http://127.0.0.1:8090/contacts/1/record/0-1/901',
  createdAt: null,
  lifecycleStage: null,
  owner: null,
};

function renderAt(hash: string, handlers: MockHandlers, search = true) {
  window.location.hash = hash;
  const mock = createMockClient({
    CreateChatOptions: () => ({ data: { hubspotIntegration: { state: 'ENABLED' as const, options: { allowOutboundSearch: search, requireOutboundMatch: false } } } }),
    ...handlers,
  });
  render(
    <MockProvider client={mock.client}>
      <CreateChatPage />
    </MockProvider>,
  );
  return mock;
}

afterEach(() => {
  window.location.hash = '';
});

describe('Create New Chat opened from HubSpot (#/new?hubspotContactId=…)', () => {
  it('picks the contact the gateway read from HubSpot and starts the chat with it', async () => {
    const user = userEvent.setup();
    const mock = renderAt('#/new?hubspotContactId=901', {
      HubspotContactToPick: ({ id }) => ({ data: { hubspotContactToPick: { ...hana, id: String(id) } } }),
      StartConversation: () => ({ data: { startConversation: { id: 'cnv_7' } } }),
    });
    const picked = await screen.findByRole('group', { name: 'Selected HubSpot contact' });
    expect(within(picked).getByText('Hana Sato')).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveValue('hana@example.com');
    expect(screen.getByLabelText('Email')).toHaveAttribute('readonly');
    await user.type(screen.getByLabelText('First message'), 'Hello Hana');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));
    expect(variablesOf(mock.executeQuery, 'HubspotContactToPick')).toEqual([{ id: '901' }]);
    expect(variablesOf(mock.executeMutation, 'StartConversation')).toEqual([
      {
        input: {
          channel: 'web',
          customer: { email: 'hana@example.com', phone: '+447400123456', firstName: 'Hana', lastName: 'Sato' },
          message: 'Hello Hana',
          hubspotContactId: '901',
        },
      },
    ]);
    expect(window.location.hash).toBe('#/chat/cnv_7');
  });

  it('says why the contact is not picked when outbound search is off, and asks HubSpot nothing', async () => {
    const mock = renderAt('#/new?hubspotContactId=901', {}, false);
    expect(await screen.findByText(/does not allow HubSpot searching in outbound/)).toBeInTheDocument();
    expect(variablesOf(mock.executeQuery, 'HubspotContactToPick')).toEqual([]);
  });

  it('says why a contact HubSpot does not have is not picked', async () => {
    renderAt('#/new?hubspotContactId=404', {
      HubspotContactToPick: () => ({ error: graphqlError('HubSpot has no contact 404 (it may have been deleted).', 'EINVALID', 'id') }),
    });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The HubSpot contact could not be picked.');
    expect(alert).toHaveTextContent('HubSpot has no contact 404');
  });

  it('reads the ID from the route and chooses a channel that reaches the contact', () => {
    expect(contactIdInPath('/new?hubspotContactId=901')).toBe('901');
    expect(contactIdInPath('/new')).toBeNull();
    expect(contactIdInPath('/new?hubspotContactId=')).toBeNull();
    const emailOnly = { ...hana, phone: null, mobilePhone: null };
    expect(reachableChannel(emailOnly, 'sms')).toBe('web');
    expect(reachableChannel(emailOnly, 'email')).toBe('email');
    expect(reachableChannel({ ...hana, email: null, phone: null }, 'email')).toBe('web');
    expect(reachableChannel({ ...emailOnly, email: null }, 'web')).toBeNull();
  });
});
