// The demo console end to end: an agent signs in, opens a conversation, sends a message, closes the
// conversation and reopens it, against the real gateway binary and a real browser.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freePort, screenshot, setup, signIn, startGateway } from './harness.mjs';

let env;

before(async () => {
  env = await setup('console');
});

after(async () => {
  await env?.teardown();
});

test('an agent sends a message, closes the conversation and reopens it', { timeout: 120_000 }, async (t) => {
  const { page, gateway } = env;
  t.after(() => {
    for (const error of env.consoleErrors) t.diagnostic(`browser: ${error}`);
  });

  await signIn(page, gateway.url, 'Sign in as Sam Agent (agent)');
  await screenshot(page, 'console-1-signed-in');

  // Agent Chat is the default page; its inbox shows open conversations. The dev seed has some, but the
  // test starts one itself if not, so it does not depend on the seed's contents.
  await page.getByRole('link', { name: 'Agent Chat' }).click();
  const inbox = page.getByRole('navigation', { name: 'Conversations' });
  const firstConversation = inbox.getByRole('listitem').first().getByRole('link');
  await firstConversation.or(inbox.getByText('No conversations here.')).waitFor();
  if (await firstConversation.isVisible()) {
    await firstConversation.click();
  } else {
    await page.getByRole('link', { name: 'Create New Chat' }).click();
    await page.getByLabel('Email').fill('e2e.customer@example.com');
    await page.getByLabel('First name').fill('Eddie');
    await page.getByLabel('First message').fill('Hello from the e2e test');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.waitForURL(/#\/chat\/.+/);
  }

  const transcript = page.getByRole('list', { name: 'Transcript' });
  await transcript.waitFor();
  const status = page.locator('.conversation__header .badge');
  // Make sure the conversation is open before replying (the seed may hold closed ones under All).
  if ((await status.textContent()) === 'Closed') {
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.locator('.conversation__header .badge[data-status="OPEN"]').waitFor();
  }
  await screenshot(page, 'console-2-conversation');

  const text = `Checking on that now (e2e ${Date.now()})`;
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await transcript.getByText(text).waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Message', exact: true }).inputValue(), '');
  // The seeded workspace is in GB, Europe/London: its times read on a 24-hour clock in London's time, whatever
  // the browser's own zone and locale.
  const sent = transcript.getByRole('listitem').filter({ hasText: text }).locator('time');
  const [shown, iso] = [await sent.textContent(), await sent.getAttribute('datetime')];
  const london = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Europe/London' });
  assert.match(shown, /^\d{1,2}:\d\d$/, `a 24-hour time, not ${shown}`);
  assert.equal(shown.padStart(5, '0'), london.format(new Date(iso)));
  await screenshot(page, 'console-3-message-sent');

  await page.getByRole('button', { name: 'Close conversation' }).click();
  await page.locator('.conversation__header .badge[data-status="CLOSED"]').waitFor();
  assert.equal(await status.textContent(), 'Closed');
  assert.ok(await page.getByRole('textbox', { name: 'Message', exact: true }).isDisabled());
  await screenshot(page, 'console-4-closed');

  await page.getByRole('button', { name: 'Reopen' }).click();
  await page.locator('.conversation__header .badge[data-status="OPEN"]').waitFor();
  assert.equal(await status.textContent(), 'Open');
  await page.getByRole('button', { name: 'Close conversation' }).waitFor();
  await screenshot(page, 'console-5-reopened');

  // A reload keeps the session (sessionStorage) and shows what the server stored.
  await page.reload();
  await transcript.getByText(text).waitFor();
  assert.equal(await status.textContent(), 'Open');
});

test('a message posted in one tab appears in another without a reload', { timeout: 60_000 }, async () => {
  const { context, gateway } = env;
  // This test opens its own conversation: it must not depend on what the test before it left on screen.
  const page = await context.newPage();
  await signIn(page, gateway.url, 'Sign in as Sam Agent (agent)');
  await page.getByRole('link', { name: 'Agent Chat' }).click();
  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('listitem').first().getByRole('link').click();
  await page.getByRole('list', { name: 'Transcript' }).waitFor();
  const conversationUrl = page.url();
  assert.match(conversationUrl, /#\/chat\/.+/);

  // A second tab of the same browser shares the session: it opens signed in, without asking again.
  const other = await context.newPage();
  await other.goto(conversationUrl);
  await other.getByText('Sam Agent · Agent').waitFor();
  const otherTranscript = other.getByRole('list', { name: 'Transcript' });
  await otherTranscript.waitFor();
  await other.locator('header[data-connection="connected"]').waitFor();

  const text = `Is anyone there? (e2e ${Date.now()})`;
  await page.getByRole('textbox', { name: 'Customer message' }).fill(text);
  await page.getByRole('button', { name: 'Reply as customer' }).click();
  await page.getByRole('list', { name: 'Transcript' }).getByText(text).waitFor();
  await otherTranscript.getByText(text).waitFor();
  await screenshot(other, 'console-6-live-in-other-tab');

  // Signing out in one tab signs out the other too.
  await other.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You signed out in another tab.').waitFor();
  await other.close();
  await page.close();
});

test('an admin changes the workspace settings, and an invalid time zone is shown next to its field', { timeout: 60_000 }, async () => {
  const { context, gateway } = env;
  // Its own tab and sign-in, so it does not depend on the tests before it.
  const page = await context.newPage();
  await signIn(page, gateway.url, 'Sign in as Ada Admin (admin)');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const region = page.getByLabel('Default phone region');
  const timeZone = page.getByLabel('Time zone');
  const save = page.getByRole('button', { name: 'Save settings' });
  const saved = page.getByRole('status').filter({ hasText: 'Settings saved.' });
  await region.waitFor();

  await region.fill('US');
  await save.click();
  await saved.waitFor();
  assert.equal(await region.inputValue(), 'US');
  await screenshot(page, 'console-7-settings-saved');

  await timeZone.fill('Mars/Olympus');
  await save.click();
  const timeZoneError = page.locator('.field__error', { hasText: '"Mars/Olympus" is not a time zone' });
  await timeZoneError.waitFor();
  assert.equal(await timeZone.getAttribute('aria-invalid'), 'true');
  const errorId = await timeZoneError.getAttribute('id');
  assert.ok((await timeZone.getAttribute('aria-describedby')).split(' ').includes(errorId), 'the error describes the Time zone field');
  assert.equal(await region.getAttribute('aria-invalid'), null);
  assert.equal(await saved.count(), 0);
  await screenshot(page, 'console-8-settings-field-error');

  // The region was stored; the invalid time zone was not.
  await page.reload();
  await region.waitFor();
  assert.equal(await region.inputValue(), 'US');
  assert.equal(await timeZone.inputValue(), 'Europe/London');

  // A time zone in any letter case is accepted and stored by its IANA name; saving again changes nothing.
  await timeZone.fill('america/new_york');
  await save.click();
  await saved.waitFor();
  assert.equal(await timeZone.inputValue(), 'America/New_York');
  await save.click();
  await page.getByRole('status').filter({ hasText: 'No changes to save.' }).waitFor();
  assert.equal(await saved.count(), 0, 'an unchanged form is not "saved"');
  await page.reload();
  await timeZone.waitFor();
  assert.equal(await timeZone.inputValue(), 'America/New_York');

  // Put the seed's region and time zone back.
  await region.fill('GB');
  await timeZone.fill('Europe/London');
  await save.click();
  await saved.waitFor();
  assert.equal(await region.inputValue(), 'GB');
  assert.equal(await timeZone.inputValue(), 'Europe/London');
  await page.close();
});

test('one address in development: the console opened at 127.0.0.1 moves to PUBLIC_URL (localhost) and stays signed in there', { timeout: 120_000 }, async (t) => {
  // Its own gateway with the development default: PUBLIC_URL on localhost, which HubSpot sends the admin back to.
  const port = await freePort();
  const publicUrl = `http://localhost:${port}`;
  const gateway = await startGateway('console-one-address', { port, env: { PUBLIC_URL: publicUrl } });
  t.after(() => gateway.stop());
  const page = await env.context.newPage();
  t.after(() => page.close());

  await page.goto(`http://127.0.0.1:${port}/#/chat`);
  await page.waitForURL((url) => url.origin === publicUrl);
  await signIn(page, `${publicUrl}/`, 'Sign in as Ada Admin (admin)');

  // Coming back from HubSpot to PUBLIC_URL (the callback's Return to Convrs) finds the same session, and so does
  // a bookmark of the 127.0.0.1 address.
  for (const address of [`${publicUrl}/#/integrations`, `http://127.0.0.1:${port}/#/integrations`]) {
    await page.goto(address);
    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    assert.equal(new URL(page.url()).origin, publicUrl, `${address} ends on ${publicUrl}`);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).isVisible(), true, `${address} is signed in`);
  }
});
