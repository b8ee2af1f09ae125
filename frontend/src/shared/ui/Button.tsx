import type { ComponentPropsWithRef } from 'react';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'link';

export interface ButtonProps extends ComponentPropsWithRef<'button'> {
  variant?: ButtonVariant;
  busy?: boolean;
}

/** A button; `busy` disables it and tells assistive technology that work is in progress. */
export function Button({ variant = 'secondary', busy = false, className, disabled, type = 'button', ...rest }: ButtonProps) {
  const classes = ['btn', `btn--${variant}`, className].filter(Boolean).join(' ');
  return <button {...rest} type={type} className={classes} disabled={disabled || busy} aria-busy={busy || undefined} />;
}
