import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { Composer } from './Composer';

describe('Composer', () => {
  it('clears an error made in another state when it is disabled or enabled again', async () => {
    const user = userEvent.setup();
    const onSend = vi.fn(async () => 'This conversation is closed.');
    const { rerender } = render(<Composer label="Customer message" submitLabel="Reply as customer" onSend={onSend} />);
    await user.type(screen.getByRole('textbox', { name: 'Customer message' }), 'Hello?');
    await user.click(screen.getByRole('button', { name: 'Reply as customer' }));
    expect(await screen.findByText('This conversation is closed.')).toBeInTheDocument();

    // The conversation is closed: the composer is disabled and the stale error goes.
    rerender(<Composer label="Customer message" submitLabel="Reply as customer" onSend={onSend} disabled />);
    expect(screen.getByRole('textbox', { name: 'Customer message' })).toBeDisabled();
    expect(screen.queryByText('This conversation is closed.')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reply as customer' })).toBeDisabled();
  });
});
