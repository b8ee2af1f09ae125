// Every state in words a person can act on (issue 17, section 3), in a real browser against the gateway's own
// HubSpot simulator, whose /_sim/ control API injects HubSpot's faults:
// - Check connection before Enable proves the grant step by step;
// - a HubSpot 400 fails a sync with a sentence, HubSpot's message and correlation ID behind the admin's Details,
//   with each attempt that did not succeed (its time and words);
// - HubSpot answering 503: a health line ("HubSpot has not answered since … — 1 transcript waiting, next try …")
//   in every open tab while it lasts, gone at the first answer;
// - the app revoked in HubSpot: the first refused call turns the card red with Reconnect, live in every tab;
// - Disable: the waiting rows show as cancelled in the same tab, without a reload; rows link to their conversation.
// Screenshots in test-output/hubspot-states-*.png.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectHubspot, screenshot, setup, signIn, simulatorControl } from './harness.mjs';

let env;

before(async () => {
  env = await setup('hubspot-states');
});

after(async () => {
  await env?.teardown();
});

/** The gateway's simulator's control API. */
const control = (path, body) => simulatorControl(env.gateway.simulatorUrl, path, body);

/** Opens the customer's conversation in the chat tab, waits for its HubSpot card to settle, then runs before() and closes it. */
async function closeChat(page, name, beforeClose = async () => {}) {
  await page.getByRole('link', { name: 'Agent Chat' }).click();
  const inbox = page.getByRole('navigation', { name: 'Conversations' });
  await inbox.getByRole('link', { name: new RegExp(name) }).first().click();
  await page.getByRole('list', { name: 'Transcript' }).waitFor();
  const card = page.getByRole('region', { name: 'HubSpot', exact: true });
  await card.waitFor();
  await page.waitForFunction((el) => !el.textContent.includes('Loading'), await card.elementHandle(), { timeout: 30_000 });
  await beforeClose();
  await page.getByRole('button', { name: 'Close conversation' }).click();
  await page.locator('.conversation__header .badge[data-status="CLOSED"]').waitFor();
}

test('states in words: check, a refused sync, HubSpot down, access revoked, Disable', { timeout: 300_000 }, async (t) => {
  const { page: admin, context, gateway } = env;
  t.after(() => {
    for (const error of env.consoleErrors) t.diagnostic(`browser: ${error}`);
  });

  // Connect HubSpot.
  await signIn(admin, gateway.url, 'Sign in as Ada Admin (admin)');
  const card = await connectHubspot(admin, context, gateway.url);
  const portalId = (await card.locator('.banner').first().textContent()).match(/Portal (\d+)/)?.[1];
  assert.ok(portalId, 'the banner names the connected portal');

  // 1. Check the connection before Enable: every step in words, nothing written.
  const before = (await control('/_sim/requests')).length;
  await card.getByRole('button', { name: 'Check connection' }).click();
  const result = card.getByRole('status', { name: 'Connection check result' });
  await result.getByText('Everything worked').waitFor({ timeout: 30_000 });
  const steps = result.getByRole('listitem');
  assert.equal(await steps.count(), 5);
  assert.match(await steps.nth(0).textContent(), new RegExp(`Read the account details — passed\\. Portal ${portalId} answers`));
  assert.match(await steps.nth(4).textContent(), /Write a test note — skipped\. Nothing was written/);
  const calls = (await control('/_sim/requests')).slice(before);
  assert.deepEqual(
    calls.filter((r) => r.method !== 'GET' && !r.path.endsWith('/search') && !r.path.startsWith('/oauth')),
    [],
    'the check wrote nothing',
  );
  await screenshot(admin, 'hubspot-states-1-check');

  await card.getByRole('button', { name: 'Enable' }).click();
  await admin.getByRole('dialog', { name: 'Enable HubSpot syncing?' }).getByRole('button', { name: 'Enable' }).click();
  await card.locator('.banner[data-state="green"]').waitFor();
  const activity = card.getByRole('region', { name: 'Sync activity' });

  // A second tab on the card, and a third where chats are closed.
  const other = await context.newPage();
  await other.goto(gateway.url);
  await other.getByRole('link', { name: 'Integrations' }).click();
  const otherCard = other.getByRole('region', { name: 'HubSpot' });
  await otherCard.locator('.banner[data-state="green"]').waitFor();
  const chats = await context.newPage();
  await chats.goto(gateway.url);

  // 2. HubSpot refuses the customer's data (400 VALIDATION_ERROR): the row says what happened and what to do;
  // HubSpot's own words and the correlation ID are behind Details.
  await closeChat(chats, 'Liam Chen', () => control('/_sim/faults', { failNext: 20, status: 400 }));
  const liam = activity.getByRole('listitem').filter({ hasText: 'liam.chen@example.net' });
  await liam.getByText(/Failed after 1 attempt/).waitFor({ timeout: 60_000 });
  await control('/_sim/faults', { failNext: 0, status: 500 });
  const liamText = await liam.textContent();
  assert.match(liamText, /HubSpot refused the data Convrs sent for this transcript as invalid/);
  assert.doesNotMatch(liamText.replace(/Details.*$/s, ''), /Failed: Failed:|correlation|VALIDATION_ERROR|hubspot:/);
  const detail = liam.getByText(/correlation ID/);
  assert.equal(await detail.isVisible(), false, 'HubSpot’s answer waits behind Details');
  await liam.getByText('Details', { exact: true }).click();
  await detail.waitFor();
  assert.match(await detail.textContent(), /400 VALIDATION_ERROR/);
  const liamAttempts = await liam.getByRole('list', { name: 'Attempts that did not succeed' }).getByRole('listitem').allTextContents();
  assert.equal(liamAttempts.length, 1, `one attempt did not succeed: ${liamAttempts.join(' | ')}`);
  assert.match(liamAttempts[0], /^Attempt 1 \(\d{1,2}:\d{2}\): HubSpot refused the data Convrs sent for this transcript as invalid, so it was not written\./);
  assert.doesNotMatch(liamAttempts[0], /correlation|VALIDATION_ERROR|hubspot:/);
  const open = liam.getByRole('link', { name: 'Open conversation' });
  assert.match(await open.getAttribute('href'), /^#\/chat\/.+/);
  await screenshot(admin, 'hubspot-states-2-refused-details');

  // 3. HubSpot down: a health line in both tabs while it lasts.
  await closeChat(chats, 'Olga Ivanova', () => control('/_sim/faults', { failureRatePercent: 100, status: 503 }));
  const health = activity.getByText(/HubSpot has not answered since \d{1,2}:\d{2}/);
  await health.waitFor({ timeout: 60_000 });
  const olga = activity.getByRole('listitem').filter({ hasText: 'olga@example.com' });
  await olga.getByText(/Waiting, next try at/).waitFor({ timeout: 60_000 });
  await activity.getByText(/— 1 transcript waiting, next try \d{1,2}:\d{2}/).waitFor({ timeout: 30_000 });
  await otherCard.getByText(/HubSpot has not answered since/).waitFor({ timeout: 30_000 });
  await screenshot(admin, 'hubspot-states-3-hubspot-down');
  // HubSpot answers again: the first answered call (here, a check) clears the line in every tab.
  await control('/_sim/faults', { failureRatePercent: 0, status: 500 });
  await card.getByRole('button', { name: 'Check connection' }).click();
  await health.waitFor({ state: 'detached', timeout: 30_000 });
  await otherCard.getByText(/HubSpot has not answered since/).waitFor({ state: 'detached', timeout: 30_000 });
  await olga.getByText('Written to HubSpot:').waitFor({ timeout: 90_000 });
  // Written in the end, the record keeps the attempts HubSpot did not answer behind its Details.
  await olga.getByText('Details', { exact: true }).click();
  const olgaAttempts = await olga.getByRole('list', { name: 'Attempts that did not succeed' }).getByRole('listitem').allTextContents();
  assert.ok(olgaAttempts.length >= 1, 'at least one attempt waited for HubSpot');
  for (const line of olgaAttempts) assert.match(line, /^Attempt \d+ \(\d{1,2}:\d{2}\): HubSpot/);
  await screenshot(admin, 'hubspot-states-3-attempts-details');

  // 4. The app uninstalled in HubSpot: the next sync's refused call turns both cards red with Reconnect at once.
  await control(`/_sim/portals/${portalId}/revoke`, {});
  await closeChat(chats, 'Maya Rossi');
  await card.locator('.banner[data-state="red"]').waitFor({ timeout: 30_000 });
  await card.getByRole('button', { name: 'Reconnect' }).waitFor();
  assert.match(await card.locator('.banner[data-state="red"]').textContent(), /HubSpot refused Convrs's authorization/);
  await otherCard.locator('.banner[data-state="red"]').waitFor({ timeout: 30_000 });
  await otherCard.getByRole('button', { name: 'Reconnect' }).waitFor();
  const maya = activity.getByRole('listitem').filter({ hasText: 'Maya Rossi' });
  await maya.getByText('Waiting for HubSpot to be reconnected').waitFor({ timeout: 30_000 });
  // The earlier check's "Everything worked" went with the state it was true in.
  assert.equal(await card.getByRole('status', { name: 'Connection check result' }).count(), 0);
  await card.locator('.banner[data-state="red"]').scrollIntoViewIfNeeded();
  await screenshot(admin, 'hubspot-states-4-revoked');

  // 5. Disable: the waiting row shows as cancelled in this tab, without a reload.
  await card.getByRole('button', { name: 'Disable' }).click();
  await admin.getByRole('dialog', { name: 'Disable and disconnect HubSpot?' }).getByRole('button', { name: 'Disable and disconnect' }).click();
  const history = card.getByRole('region', { name: 'Sync history' });
  await history.waitFor({ timeout: 30_000 });
  const mayaAfter = history.getByRole('listitem').filter({ hasText: 'Maya Rossi' });
  await mayaAfter.getByText(/^Cancelled$/).waitFor({ timeout: 30_000 });
  await screenshot(admin, 'hubspot-states-5-disabled');
});
