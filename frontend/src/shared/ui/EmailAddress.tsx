import { Fragment } from 'react';
import './email.css';

/**
 * An e-mail address that wraps only where a reader expects it to: anywhere in a long local part, after the @,
 * and before a dot of the domain, never inside a domain label ("example.co" stays whole). The text is the
 * address unchanged, so copying it copies the address.
 */
export function EmailAddress({ address }: { address: string }) {
  const at = address.lastIndexOf('@');
  if (at <= 0) return <span className="email">{address}</span>;
  const local = address.slice(0, at);
  const labels = address.slice(at + 1).split('.');
  return (
    <span className="email">
      <span className="email__local">{local}</span>
      <wbr />@
      <span className="email__domain">
        {labels.map((label, i) => (
          <Fragment key={i}>
            {i > 0 && (
              <>
                <wbr />.
              </>
            )}
            <span className="email__label">{label}</span>
          </Fragment>
        ))}
      </span>
    </span>
  );
}
