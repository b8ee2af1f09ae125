// The console's layout at a desktop width (1280 px) and a phone width (390 px): the top bar and the composer
// stay on screen however long the conversation, a new message scrolls the transcript only for an agent at its
// end, long words stay inside their bubble, on a phone the top bar collapses behind Menu and Agent Chat shows
// the list or the conversation, never both; e-mail addresses in User Details wrap before a dot of the domain;
// the HubSpot dialogs and the simulator's contacts table fit a phone. Screenshots go to test-output/.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { outputDir, screenshot, setup, signIn, waitUntil } from './harness.mjs';

let env;

before(async () => {
  env = await setup('console-layout');
});

after(async () => {
  await env?.teardown();
});

/** Posts n customer messages to the conversation through the gateway's GraphQL API, as the signed-in staff member. */
async function postMessages(page, conversationId, texts) {
  const errors = await page.evaluate(
    async ({ conversationId, texts }) => {
      const failures = [];
      for (const text of texts) {
        const res = await fetch('/query', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${localStorage.getItem('convrs.session')}` },
          body: JSON.stringify({
            query: 'mutation ($c: ID!, $t: String!) { postCustomerMessage(conversationId: $c, text: $t) { id } }',
            variables: { c: conversationId, t: text },
          }),
        });
        const body = await res.json();
        if (body.errors) failures.push(JSON.stringify(body.errors));
      }
      return failures;
    },
    { conversationId, texts },
  );
  assert.deepEqual(errors, []);
}

/** Opens the first open conversation (reopening it if needed) and returns its id. */
async function openConversation(page) {
  const inbox = page.getByRole('navigation', { name: 'Conversations' });
  await inbox.getByRole('listitem').first().getByRole('link').click();
  await page.getByRole('list', { name: 'Transcript' }).waitFor();
  if (await page.getByRole('button', { name: 'Reopen' }).isVisible()) {
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.getByRole('button', { name: 'Close conversation' }).waitFor();
  }
  return decodeURIComponent(/#\/chat\/([^/]+)/.exec(page.url())[1]);
}

/** Whether the element's box lies inside the viewport. */
async function onScreen(locator) {
  const box = await locator.boundingBox();
  const viewport = locator.page().viewportSize();
  return box !== null && box.y >= 0 && box.x >= 0 && box.y + box.height <= viewport.height + 1 && box.x + box.width <= viewport.width + 1;
}

test('desktop: a long conversation scrolls inside its pane; the top bar and composer stay visible', { timeout: 120_000 }, async () => {
  const page = await env.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, env.gateway.url, 'Sign in as Sam Agent (agent)');
  await page.getByRole('link', { name: 'Agent Chat' }).click();
  const id = await openConversation(page);

  const longWord = 'https://example.com/' + 'a'.repeat(400);
  const texts = Array.from({ length: 40 }, (_, i) => `Layout check message ${i + 1} of 40`);
  texts.push(longWord);
  await postMessages(page, id, texts);
  const transcript = page.getByRole('list', { name: 'Transcript' });
  await transcript.getByText('Layout check message 40 of 40').waitFor();
  const bubble = transcript.locator('.message__text', { hasText: 'aaaa' }).last();
  await bubble.waitFor();

  // The page itself does not grow: only the transcript scrolls.
  const { scrollHeight, innerHeight } = await page.evaluate(() => ({
    scrollHeight: document.documentElement.scrollHeight,
    innerHeight: window.innerHeight,
  }));
  assert.ok(scrollHeight <= innerHeight + 1, `the page is ${scrollHeight}px tall in a ${innerHeight}px window`);
  assert.ok(await onScreen(page.getByRole('navigation', { name: 'Main' })), 'the top bar is on screen');
  assert.ok(await onScreen(page.getByRole('textbox', { name: 'Message', exact: true })), 'the composer is on screen');
  const transcriptScrolls = await transcript.evaluate((el) => el.scrollHeight > el.clientHeight);
  assert.ok(transcriptScrolls, 'the transcript scrolls inside its pane');

  // The long URL wraps inside its bubble.
  const fits = await bubble.evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
  assert.ok(fits, 'a long unbroken word stays inside its bubble');
  await screenshot(page, 'layout-1280-long-conversation');
  await page.close();
});

/** How far (px) the transcript is scrolled up from its end. */
const fromEnd = (transcript) => transcript.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

test('desktop: a new message scrolls the transcript down only if the agent was at its end', { timeout: 120_000 }, async () => {
  const page = await env.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, env.gateway.url, 'Sign in as Sam Agent (agent)');
  await page.getByRole('link', { name: 'Agent Chat' }).click();
  const id = await openConversation(page);
  const transcript = page.getByRole('list', { name: 'Transcript' });

  const stamp = Date.now();
  await postMessages(page, id, Array.from({ length: 30 }, (_, i) => `Scroll check ${stamp} message ${i + 1}`));
  await transcript.getByText(`Scroll check ${stamp} message 30`, { exact: true }).waitFor();
  assert.ok((await fromEnd(transcript)) <= 1, 'at the end, the transcript follows new messages');

  // The agent scrolls up to read; the scroll has been seen once its event has fired.
  await transcript.evaluate(
    (el) =>
      new Promise((resolve) => {
        el.addEventListener('scroll', resolve, { once: true });
        el.scrollTop = 0;
      }),
  );
  const whileReading = `The customer writes while the agent reads (${stamp})`;
  await postMessages(page, id, [whileReading]);
  await transcript.getByText(whileReading).waitFor();
  assert.equal(await transcript.evaluate((el) => el.scrollTop), 0, 'the transcript stays where the agent scrolled to');
  const newMessages = page.getByRole('button', { name: 'New message ↓' });
  await newMessages.waitFor();
  await screenshot(page, 'layout-1280-new-messages');

  // "New message ↓" scrolls to the end, and from there the transcript follows again.
  await newMessages.click();
  assert.ok((await fromEnd(transcript)) <= 1, 'New message ↓ scrolls to the end');
  await newMessages.waitFor({ state: 'detached' });
  const atEnd = `And again, now that the agent is at the end (${stamp})`;
  await postMessages(page, id, [atEnd]);
  await transcript.getByText(atEnd).waitFor();
  assert.ok((await fromEnd(transcript)) <= 1, 'the transcript scrolled down to the new message');
  assert.ok(await onScreen(transcript.getByText(atEnd)), 'the new message is on screen');
  assert.ok(await onScreen(page.getByRole('textbox', { name: 'Message', exact: true })), 'the composer is on screen');
  await page.close();
});

test('phone: the top bar collapses behind Menu and Agent Chat shows the list or the conversation', { timeout: 120_000 }, async () => {
  const page = await env.context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(env.gateway.url);
  // Sign in (the session may be shared with another tab of this browser).
  const signInButton = page.getByRole('button', { name: 'Sign in as Ada Admin (admin)' });
  const menu = page.getByRole('button', { name: 'Menu' });
  await signInButton.or(menu).first().waitFor();
  if (await signInButton.isVisible()) await signInButton.click();
  await menu.waitFor();

  const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok((await pageWidth()) <= 390, `the page is ${await pageWidth()}px wide on a 390px screen`);
  await screenshot(page, 'layout-390-top-bar');

  // The navigation is behind Menu; every entry and Sign out are on screen once it is open.
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).isVisible(), false);
  await menu.click();
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  for (const name of ['Integrations', 'Agent Chat', 'Create New Chat', 'Settings']) {
    assert.ok(await onScreen(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name })), `${name} is on screen`);
  }
  assert.ok(await onScreen(page.getByRole('button', { name: 'Sign out' })), 'Sign out is on screen');
  await screenshot(page, 'layout-390-menu-open');

  // Agent Chat: the list alone, then the conversation alone with a way back.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agent Chat' }).click();
  assert.equal(await menu.getAttribute('aria-expanded'), 'false', 'choosing a page closes the menu');
  const inbox = page.getByRole('navigation', { name: 'Conversations' });
  await inbox.waitFor();
  await screenshot(page, 'layout-390-chat-list');
  // Opened from the list with the keyboard, the conversation takes the focus (its heading), so the next Tab
  // stays in it; Back gives the focus back to the conversation's list item.
  const first = inbox.getByRole('listitem').first().getByRole('link');
  const firstHref = await first.getAttribute('href');
  await first.focus();
  await page.keyboard.press('Enter');
  const heading = page.locator('.conversation__header h2');
  await waitUntil(() => heading.evaluate((el) => el === document.activeElement), { what: 'the conversation heading to have the focus' });
  await page.keyboard.press('Tab');
  assert.ok(
    await page.evaluate(() => document.querySelector('.conversation').contains(document.activeElement)),
    'the Tab after opening reaches the conversation',
  );
  await page.getByRole('link', { name: '← All conversations' }).click();
  await waitUntil(() => page.evaluate(() => document.activeElement?.getAttribute('href')).then((h) => h === firstHref), {
    what: 'the list item to have the focus back',
  });

  const phoneId = await openConversation(page);
  assert.equal(await inbox.isVisible(), false, 'the list is hidden while a conversation is open');
  assert.ok(await onScreen(page.getByRole('textbox', { name: 'Message', exact: true })), 'the composer is on screen');
  // A long URL wraps inside its bubble on a phone too.
  const longUrl = `https://example.com/phone/${Date.now()}/` + 'b'.repeat(300);
  await postMessages(page, phoneId, [longUrl]);
  const bubble = page.getByRole('list', { name: 'Transcript' }).locator('.message__text', { hasText: longUrl });
  await bubble.waitFor();
  assert.ok(await bubble.evaluate((el) => el.scrollWidth <= el.clientWidth + 1), 'the long URL stays inside its bubble');
  assert.ok(await onScreen(bubble), 'the bubble is on screen, within the width');
  assert.ok((await pageWidth()) <= 390, 'the conversation fits the width');
  await screenshot(page, 'layout-390-conversation');
  await page.getByRole('link', { name: '← All conversations' }).click();
  await inbox.waitFor();
  await page.close();
});

/** Saves what the viewport shows of a page, or one element, as test-output/readme-<name>.png (docs/screenshots/ has copies). */
async function readmeShot(target, name) {
  mkdirSync(outputDir, { recursive: true });
  await target.screenshot({ path: join(outputDir, `readme-${name}.png`) });
}

/** Starts a conversation with a new customer through the gateway's GraphQL API and returns its id. */
async function startConversation(page, customer, message) {
  const result = await page.evaluate(
    async ({ customer, message }) => {
      const res = await fetch('/query', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${localStorage.getItem('convrs.session')}` },
        body: JSON.stringify({
          query: 'mutation ($input: StartConversationInput!) { startConversation(input: $input) { id } }',
          variables: { input: { customer, channel: 'email', message } },
        }),
      });
      return res.json();
    },
    { customer, message },
  );
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data.startConversation.id;
}

/** The labels of the e-mail address (the parts between its dots) that a line break splits. */
const brokenLabels = (email) =>
  email.evaluate((el) => [...el.querySelectorAll('.email__label')].filter((label) => label.getClientRects().length > 1).map((l) => l.textContent));

test('phone: the simulator’s contacts table and the HubSpot dialogs fit a 390 px screen (and the README’s screenshots)', { timeout: 180_000 }, async () => {
  const { context, gateway } = env;
  const sim = await context.newPage();
  await sim.setViewportSize({ width: 390, height: 844 });
  await sim.goto(gateway.simulatorUrl);
  const table = sim.locator('table.list').first();
  await table.waitFor();
  assert.ok((await sim.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'the simulator page fits the width');
  const fitsCard = await table.evaluate((el) => {
    const wrap = el.closest('.table-wrap').getBoundingClientRect();
    const card = el.closest('.card').getBoundingClientRect();
    return wrap.left >= card.left && wrap.right <= card.right + 1;
  });
  assert.ok(fitsCard, 'the contacts table scrolls inside its card instead of running out of it');
  await screenshot(sim, 'layout-390-simulator-contacts');
  await sim.close();

  // Connect HubSpot at 390 px, then the Enable and Disable dialogs: each fits the screen with its buttons on it.
  const page = await context.newPage();
  await signIn(page, gateway.url, 'Sign in as Ada Admin (admin)');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Integrations' }).click();
  const card = page.getByRole('region', { name: 'HubSpot' });
  await card.getByRole('button', { name: 'Integrate' }).waitFor();
  await page.locator('header[data-connection="connected"]').waitFor();
  await card.getByRole('button', { name: 'Integrate' }).click();
  const [consent] = await Promise.all([context.waitForEvent('page'), card.getByRole('button', { name: 'Login to HubSpot' }).click()]);
  await consent.waitForURL((url) => url.origin === new URL(gateway.simulatorUrl).origin);
  await consent.getByRole('button', { name: 'Connect app' }).click();
  await consent.getByRole('heading', { name: 'HubSpot connected' }).waitFor({ timeout: 30_000 });
  await consent.close();
  await page.bringToFront();
  await card.locator('.banner[data-state="yellow"]').waitFor({ timeout: 30_000 });

  const checkDialog = async (opener, name) => {
    await card.getByRole('button', { name: opener, exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.ok(await onScreen(dialog), `the ${opener} dialog fits the screen`);
    const buttons = dialog.getByRole('button');
    for (let i = 0; i < (await buttons.count()); i++) {
      assert.ok(await onScreen(buttons.nth(i)), `the ${opener} dialog's ${await buttons.nth(i).textContent()} is on screen`);
    }
    await screenshot(page, `layout-390-${name}-dialog`);
    await buttons.filter({ hasNotText: /^Cancel$/ }).click();
    await dialog.waitFor({ state: 'detached' });
  };
  await checkDialog('Enable', 'enable');
  await card.locator('.banner[data-state="green"]').waitFor();

  // With HubSpot on, the README's pictures of Agent Chat (1280 px), its User Details card and the phone layout.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${gateway.url}/#/chat`);
  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: /Alice Johnson/ }).click();
  const details = page.getByRole('complementary', { name: 'Customer' });
  await details.getByRole('link', { name: 'Open Alice Johnson in HubSpot (opens in a new tab)' }).waitFor({ timeout: 30_000 });
  await page.locator('header[data-connection="connected"]').waitFor();
  await readmeShot(page, 'agent-chat-1280');
  await readmeShot(page.getByRole('region', { name: 'User Details' }), 'user-details-hubspot-card');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('link', { name: '← All conversations' }).waitFor();
  await readmeShot(page, 'phone-390-conversation');
  await page.getByRole('link', { name: '← All conversations' }).click();
  await page.getByRole('navigation', { name: 'Conversations' }).waitFor();
  await readmeShot(page, 'phone-390-list');

  await page.goto(`${gateway.url}/#/integrations`);
  await card.locator('.banner[data-state="green"]').waitFor();
  await checkDialog('Disable', 'disable');
  await card.getByRole('button', { name: 'Integrate' }).waitFor();
  await page.close();
});

// After the README's screenshots, so the customers it creates are not in them.
test('User Details: a long e-mail address wraps before a dot of its domain, never inside a label, at 1280 and 390 px', { timeout: 120_000 }, async () => {
  const page = await env.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, env.gateway.url, 'Sign in as Sam Agent (agent)');
  const stamp = Date.now();
  const details = page.getByRole('region', { name: 'User Details' });
  const email = details.locator('.email').first();
  const outside = () =>
    details.evaluate((el) => {
      const box = el.getBoundingClientRect();
      return [...el.querySelectorAll('*')]
        .filter((child) => child.getBoundingClientRect().right > box.right + 1)
        .map((child) => `${child.tagName}.${child.className}: ${child.textContent.slice(0, 40)}`);
    });
  const show = async (address, width) => {
    const id = await startConversation(page, { email: address, firstName: 'Wren', lastName: `Long ${width}` }, 'Hello, my address is long.');
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    await page.goto(`${env.gateway.url}/#/chat/${id}`);
    await email.waitFor();
    await email.scrollIntoViewIfNeeded();
    assert.equal(await email.textContent(), address, 'the address reads unchanged');
  };

  for (const width of [1280, 390]) {
    // A long address wraps, before a dot of its domain, never inside one of its labels.
    await show(`customer.with.a.rather.long.address.${stamp}.${width}@support.example-company.co.uk`, width);
    const lines = await email.evaluate((el) => new Set([...el.getClientRects()].map((r) => Math.round(r.top))).size);
    assert.ok(lines > 1, `at ${width} px the address wraps (it is longer than the column)`);
    assert.deepEqual(await brokenLabels(email), [], `at ${width} px no label of the address is split`);
    assert.deepEqual(await outside(), [], `at ${width} px nothing in User Details runs out of it`);
    await screenshot(page, `layout-${width}-user-details-email`);

    // A label longer than the column itself breaks too, rather than push the panel wider than its column.
    await show(`wren.${stamp}.${width}@customer-support-department-of-a-long-named-company.example`, width);
    assert.deepEqual(await outside(), [], `at ${width} px an overlong label stays inside User Details`);
  }
  await page.close();
});
