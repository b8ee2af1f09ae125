// The console's layout at a desktop width (1280 px) and a phone width (390 px): the top bar and the composer
// stay on screen however long the conversation, long words stay inside their bubble, and on a phone the top bar
// collapses behind Menu and Agent Chat shows the list or the conversation, never both.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { screenshot, setup, signIn, waitUntil } from './harness.mjs';

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

  await openConversation(page);
  assert.equal(await inbox.isVisible(), false, 'the list is hidden while a conversation is open');
  assert.ok(await onScreen(page.getByRole('textbox', { name: 'Message', exact: true })), 'the composer is on screen');
  assert.ok((await pageWidth()) <= 390, 'the conversation fits the width');
  await screenshot(page, 'layout-390-conversation');
  await page.getByRole('link', { name: '← All conversations' }).click();
  await inbox.waitFor();
  await page.close();
});
