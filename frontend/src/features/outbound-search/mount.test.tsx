import { act, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { createMockClient } from '../../testing/mockClient';
import { mount } from './mount';

const bob = { id: '101', name: 'Bob Smith', firstName: 'Bob', lastName: 'Smith', email: 'bob@example.com', phone: null, mobilePhone: null, url: 'https://app.hubspot.com/contacts/1/record/0-1/101', createdAt: null, lifecycleStage: null, owner: null };

describe('outbound-search mount', () => {
  it('renders into a host element, shows the selection passed by update() and cleans up on unmount()', () => {
    const { client } = createMockClient({});
    const host = document.body.appendChild(document.createElement('div'));
    const onSelect = vi.fn();

    let widget!: ReturnType<typeof mount>;
    act(() => {
      widget = mount(host, { client, onSelect });
    });
    expect(screen.getByRole('combobox', { name: 'Search HubSpot contacts' })).toBeInTheDocument();
    expect(screen.queryByRole('group', { name: 'Selected HubSpot contact' })).not.toBeInTheDocument();

    act(() => widget.update({ client, onSelect, selected: bob }));
    expect(screen.getByRole('group', { name: 'Selected HubSpot contact' })).toHaveTextContent('Bob Smith');

    act(() => widget.unmount());
    expect(host).toBeEmptyDOMElement();
    host.remove();
  });
});
