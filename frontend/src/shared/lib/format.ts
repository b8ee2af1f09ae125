// Dates arrive as RFC 3339 strings (the schema's Time scalar) and are shown in the viewer's own time zone.

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTime = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/** "14:05" for today, "3 Mar, 14:05" for other days. */
export function formatWhen(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toDateString() === now.toDateString() ? time.format(d) : dateTime.format(d);
}
