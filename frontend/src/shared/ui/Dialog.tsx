import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { createPortal } from 'react-dom';
import { Button, type ButtonVariant } from './Button';

export interface DialogProps {
  title: ReactNode;
  /** What will happen when the person confirms. */
  children: ReactNode;
  confirmLabel?: string;
  cancelLabel?: string;
  confirmVariant?: ButtonVariant;
  busy?: boolean;
  /** Shown inside the dialog when confirming failed, so the person can retry or cancel. */
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
  /**
   * Where focus goes when the dialog closes and the element that opened it is gone or disabled (confirming removed it):
   * e.g. the heading of the card it belongs to (give it tabIndex={-1}), never the page body.
   */
  fallbackFocus?: RefObject<HTMLElement | null>;
}

const focusable =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal confirmation dialog: labelled by its title and described by its text, keeps keyboard focus inside
 * itself while open, cancels on Escape, and gives focus back to where it was when it closes.
 */
export function Dialog({
  title,
  children,
  confirmLabel = 'Confirm',
  cancelLabel = 'Cancel',
  confirmVariant = 'primary',
  busy = false,
  error,
  onConfirm,
  onCancel,
  fallbackFocus,
}: DialogProps) {
  const id = useId();
  const panel = useRef<HTMLDivElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // Cancel is the safe default for a confirmation.
    cancelButton.current?.focus();
    return () => {
      if (previous?.isConnected) previous.focus();
      // Gone, or disabled by what the confirmation did: focus() left it where it was.
      if (!previous || document.activeElement !== previous) fallbackFocus?.current?.focus();
    };
    // The fallback is a ref object, stable for the dialog's life; its element is read when the dialog closes.
  }, []);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.stopPropagation();
      if (!busy) onCancel();
      return;
    }
    if (event.key !== 'Tab' || !panel.current) return;
    const items = Array.from(panel.current.querySelectorAll<HTMLElement>(focusable));
    if (items.length === 0) {
      event.preventDefault();
      return;
    }
    const first = items[0];
    const last = items[items.length - 1];
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !panel.current.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !panel.current.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  return createPortal(
    <div className="dialog-backdrop">
      <div
        ref={panel}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-body`}
        onKeyDown={onKeyDown}
      >
        <h2 className="dialog__title" id={`${id}-title`}>
          {title}
        </h2>
        <div className="dialog__body" id={`${id}-body`}>
          {children}
        </div>
        {error && (
          <p className="dialog__error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog__actions">
          <Button ref={cancelButton} onClick={onCancel} disabled={busy}>
            {cancelLabel}
          </Button>
          <Button variant={confirmVariant} onClick={onConfirm} busy={busy}>
            {busy ? 'Working…' : confirmLabel}
          </Button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
