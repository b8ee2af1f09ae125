import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createMockClient, silent } from '../../testing/mockClient';
import { mount } from './mount';

const customers: Record<string, string> = { cus_1: 'Grace Hopper', cus_2: 'Alan Turing' };

describe('user-details mount', () => {
  it('renders into a host element, follows update() and cleans up on unmount()', () => {
    const { client } = createMockClient({
      HubspotContact: silent,
      HubspotContactUpdated: silent,
      UserDetails: ({ customerId }) => ({
        data: { customer: { id: String(customerId), name: customers[customerId], email: null, phone: null, phoneRaw: null } },
      }),
    });
    const host = document.body.appendChild(document.createElement('div'));

    let widget!: ReturnType<typeof mount>;
    act(() => {
      widget = mount(host, { client, customerId: 'cus_1', channel: 'sms' });
    });
    expect(screen.getByText('Grace Hopper')).toBeInTheDocument();
    expect(screen.getByText('SMS')).toBeInTheDocument();

    act(() => widget.update({ client, customerId: 'cus_2' }));
    expect(screen.getByText('Alan Turing')).toBeInTheDocument();

    act(() => widget.unmount());
    expect(host).toBeEmptyDOMElement();
    host.remove();
  });
});
