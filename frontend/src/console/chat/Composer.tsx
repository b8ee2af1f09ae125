import { useEffect, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Button, Field } from '../../shared/ui';

export interface ComposerProps {
  label: string;
  submitLabel: string;
  /** Sends the text; resolves to an error message, or null when it was sent. */
  onSend: (text: string) => Promise<string | null>;
  disabled?: boolean;
  hint?: string;
  variant?: 'primary' | 'secondary';
}

/** A message box: Enter sends, Shift+Enter starts a new line. */
export function Composer({ label, submitLabel, onSend, disabled = false, hint, variant = 'primary' }: ComposerProps) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // An error belongs to the state it was made in ("This conversation is closed"): a close or reopen clears it.
  useEffect(() => setError(null), [disabled]);

  async function send(event?: FormEvent) {
    event?.preventDefault();
    const message = text.trim();
    if (!message || sending || disabled) return;
    setSending(true);
    const failure = await onSend(message);
    setSending(false);
    setError(failure);
    if (!failure) setText('');
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  return (
    <form className="composer" onSubmit={send}>
      <Field label={label} hint={hint} error={error}>
        <textarea rows={2} value={text} disabled={disabled} onChange={(e) => setText(e.target.value)} onKeyDown={onKeyDown} />
      </Field>
      <Button type="submit" variant={variant} busy={sending} disabled={disabled || text.trim() === ''}>
        {submitLabel}
      </Button>
    </form>
  );
}
