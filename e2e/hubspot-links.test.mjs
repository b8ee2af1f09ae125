// The contact the agent picks is the contact that gets the transcript, and agents see, choose, change and undo
// the link (issue 17, sections 1 and 2), in a real browser against the gateway and its HubSpot simulator with
// the demo data: Bob Smith is a customer, and two HubSpot contacts share his email (Bob Smith, the older, and
// Robert Smith).
//
// 1. Create New Chat → search "robert" → pick Robert Smith: the form says "Bob Smith is already a customer; this
//    chat will be written to Robert Smith in HubSpot." → Start the chat: the chat is Bob's, its card shows Robert
//    (chosen by Ada Admin), and once closed its transcript is a note on Robert's record, not on Bob's.
// 2. Bob's card: "Make Robert Smith this customer's contact from now on"; on Bob's other chat the card says
//    "Linked: chosen by Ada Admin on …"; Unlink (not this person) → the rules find Bob Smith again ("matched by
//    email"), and a reload keeps saying so; Change contact lists both duplicates with their created date, owner
//    and stage, and choosing Robert links him again.
// 3. The anonymous visitor: their closed chat is skipped; the agent identifies them in User Details (invalid
//    details are refused in words), the card matches, and the admin's Retry writes the transcript.
// Screenshots: test-output/links-*.png.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectAndEnableHubspot, screenshot, setup, signIn, waitUntil } from './harness.mjs';

let env;

before(async () => {
  env = await setup('hubspot-links');
});

after(async () => {
  await env?.teardown();
});

/** The texts of the notes on the contact a record URL (…/contacts/<portal>/record/0-1/<id>) names. */
async function notesOf(simulatorUrl, recordUrl) {
  const m = /\/contacts\/(\d+)\/record\/0-1\/(\d+)/.exec(recordUrl);
  assert.ok(m, `record URL ${recordUrl}`);
  const res = await fetch(`${simulatorUrl}/_sim/portals/${m[1]}/contacts/${m[2]}/notes`);
  assert.equal(res.status, 200);
  return JSON.stringify(await res.json());
}

test('the picked contact gets the transcript; agents see, change and undo the link; a visitor can be identified', { timeout: 300_000 }, async (t) => {
  const { page, context, gateway } = env;
  t.after(() => {
    for (const error of env.consoleErrors) t.diagnostic(`browser: ${error}`);
  });
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, gateway.url, 'Sign in as Ada Admin (admin)');
  await connectAndEnableHubspot(page, context, gateway.url);

  // 1. Create New Chat with Robert Smith picked: he shares Bob's email, and Bob is already a customer.
  await page.getByRole('link', { name: 'Create New Chat' }).click();
  await page.getByRole('combobox', { name: 'Search HubSpot contacts' }).fill('robert');
  await page.getByRole('option', { name: /Robert Smith/ }).click();
  const newChat = page.getByRole('form', { name: 'New chat' });
  await newChat.getByLabel('Channel').selectOption({ label: 'Email' });
  await newChat.getByLabel('First message').fill('Hi Robert, here is your invoice.');
  await newChat.getByRole('button', { name: 'Start chat' }).click();
  const conflict = page.getByRole('alert').filter({ hasText: 'Bob Smith is already a customer; this chat will be written to Robert Smith in HubSpot.' });
  await conflict.waitFor();
  await conflict.getByRole('checkbox', { name: /Also make Robert Smith this customer's HubSpot contact from now on/ }).waitFor();
  // At 1280 px the banner's words keep a readable width and its buttons stay inside it.
  const bannerBox = await conflict.boundingBox();
  const titleBox = await conflict.locator('.banner__title').boundingBox();
  assert.ok(titleBox.width >= 0.5 * bannerBox.width, `the banner's text is ${titleBox.width}px of ${bannerBox.width}px`);
  for (const button of await conflict.getByRole('button').all()) {
    const b = await button.boundingBox();
    assert.ok(b.x >= bannerBox.x && b.x + b.width <= bannerBox.x + bannerBox.width + 0.5, `${await button.textContent()} lies inside the banner`);
  }
  await screenshot(page, 'links-1-pick-matches-customer');
  await conflict.getByRole('button', { name: 'Start the chat' }).click();
  await page.waitForURL(/#\/chat\/.+/);
  await page.getByRole('heading', { name: 'Bob Smith', level: 2 }).waitFor();

  const card = page.getByRole('region', { name: 'HubSpot' });
  const robertLink = card.getByRole('link', { name: 'Open Robert Smith in HubSpot (opens in a new tab)' });
  await robertLink.waitFor({ timeout: 30_000 });
  const robertRecord = await robertLink.getAttribute('href');
  await card.getByText(/This chat is written to Robert Smith in HubSpot: chosen by Ada Admin on \d+ \w+ when the chat was started\./).waitFor();
  const makeRobert = card.getByRole('button', { name: "Make Robert Smith this customer's contact from now on" });
  await makeRobert.waitFor();
  await screenshot(page, 'links-2-chat-card-shows-pick');

  // Closing writes the transcript to Robert, whatever Bob's own link says; the record says who chose him.
  await page.getByRole('button', { name: 'Close conversation' }).click();
  await page.getByText(/Written to HubSpot: Robert Smith.*\(chosen by Ada Admin on \d+ \w+\)/).waitFor({ timeout: 60_000 });
  assert.match(await notesOf(gateway.simulatorUrl, robertRecord), /here is your invoice/, "the transcript is on Robert Smith's record");
  await screenshot(page, 'links-3-written-to-pick');

  // 2. Make Robert Bob's contact from now on.
  await makeRobert.click();
  await card.getByRole('status').filter({ hasText: "Robert Smith is now this customer's HubSpot contact." }).waitFor();
  await makeRobert.waitFor({ state: 'detached' });

  // Bob's other chat: the card says how the link was made, in words.
  await page.getByRole('link', { name: 'Agent Chat' }).click();
  const inbox = page.getByRole('navigation', { name: 'Conversations' });
  await inbox.getByRole('button', { name: 'Closed' }).click();
  // The older of Bob's two (both closed now): the one the demo seeded.
  await inbox.getByRole('link', { name: /Bob Smith/ }).nth(1).click();
  await card.getByRole('link', { name: 'Open Robert Smith in HubSpot (opens in a new tab)' }).waitFor({ timeout: 30_000 });
  await card.getByText(/^Linked: chosen by Ada Admin on \d+ \w+\.$/).waitFor();
  const bobChatUrl = page.url();
  await screenshot(page, 'links-4-chosen');

  // Unlink: not this person. The rules find Bob Smith (the other contact with the email) and say so.
  await card.getByRole('button', { name: 'Unlink (not this person)' }).click();
  await card.getByRole('status').filter({ hasText: 'Unlinked Robert Smith' }).waitFor();
  await card.getByRole('link', { name: 'Open Bob Smith in HubSpot (opens in a new tab)' }).waitFor({ timeout: 30_000 });
  await card.getByText('Linked: matched by email (bob@example.com).').waitFor();
  const bobRecord = await card.getByRole('link', { name: 'Open Bob Smith in HubSpot (opens in a new tab)' }).getAttribute('href');
  assert.doesNotMatch(await notesOf(gateway.simulatorUrl, bobRecord), /here is your invoice/, "Bob Smith's record did not get Robert's chat");
  await screenshot(page, 'links-5-unlinked');
  // Opening the card again does not turn the match into an anonymous "CRM link".
  await page.goto(gateway.url);
  await page.goto(bobChatUrl);
  await card.getByText('Linked: matched by email (bob@example.com).').waitFor({ timeout: 30_000 });
  assert.equal(await card.getByText(/CRM link/).count(), 0);

  // On a phone, the HubSpot section is one tap away from the top of the chat, not past the composer.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('button', { name: 'User details and HubSpot ↓' }).click();
  await waitUntil(async () => {
    const box = await card.getByRole('heading', { name: 'HubSpot' }).boundingBox();
    return box && box.y >= 0 && box.y + box.height <= 844;
  }, { what: 'the HubSpot section on screen at 390 px' });
  await screenshot(page, 'links-5b-phone-details');
  await page.setViewportSize({ width: 1280, height: 900 });

  // Change contact: both duplicates, with what tells them apart (dates in the browser's locale); choose Robert again.
  await card.getByRole('button', { name: 'Change contact' }).click();
  const chooser = card.getByRole('region', { name: "Choose this customer's HubSpot contact" });
  const duplicates = chooser.getByRole('list', { name: "Contacts sharing this customer's details" }).getByRole('listitem');
  await duplicates.first().waitFor({ timeout: 30_000 });
  assert.equal(await duplicates.count(), 2);
  assert.match(await duplicates.nth(0).textContent(), /Bob Smith.*\(current\).*Created (1 Mar 2021|Mar 1, 2021) · Owner Marcus Lee · Lead/);
  assert.match(await duplicates.nth(1).textContent(), /Robert Smith.*Created (10 Jun 2023|Jun 10, 2023) · No owner · Subscriber/);
  await screenshot(page, 'links-6-change-contact');
  await duplicates.nth(1).getByRole('button', { name: /^Choose Robert Smith/ }).click();
  // The chooser closes once the choice is stored; then the card itself links Robert (the chooser's own list also
  // has a link to him, so the card is read only after it has gone).
  await chooser.waitFor({ state: 'hidden', timeout: 30_000 });
  await card.getByRole('link', { name: 'Open Robert Smith in HubSpot (opens in a new tab)' }).waitFor({ timeout: 30_000 });
  await card.getByText(/^Linked: chosen by Ada Admin on \d+ \w+\.$/).waitFor();

  // 3. The anonymous visitor: closed while syncing → skipped; identified in User Details → the card matches.
  await page.getByRole('link', { name: 'Agent Chat' }).click();
  await inbox.getByRole('button', { name: 'Open' }).click();
  await inbox.getByRole('link', { name: /Visitor|Anonymous/ }).first().click();
  await page.getByRole('button', { name: 'Close conversation' }).click();
  await page.getByText(/Skipped\. The customer is an anonymous visitor/).waitFor({ timeout: 60_000 });
  const details = page.getByRole('region', { name: 'User Details' });
  await details.getByRole('button', { name: 'Identify this visitor (add a name, email or phone)' }).click();
  const form = details.getByRole('form', { name: 'Customer details' });
  await form.getByLabel('Phone').fill('12345');
  await form.getByRole('button', { name: 'Save details' }).click();
  await form.getByText(/"12345" is not a valid phone number/).waitFor();
  await screenshot(page, 'links-7-identify-invalid');
  await form.getByLabel('Phone').fill('');
  await form.getByLabel('First name').fill('Henry');
  await form.getByLabel('Last name').fill('Ford');
  await form.getByLabel('Email').fill('henry@ford.test');
  await form.getByRole('button', { name: 'Save details' }).click();
  await details.getByText('Henry Ford', { exact: true }).waitFor();
  await card.getByRole('link', { name: 'Open Henry Ford in HubSpot (opens in a new tab)' }).waitFor({ timeout: 30_000 });
  await card.getByText('Linked: matched by email (henry@ford.test).').waitFor();
  const henryRecord = await card.getByRole('link', { name: 'Open Henry Ford in HubSpot (opens in a new tab)' }).getAttribute('href');
  await screenshot(page, 'links-8-identified');

  // The admin retries the skipped transcript: it is written to Henry Ford.
  await page.getByRole('link', { name: 'Integrations' }).click();
  const row = page.locator('li.sync-record').filter({ hasText: 'Henry Ford' }).filter({ hasText: 'Skipped' });
  await row.getByRole('button', { name: 'Retry' }).click();
  await page.locator('li.sync-record').filter({ hasText: 'Henry Ford' }).filter({ hasText: /Written to HubSpot: Henry Ford/ }).waitFor({ timeout: 60_000 });
  await waitUntil(async () => /Visitor|Henry|message/i.test(await notesOf(gateway.simulatorUrl, henryRecord)), {
    timeoutMs: 30_000,
    what: "the visitor's transcript on Henry Ford's record",
  });
  await screenshot(page, 'links-9-retried');

  // At 1280 px the card's error banner keeps its words readable beside (or above) Try again.
  const fault = (failNext) =>
    fetch(`${gateway.simulatorUrl}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext, status: 400 }) });
  await fault(20);
  t.after(() => fault(0));
  await page.getByRole('link', { name: 'Agent Chat' }).click();
  await inbox.getByRole('button', { name: 'Open' }).click();
  await inbox.getByRole('link', { name: /Alice Johnson/ }).click();
  const trouble = card.locator('.banner').filter({ has: page.getByRole('button', { name: 'Try again' }) });
  await trouble.waitFor({ timeout: 60_000 });
  const box = await trouble.boundingBox();
  const words = await trouble.locator('.banner__body').boundingBox();
  assert.ok(words.width >= 0.6 * box.width, `the card's error text is ${words.width}px wide in a ${box.width}px banner`);
  await screenshot(page, 'links-10-card-error-banner');
  await fault(0);
});
