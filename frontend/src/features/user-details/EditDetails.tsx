import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { CustomerInput } from '../../gql/graphql';
import { fieldErrors } from '../../shared/api';
import { Banner, Button, Field } from '../../shared/ui';

const CustomerForEdit = graphql(`
  query CustomerForEdit($id: ID!) {
    customer(id: $id) {
      id
      firstName
      lastName
      email
      phone
      phoneRaw
    }
  }
`);

const UpdateCustomerDetails = graphql(`
  mutation UpdateCustomerDetails($id: ID!, $input: CustomerInput!) {
    updateCustomer(id: $id, input: $input) {
      id
      name
      firstName
      lastName
      email
      phone
      phoneRaw
    }
  }
`);

export interface EditableCustomer {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  phoneRaw: string | null;
}

type Name = 'firstName' | 'lastName' | 'email' | 'phone';
const names: Name[] = ['firstName', 'lastName', 'email', 'phone'];

// The same sanity check as Create New Chat; the gateway has the last word (a phone number must be valid).
const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Identify a visitor, or correct a customer's details: name, email and phone, validated as Create New Chat
 * validates them. The HubSpot card matches again with the new details.
 */
export function EditDetails({ customerId, onDone, onCancel }: { customerId: string; onDone: () => void; onCancel: () => void }) {
  const [{ data, error }] = useQuery({ query: CustomerForEdit, variables: { id: customerId }, requestPolicy: 'network-only' });
  if (error && !data) return <Banner tone="red" title="The customer's details could not be loaded.">{error.message}</Banner>;
  if (!data?.customer) return <p className="muted">Loading…</p>;
  return <EditForm customer={data.customer} onDone={onDone} onCancel={onCancel} />;
}

function EditForm({ customer, onDone, onCancel }: { customer: EditableCustomer; onDone: () => void; onCancel: () => void }) {
  const [form, setForm] = useState<Record<Name, string>>({
    firstName: customer.firstName ?? '',
    lastName: customer.lastName ?? '',
    email: customer.email ?? '',
    phone: customer.phoneRaw ?? customer.phone ?? '',
  });
  const [errors, setErrors] = useState<Partial<Record<Name, string>>>({});
  const [other, setOther] = useState<string[]>([]);
  const [{ fetching }, update] = useMutation(UpdateCustomerDetails);

  const set = (name: Name) => (e: { target: { value: string } }) => {
    setForm({ ...form, [name]: e.target.value });
    if (errors[name]) setErrors({ ...errors, [name]: undefined });
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    const email = form.email.trim();
    if (email && !emailShape.test(email)) {
      setErrors({ email: `"${email}" is not an email address such as name@example.com.` });
      return;
    }
    const input: CustomerInput = {};
    for (const n of names) input[n] = form[n].trim();
    const result = await update({ id: customer.id, input });
    if (result.data) {
      onDone();
      return;
    }
    const found = fieldErrors(result.error, names);
    setErrors(found.fields);
    setOther(found.other);
  }

  return (
    <form className="form user-details__edit" onSubmit={submit} noValidate aria-label="Customer details">
      {other.length > 0 && (
        <Banner tone="red" role="alert" title="The details were not saved.">
          {other.join(' ')}
        </Banner>
      )}
      <Field label="First name" error={errors.firstName}>
        <input value={form.firstName} onChange={set('firstName')} autoComplete="off" />
      </Field>
      <Field label="Last name" error={errors.lastName}>
        <input value={form.lastName} onChange={set('lastName')} autoComplete="off" />
      </Field>
      <Field label="Email" error={errors.email}>
        <input type="email" value={form.email} onChange={set('email')} autoComplete="off" />
      </Field>
      <Field label="Phone" error={errors.phone} hint="With the country code, or a number from the workspace's region.">
        <input type="tel" value={form.phone} onChange={set('phone')} autoComplete="off" />
      </Field>
      <div className="form__actions">
        <Button type="submit" variant="primary" busy={fetching}>
          Save details
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
