import type { MouseEvent, ReactNode } from 'react';
import './external-link.css';

export interface ExternalLinkProps {
  href: string;
  /** What the link opens, read out by screen readers, e.g. "Open Bob Smith in HubSpot". */
  label: string;
  children?: ReactNode;
  className?: string;
  onClick?: (event: MouseEvent<HTMLAnchorElement>) => void;
  tabIndex?: number;
}

/**
 * A link that opens in a new tab (↗ by default) without giving the new page a handle on this one
 * (rel="noopener noreferrer").
 */
export function ExternalLink({ href, label, children = '↗', className, onClick, tabIndex }: ExternalLinkProps) {
  return (
    <a
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      aria-label={`${label} (opens in a new tab)`}
      title={`${label} (opens in a new tab)`}
      className={['external-link', className].filter(Boolean).join(' ')}
      onClick={onClick}
      tabIndex={tabIndex}
    >
      {children}
    </a>
  );
}
