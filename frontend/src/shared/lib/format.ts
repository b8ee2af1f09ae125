// Dates arrive as RFC 3339 strings (the schema's Time scalar) and are shown in the workspace's time zone, with
// the clock of the workspace's region: 24-hour where people there use one (GB, FR, DE…), 12-hour elsewhere (US,
// AU, IN…). The console sets both once the workspace is known; until then the viewer's own zone and locale apply.
// Hours have no leading zero in 12-hour clocks ("7:06 PM"), as people write them.

type HourCycle = 'h11' | 'h12' | 'h23' | 'h24';

let current = '';
let formats = makeFormats(undefined, undefined);

function makeFormats(tz: string | undefined, hourCycle: HourCycle | undefined) {
  const clock = { hour: 'numeric', minute: '2-digit', timeZone: tz, ...(hourCycle ? { hourCycle } : {}) } as const;
  return {
    time: new Intl.DateTimeFormat(undefined, clock),
    dateTime: new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', ...clock }),
    day: new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: tz }),
    date: new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: tz }),
  };
}

/** The clock people use in region (an ISO 3166-1 code such as GB), from the region's likeliest locale. */
export function regionHourCycle(region: string | undefined): HourCycle | undefined {
  if (!region || !/^[A-Za-z]{2}$/.test(region)) return undefined;
  try {
    const code = region.toUpperCase();
    const language = new Intl.Locale('und', { region: code }).maximize().language;
    const resolved = new Intl.DateTimeFormat(`${language}-${code}`, { hour: 'numeric' }).resolvedOptions();
    // A region CLDR does not know resolves to the bare language: its clock says nothing about the region.
    return resolved.locale.endsWith(`-${code}`) ? (resolved.hourCycle as HourCycle | undefined) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Shows every later time in tz (an IANA name) with the clock of region (the workspace's default region); an
 * unknown zone leaves the viewer's own, an unknown region the viewer's clock.
 */
export function setDisplayTimeZone(tz: string | undefined, region?: string): void {
  const key = `${tz ?? ''}|${region ?? ''}`;
  if (key === current) return;
  current = key;
  const hourCycle = regionHourCycle(region);
  try {
    formats = makeFormats(tz, hourCycle);
  } catch {
    formats = makeFormats(undefined, hourCycle);
  }
}

/** "14:05" (or "2:05 PM") for today, "3 Mar, 14:05" for other days, in the display time zone. */
export function formatWhen(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return formats.day.format(d) === formats.day.format(now) ? formats.time.format(d) : formats.dateTime.format(d);
}

/** "1 Mar 2021": a date without the time, in the display time zone ("" for no date). */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : formats.date.format(d);
}
