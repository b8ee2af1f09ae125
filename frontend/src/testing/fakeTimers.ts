import { vi } from 'vitest';

/**
 * Fake timers that Testing Library and user-event work with: Testing Library only advances timers it knows are
 * fake (it looks for Jest), so a `jest` shim pointing at Vitest is installed while they are on. Returns the
 * function that restores real timers.
 */
export function useFakeTimers(): () => void {
  vi.useFakeTimers();
  const g = globalThis as { jest?: unknown };
  g.jest = { advanceTimersByTime: (ms: number) => vi.advanceTimersByTime(ms) };
  return () => {
    delete g.jest;
    vi.useRealTimers();
  };
}
