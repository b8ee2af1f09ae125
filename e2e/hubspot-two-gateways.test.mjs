// Two gateway processes on PostgreSQL and Redis, as behind a load balancer: the admin card is served by one,
// while HubSpot's OAuth callback lands on the other. The OAuth state (kept in Redis) must be accepted there,
// and the card on the first must update live through Redis pub/sub, without a reload. A change made in a tab
// on the second gateway shows up on the first too.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createPostgresDatabase, freePort, launchBrowser, screenshot, signIn, startGateway, startSimulator } from './harness.mjs';

const services = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);
if (!services && process.env.CI === 'true') {
  throw new Error('TEST_DATABASE_URL and TEST_REDIS_URL must be set: this test needs PostgreSQL and Redis (CI=true)');
}

const stack = {};

before(async () => {
  if (!services) return;
  stack.db = await createPostgresDatabase('convrs_e2e');
  const port2 = await freePort();
  const second = `http://127.0.0.1:${port2}`;
  // The app's one registered redirect URL is the "load balancer" address's callback.
  stack.sim = await startSimulator('two-gateways', { redirectUris: [`${second}/oauth/hubspot/callback`] });
  // Shared by both processes, as production would configure them.
  const env = {
    DATABASE_URL: stack.db.url,
    REDIS_URL: process.env.TEST_REDIS_URL,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    HUBSPOT_CLIENT_ID: 'convrs-demo-client-id',
    HUBSPOT_CLIENT_SECRET: 'convrs-demo-client-secret',
    HUBSPOT_API_URL: stack.sim.url,
    HUBSPOT_APP_URL: stack.sim.url,
  };
  // The first process seeds the demo data; the second starts once it is ready. Both send HubSpot's callback
  // to the second (the "load balancer" address), so the handshake started on one finishes on the other.
  stack.one = await startGateway('two-gateways-1', { env: { ...env, PUBLIC_URL: second } });
  stack.two = await startGateway('two-gateways-2', { port: port2, env: { ...env, PUBLIC_URL: second } });
  stack.browser = await launchBrowser();
});

after(async () => {
  await stack.browser?.close().catch(() => {});
  await stack.one?.stop();
  await stack.two?.stop();
  await stack.sim?.stop();
  await stack.db?.drop();
});

test('the admin card follows a HubSpot connection completed on another gateway process', { skip: !services && 'needs TEST_DATABASE_URL and TEST_REDIS_URL', timeout: 180_000 }, async () => {
  const { context } = stack.browser;
  const page = context.pages()[0] ?? (await context.newPage());
  await signIn(page, stack.one.url, 'Sign in as Ada Admin (admin)');
  await page.getByRole('link', { name: 'Integrations' }).click();
  const card = page.getByRole('region', { name: 'HubSpot' });
  await card.getByRole('button', { name: 'Integrate' }).waitFor();
  await page.locator('header[data-connection="connected"]').waitFor();

  await card.getByRole('button', { name: 'Integrate' }).click();
  const [consent] = await Promise.all([context.waitForEvent('page'), card.getByRole('button', { name: 'Login to HubSpot' }).click()]);
  // The start link (on the public address, the second process) sets the browser's nonce cookie, then HubSpot.
  await consent.waitForURL((url) => url.origin === new URL(stack.sim.url).origin);
  await consent.getByRole('button', { name: 'Connect app' }).click();
  // The callback is served by the second process, with the state the first one issued.
  await consent.waitForURL((url) => url.origin === new URL(stack.two.url).origin);
  await consent.getByRole('heading', { name: 'HubSpot connected' }).waitFor();
  await screenshot(consent, 'two-gateways-1-callback-on-second');

  // The first process's card turns yellow through Redis pub/sub, without a reload.
  await page.bringToFront();
  await card.locator('.banner[data-state="yellow"]').waitFor({ timeout: 30_000 });
  assert.match(await card.locator('.banner').textContent(), /Portal \d+/);
  await screenshot(page, 'two-gateways-2-card-on-first');

  // A tab on the second process disables HubSpot; the first's card goes back to Integrate on its own.
  const other = await context.newPage();
  await signIn(other, stack.two.url, 'Sign in as Ada Admin (admin)');
  await other.getByRole('link', { name: 'Integrations' }).click();
  const otherCard = other.getByRole('region', { name: 'HubSpot' });
  await otherCard.locator('.banner[data-state="yellow"]').waitFor();
  await otherCard.getByRole('button', { name: 'Disable' }).click();
  await other.getByRole('dialog', { name: 'Disable and disconnect HubSpot?' }).getByRole('button', { name: 'Disable and disconnect' }).click();
  await otherCard.getByRole('button', { name: 'Integrate' }).waitFor();
  await card.getByRole('button', { name: 'Integrate' }).waitFor({ timeout: 30_000 });
  assert.equal(await card.locator('.banner').count(), 0);
  await screenshot(page, 'two-gateways-3-disabled-from-second');
});
