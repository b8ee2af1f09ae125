import { describe, expect, it } from 'vitest';
import { formatWhen } from '../../shared/lib/format';
import { formatAgo } from './when';

const now = new Date('2025-01-02T12:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms).toISOString();

describe('formatAgo', () => {
  it.each([
    [at(-20_000), 'just now'],
    [at(30_000), 'just now'], // a little ahead of the ticking clock
    [at(-60_000), '1 min ago'],
    [at(-59 * 60_000), '59 min ago'],
    [at(-60 * 60_000), formatWhen(at(-60 * 60_000), now)],
    [at(-3 * 86_400_000), formatWhen(at(-3 * 86_400_000), now)],
    [at(2 * 3_600_000), formatWhen(at(2 * 3_600_000), now)],
  ])('%s → %s', (iso, words) => {
    expect(formatAgo(iso, now)).toBe(words);
  });

  it('says nothing for a value that is not a time', () => {
    expect(formatAgo('soon', now)).toBe('');
  });
});
