import { defineConfig } from 'vitest/config';

// The card's tests run in Node with HubSpot's own testing renderer (@hubspot/ui-extensions/testing): no DOM.
export default defineConfig({
  test: { globals: true, environment: 'node', include: ['*.test.tsx'] },
});
