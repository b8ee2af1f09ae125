// Dates arrive as RFC 3339 strings (the schema's Time scalar) and are shown in the workspace's time zone (the
// console sets it once the workspace is known), with the viewer's locale deciding between a 12- and a 24-hour
// clock. Hours have no leading zero in 12-hour clocks ("7:06 PM"), as people write them.

let timeZone: string | undefined;
let formats = makeFormats(undefined);

function makeFormats(tz: string | undefined) {
  return {
    time: new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', timeZone: tz }),
    dateTime: new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit', timeZone: tz }),
    day: new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: tz }),
  };
}

/** Shows every later time in tz (an IANA name); an unknown zone leaves the viewer's own. */
export function setDisplayTimeZone(tz: string | undefined): void {
  if (tz === timeZone) return;
  try {
    formats = makeFormats(tz);
    timeZone = tz;
  } catch {
    formats = makeFormats(undefined);
    timeZone = undefined;
  }
}

/** "14:05" (or "2:05 PM") for today, "3 Mar, 14:05" for other days, in the display time zone. */
export function formatWhen(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return formats.day.format(d) === formats.day.format(now) ? formats.time.format(d) : formats.dateTime.format(d);
}
