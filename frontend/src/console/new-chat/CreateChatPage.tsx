import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import type { CustomerInput } from '../../gql/graphql';
import { fieldErrors } from '../../shared/api';
import { channelLabel, channels } from '../../shared/lib/channels';
import { Banner, Button, Field } from '../../shared/ui';
import { navigate } from '../router';

const StartConversation = graphql(`
  mutation StartConversation($input: StartConversationInput!) {
    startConversation(input: $input) {
      id
    }
  }
`);

type FieldName = 'channel' | 'email' | 'phone' | 'firstName' | 'lastName' | 'message';
const fieldNames: FieldName[] = ['channel', 'email', 'phone', 'firstName', 'lastName', 'message'];

interface FormState {
  channel: string;
  email: string;
  phone: string;
  firstName: string;
  lastName: string;
  message: string;
}

const empty: FormState = { channel: channels[0], email: '', phone: '', firstName: '', lastName: '', message: '' };

/** Create New Chat: starts an outbound conversation with a new or matched customer. */
export function CreateChatPage() {
  const [form, setForm] = useState<FormState>(empty);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [{ fetching }, start] = useMutation(StartConversation);

  const set = (name: keyof FormState) => (event: { target: { value: string } }) => {
    setForm({ ...form, [name]: event.target.value });
    if (errors[name as FieldName]) setErrors({ ...errors, [name]: undefined });
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.message.trim() === '') {
      setErrors({ message: 'Enter the first message.' });
      return;
    }
    const customer: CustomerInput = {};
    for (const name of ['email', 'phone', 'firstName', 'lastName'] as const) {
      const value = form[name].trim();
      if (value) customer[name] = value;
    }
    const result = await start({ input: { channel: form.channel, customer, message: form.message.trim() } });
    if (result.data) {
      navigate(`/chat/${result.data.startConversation.id}`);
      return;
    }
    const { fields, other } = fieldErrors(result.error, fieldNames);
    setErrors(fields);
    setFormErrors(other);
  }

  return (
    <main className="page page--narrow" aria-labelledby="new-chat-title">
      <h1 id="new-chat-title">Create New Chat</h1>
      <form className="card form" onSubmit={submit} noValidate>
        {formErrors.length > 0 && (
          <Banner tone="red" role="alert" title="The chat could not be started.">
            {formErrors.join(' ')}
          </Banner>
        )}
        <Field label="Channel" error={errors.channel}>
          <select value={form.channel} onChange={set('channel')}>
            {channels.map((c) => (
              <option key={c} value={c}>
                {channelLabel(c)}
              </option>
            ))}
          </select>
        </Field>
        <div className="form__row">
          <Field label="Email" error={errors.email}>
            <input type="email" autoComplete="off" value={form.email} onChange={set('email')} />
          </Field>
          <Field label="Phone" error={errors.phone} hint="With the country code, or a number from the workspace's region.">
            <input type="tel" autoComplete="off" value={form.phone} onChange={set('phone')} />
          </Field>
        </div>
        <div className="form__row">
          <Field label="First name" error={errors.firstName}>
            <input autoComplete="off" value={form.firstName} onChange={set('firstName')} />
          </Field>
          <Field label="Last name" error={errors.lastName}>
            <input autoComplete="off" value={form.lastName} onChange={set('lastName')} />
          </Field>
        </div>
        <Field label="First message" error={errors.message}>
          <textarea rows={4} value={form.message} onChange={set('message')} />
        </Field>
        <div className="form__actions">
          <Button type="submit" variant="primary" busy={fetching}>
            Start chat
          </Button>
        </div>
      </form>
    </main>
  );
}
