import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach, expect } from 'vitest';
import { unhandledOperations } from './mockClient';

afterEach(() => {
  cleanup();
  window.sessionStorage.clear();
  window.localStorage.clear();
  window.location.hash = '';
  const unhandled = unhandledOperations.splice(0);
  expect(unhandled, 'GraphQL operations no mock handler answered').toEqual([]);
});
