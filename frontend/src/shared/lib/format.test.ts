import { afterEach, describe, expect, it } from 'vitest';
import { formatWhen, regionHourCycle, setDisplayTimeZone } from './format';

describe('formatWhen', () => {
  afterEach(() => setDisplayTimeZone(undefined));

  it('shows times in the workspace time zone, today as a time and other days with the date', () => {
    const now = new Date('2026-03-03T12:00:00Z');
    setDisplayTimeZone('Asia/Kolkata');
    // 08:35 UTC is 14:05 in Kolkata (UTC+5:30).
    expect(formatWhen('2026-03-03T08:35:00Z', now)).toMatch(/^(14:05|2:05\sPM)$/);
    setDisplayTimeZone('America/New_York');
    // The same instant is 03:35 on the same day in New York.
    expect(formatWhen('2026-03-03T08:35:00Z', now)).toMatch(/^(3:35|3:35\sAM|03:35)$/);
    // 02:00 UTC on 3 March is still 2 March in New York: another day, so the date is shown.
    expect(formatWhen('2026-03-03T02:00:00Z', now)).toMatch(/Mar/);
  });

  it('has no leading zero on a 12-hour clock', () => {
    setDisplayTimeZone('UTC');
    const text = formatWhen('2026-03-03T07:06:00Z', new Date('2026-03-03T12:00:00Z'));
    expect(text).not.toMatch(/^0\d:\d\d\s?[AP]M$/);
  });

  it("uses the clock of the workspace's region: 24-hour in GB and FR, 12-hour in the US", () => {
    const now = new Date('2026-03-03T22:00:00Z');
    setDisplayTimeZone('UTC', 'GB');
    expect(formatWhen('2026-03-03T19:06:00Z', now)).toBe('19:06');
    setDisplayTimeZone('UTC', 'fr');
    expect(formatWhen('2026-03-03T19:06:00Z', now)).toBe('19:06');
    setDisplayTimeZone('UTC', 'US');
    expect(formatWhen('2026-03-03T19:06:00Z', now)).toMatch(/^7:06\sPM$/);
    expect(formatWhen('2026-03-03T07:06:00Z', now)).toMatch(/^7:06\sAM$/);
  });

  it('keeps the viewer clock for a region it does not know', () => {
    expect(regionHourCycle('ZZ')).toBeUndefined();
    expect(regionHourCycle('not a region')).toBeUndefined();
    expect(regionHourCycle(undefined)).toBeUndefined();
    expect(regionHourCycle('DE')).toBe('h23');
  });

  it('keeps the viewer zone for an unknown time zone', () => {
    setDisplayTimeZone('Mars/Olympus');
    expect(formatWhen('2026-03-03T07:06:00Z')).not.toBe('');
  });
});
