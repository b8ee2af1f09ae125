import { useEffect, useState } from 'react';
import { formatWhen } from '../../shared/lib/format';

const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

/** "just now", "5 min ago" within the hour, then "14:05" today and "3 Mar, 14:05" before. */
export function formatAgo(iso: string, now: Date): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const minutes = Math.floor((now.getTime() - at) / 60_000);
  // A moment in the future is a clock apart from ours, or newer than `now` (which ticks every 30 s).
  if (minutes < 1) return at - now.getTime() < 5 * 60_000 ? 'just now' : formatWhen(iso, now);
  if (minutes < 60) return `${minutes} min ago`;
  return formatWhen(iso, now);
}

/** The whole date and time, for a tooltip beside a relative time. */
export function formatFull(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '' : full.format(at);
}

/** The current time, refreshed every `everyMs` so relative times stay true while the card is open. */
export function useNow(everyMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(new Date()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}
