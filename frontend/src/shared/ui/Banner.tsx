import type { ReactNode } from 'react';

/** Banner colours carry meaning: yellow needs attention, green is healthy, red is broken, blue informs. */
export type BannerTone = 'yellow' | 'green' | 'red' | 'blue';

export interface BannerProps {
  tone: BannerTone;
  title: ReactNode;
  children?: ReactNode;
  actions?: ReactNode;
  /** "alert" interrupts screen readers; use it for errors the person just caused. */
  role?: 'status' | 'alert';
}

export function Banner({ tone, title, children, actions, role = 'status' }: BannerProps) {
  return (
    <div role={role} className={`banner banner--${tone}`} data-state={tone}>
      <div className="banner__body">
        <p className="banner__title">{title}</p>
        {children && <div className="banner__text">{children}</div>}
      </div>
      {actions && <div className="banner__actions">{actions}</div>}
    </div>
  );
}
