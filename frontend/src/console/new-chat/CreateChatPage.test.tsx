import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { createMockClient, graphqlError, MockProvider, variablesOf, type MockHandlers } from '../../testing/mockClient';
import { CreateChatPage } from './CreateChatPage';

function renderPage(handlers: MockHandlers) {
  const mock = createMockClient(handlers);
  render(
    <MockProvider client={mock.client}>
      <CreateChatPage />
    </MockProvider>,
  );
  return mock;
}

describe('CreateChatPage', () => {
  it('shows the server error next to the field it names', async () => {
    const user = userEvent.setup();
    renderPage({
      StartConversation: () => ({ error: graphqlError('"not-an-email" is not a valid email address.', 'EINVALID', 'email') }),
    });
    await user.type(screen.getByLabelText('Email'), 'not-an-email');
    await user.type(screen.getByLabelText('First message'), 'Hello from Convrs');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));

    const email = screen.getByLabelText('Email');
    expect(email).toHaveAttribute('aria-invalid', 'true');
    expect(email).toHaveAccessibleDescription('"not-an-email" is not a valid email address.');
    expect(screen.getByLabelText('Phone')).not.toHaveAttribute('aria-invalid');
  });

  it('starts the chat with what was entered and opens it', async () => {
    const user = userEvent.setup();
    const mock = renderPage({ StartConversation: () => ({ data: { startConversation: { id: 'cnv_42' } } }) });
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

  it('asks for the first message before calling the server', async () => {
    const user = userEvent.setup();
    const mock = renderPage({});
    await user.click(screen.getByRole('button', { name: 'Start chat' }));
    expect(screen.getByLabelText('First message')).toHaveAccessibleDescription('Enter the first message.');
    expect(mock.executeMutation).not.toHaveBeenCalled();
  });

  it('shows errors that name no field above the form', async () => {
    const user = userEvent.setup();
    renderPage({ StartConversation: () => ({ error: graphqlError('Enter an email, a phone number or a name.', 'EINVALID', 'customer') }) });
    await user.type(screen.getByLabelText('First message'), 'Hi');
    await user.click(screen.getByRole('button', { name: 'Start chat' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Enter an email, a phone number or a name.');
  });
});
