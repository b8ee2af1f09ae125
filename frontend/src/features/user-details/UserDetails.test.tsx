import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createMockClient, graphqlError, MockProvider, silent, variablesOf, type MockHandlers } from '../../testing/mockClient';
import { UserDetails } from './UserDetails';

function renderPanel(handlers: MockHandlers, channel?: string) {
  const mock = createMockClient({ HubspotContact: silent, HubspotContactUpdated: silent, ...handlers });
  render(
    <MockProvider client={mock.client}>
      <UserDetails customerId="cus_1" channel={channel} />
    </MockProvider>,
  );
  return mock;
}

describe('UserDetails', () => {
  it("shows the customer's name, email, phone and the chat's channel", () => {
    const mock = renderPanel(
      {
        UserDetails: () => ({
          data: { customer: { id: 'cus_1', name: 'Grace Hopper', email: 'grace@example.com', phone: '+447911123456', phoneRaw: '07911 123456' } },
        }),
      },
      'whatsapp',
    );
    const panel = screen.getByRole('region', { name: 'User Details' });
    expect(within(panel).getByText('Grace Hopper')).toBeInTheDocument();
    expect(within(panel).getByText('Email').nextElementSibling).toHaveTextContent('grace@example.com');
    expect(within(panel).getByText('+447911123456')).toBeInTheDocument();
    expect(within(panel).getByText('WhatsApp')).toBeInTheDocument();
    expect(variablesOf(mock.executeQuery, 'UserDetails')).toEqual([{ customerId: 'cus_1' }]);
  });

  it('calls a customer with no name an anonymous visitor and says what is not known', () => {
    renderPanel({
      UserDetails: () => ({ data: { customer: { id: 'cus_1', name: null, email: null, phone: null, phoneRaw: null } } }),
    });
    expect(screen.getByText('Anonymous visitor')).toBeInTheDocument();
    expect(screen.getAllByText('Not known')).toHaveLength(2);
  });

  it('shows the error message when the details cannot be loaded', () => {
    renderPanel({ UserDetails: () => ({ error: graphqlError('The database is not reachable.', 'EUNAVAILABLE') }) });
    expect(screen.getByText('The database is not reachable.')).toBeInTheDocument();
  });
});
