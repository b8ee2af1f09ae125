// The HubSpot app card end to end (issue 21), through the simulator's contact page, whose "Convrs" panel calls
// the gateway's card endpoint exactly as HubSpot's hubspot.fetch would (signed, same query parameters): an open
// chat appears on the contact's record; Open in Convrs opens that conversation in the console; Start chat in
// Convrs lands in Create New Chat with the contact picked, and the chat started there shows up in the panel.
// Screenshots: test-output/hubspot-app-card-*.png (the README shows hubspot-app-card-1-panel.png).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { connectAndEnableHubspot, outputDir, screenshot, setup, signIn, waitUntil } from './harness.mjs';

let env;

before(async () => {
  env = await setup('hubspot-app-card');
});

after(async () => {
  await env?.teardown();
});

test('the contact record shows its Convrs chats, opens them, and starts a new one with the contact picked', { timeout: 300_000 }, async (t) => {
  const { page, context, gateway } = env;
  t.after(() => {
    for (const error of env.consoleErrors) t.diagnostic(`browser: ${error}`);
  });

  await signIn(page, gateway.url, 'Sign in as Ada Admin (admin)');
  await connectAndEnableHubspot(page, context, gateway.url);

  // Alice Johnson's open chat: the console's HubSpot card links her to her contact and links to its record.
  await page.getByRole('link', { name: 'Agent Chat' }).click();
  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: /Alice Johnson/ }).click();
  await page.waitForURL(/#\/chat\/.+/);
  const aliceChat = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/chat\//, ''));
  const hubspotCard = page.getByRole('region', { name: 'HubSpot' });
  const recordLink = hubspotCard.getByRole('link', { name: 'Open Alice Johnson in HubSpot (opens in a new tab)' });
  await recordLink.waitFor({ timeout: 30_000 });
  const recordUrl = await recordLink.getAttribute('href');
  const contactId = recordUrl.split('/').pop();

  // The record in (simulated) HubSpot: the Convrs panel lists the open chat.
  const record = await context.newPage();
  await record.goto(recordUrl);
  const panel = record.getByRole('region', { name: 'Convrs' });
  const rows = panel.getByRole('table', { name: 'Convrs conversations' }).locator('tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1, 'one conversation about Alice');
  const first = rows.first();
  assert.match(await first.textContent(), /Open/);
  const openLink = first.getByRole('link', { name: 'Open in Convrs' });
  assert.equal(await openLink.getAttribute('href'), `${gateway.url}/#/chat/${aliceChat}`);
  await screenshot(record, 'hubspot-app-card-1-panel');

  // Open in Convrs: that conversation, in the console (a new tab, as HubSpot opens external links).
  const [opened] = await Promise.all([context.waitForEvent('page'), openLink.click()]);
  await opened.waitForURL(new RegExp(`#/chat/${aliceChat}$`));
  await opened.getByRole('heading', { name: 'Alice Johnson', level: 2 }).waitFor({ timeout: 30_000 });
  await screenshot(opened, 'hubspot-app-card-2-opened');
  await opened.close();

  // Start chat in Convrs: Create New Chat with Alice picked, read from HubSpot by the gateway.
  const startLink = panel.getByRole('link', { name: 'Start chat in Convrs' });
  assert.equal(await startLink.getAttribute('href'), `${gateway.url}/#/new?hubspotContactId=${contactId}`);
  const [newChat] = await Promise.all([context.waitForEvent('page'), startLink.click()]);
  const picked = newChat.getByRole('group', { name: 'Selected HubSpot contact' });
  await picked.getByText('Alice Johnson').waitFor({ timeout: 30_000 });
  const form = newChat.getByRole('form', { name: 'New chat' });
  assert.equal(await form.getByLabel('Email', { exact: true }).inputValue(), 'alice@example.com');
  await form.getByLabel('Channel').selectOption({ label: 'Email' });
  await form.getByLabel('First message').fill('Hi Alice, picking up from HubSpot.');
  await screenshot(newChat, 'hubspot-app-card-3-picked');
  await form.getByRole('button', { name: 'Start chat' }).click();
  await newChat.waitForURL(/#\/chat\/.+/);
  const started = decodeURIComponent(new URL(newChat.url()).hash.replace(/^#\/chat\//, ''));
  assert.notEqual(started, aliceChat);

  // The record again: both chats, the new one with its first message as the preview.
  await record.reload();
  await rows.nth(1).waitFor();
  assert.equal(await rows.count(), 2);
  const startedRow = rows.filter({ has: record.locator(`a[href="${gateway.url}/#/chat/${started}"]`) });
  assert.match(await startedRow.textContent(), /Email.*Open.*Hi Alice, picking up from HubSpot\./s);
  await screenshot(record, 'hubspot-app-card-4-started');

  // Closed in Convrs: the panel lists it after the open one, with its transcript's outcome in HubSpot.
  await newChat.getByRole('button', { name: 'Close conversation' }).click();
  await newChat.locator('.conversation__header .badge[data-status="CLOSED"]').waitFor();
  await newChat.close();
  await waitUntil(
    async () => {
      await record.reload();
      return /Transcript logged in HubSpot as a note\./.test((await startedRow.textContent()) ?? '');
    },
    { timeoutMs: 90_000, intervalMs: 1000, what: 'the closed chat with its transcript logged, on the record' },
  );
  assert.match(await rows.nth(0).textContent(), /Open/, 'open chats come first');
  assert.match(await rows.nth(1).textContent(), /Closed/);
  await screenshot(record, 'hubspot-app-card-5-closed');
  await panel.screenshot({ path: join(outputDir, 'hubspot-app-card-panel.png') });
});
