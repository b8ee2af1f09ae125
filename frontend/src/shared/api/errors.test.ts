import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { conflictOf, fieldErrors } from './errors';

const invalid = (message: string, field?: string) =>
  new GraphQLError(message, { extensions: { code: 'EINVALID', ...(field ? { field } : {}) } });

describe('fieldErrors', () => {
  it('keys errors by the form fields they name and keeps the rest for the form', () => {
    const error = new CombinedError({
      graphQLErrors: [
        invalid('Bad phone', 'customer.phone'),
        invalid('Second phone error', 'phone'),
        invalid('Unknown field', 'hubspotContactId'),
        invalid('No field'),
        new GraphQLError('Only an administrator can do this.', { extensions: { code: 'EFORBIDDEN', field: 'phone' } }),
      ],
    });
    // A field shows its first error; an error naming a field the form lacks, or none, or not EINVALID, goes
    // above the form.
    expect(fieldErrors(error, ['phone', 'email'] as const)).toEqual({
      fields: { phone: 'Bad phone' },
      other: ['Unknown field', 'No field', 'Only an administrator can do this.'],
    });
  });

  it('turns a network failure into one message for the form', () => {
    const error = new CombinedError({ networkError: new Error('offline') });
    const { fields, other } = fieldErrors(error, ['email'] as const);
    expect(fields).toEqual({});
    expect(other).toHaveLength(1);
    expect(other[0]).toContain('offline');
  });

  it('is empty without an error', () => {
    expect(fieldErrors(undefined, ['email'] as const)).toEqual({ fields: {}, other: [] });
  });
});

describe('conflictOf', () => {
  it('reads the first ECONFLICT error with the id and field it names', () => {
    const error = new CombinedError({
      graphQLErrors: [
        invalid('Bad phone', 'customer.phone'),
        new GraphQLError('This matches Bob Smith (bob@example.com).', {
          extensions: { code: 'ECONFLICT', field: 'customer.email', customerId: 'cus_bob' },
        }),
      ],
    });
    expect(conflictOf(error, 'customerId')).toEqual({ message: 'This matches Bob Smith (bob@example.com).', id: 'cus_bob', field: 'email' });
  });

  it('has no id or field when the gateway sent none, and is null without a conflict', () => {
    const bare = new CombinedError({ graphQLErrors: [new GraphQLError('Already closed.', { extensions: { code: 'ECONFLICT' } })] });
    expect(conflictOf(bare, 'customerId')).toEqual({ message: 'Already closed.', id: null, field: null });
    expect(conflictOf(new CombinedError({ graphQLErrors: [invalid('Bad phone', 'phone')] }), 'customerId')).toBeNull();
    expect(conflictOf(undefined, 'customerId')).toBeNull();
  });
});
