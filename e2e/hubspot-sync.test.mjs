// Transcript sync end to end: an admin connects HubSpot (the gateway's simulator) and enables syncing; an agent
// starts a chat with a customer whom HubSpot knows only by a mobile number and closes it; the agent's view and
// the admin's Sync activity both show "Written to HubSpot" with a link, live, and the link opens the contact in
// the simulator with the transcript as a Note. Screenshots in test-output/hubspot-sync-*.png.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectHubspot, launchBrowser, legacyRequests, screenshot, setup, signIn, simulatorControl } from './harness.mjs';

let env;
let agentBrowser;

before(async () => {
  env = await setup('hubspot-sync');
  // The agent works in another browser, so the two signed-in staff members never share a session.
  agentBrowser = await launchBrowser();
});

after(async () => {
  await agentBrowser?.close().catch(() => {});
  await env?.teardown();
});

/** The gateway's simulator's control API. */
const control = (path, body) => simulatorControl(env.gateway.simulatorUrl, path, body);

test('a closed chat is written to the HubSpot contact found by phone, visibly for the agent and the admin', { timeout: 240_000 }, async (t) => {
  const { page: admin, context, gateway } = env;
  t.after(() => {
    for (const error of env.consoleErrors) t.diagnostic(`browser: ${error}`);
  });

  // The admin connects HubSpot and enables syncing.
  await signIn(admin, gateway.url, 'Sign in as Ada Admin (admin)');
  const card = await connectHubspot(admin, context, gateway.url);
  const portalId = (await card.locator('.banner').textContent()).match(/Portal (\d+)/)?.[1];
  assert.ok(portalId, 'the banner names the connected portal');
  await card.getByRole('button', { name: 'Enable' }).click();
  await admin.getByRole('dialog', { name: 'Enable HubSpot syncing?' }).getByRole('button', { name: 'Enable' }).click();
  await card.locator('.banner[data-state="green"]').waitFor();
  const activity = card.getByRole('region', { name: 'Sync activity' });
  await activity.waitFor();
  await screenshot(admin, 'hubspot-sync-1-enabled');

  // HubSpot knows the customer only by a mobile number, written as a form import would, without an email.
  // (+44 7400 … is a valid UK mobile range for every six digits: Convrs only matches valid numbers.)
  const digits = String(Math.floor(100000 + Math.random() * 900000));
  const { id: contactId } = await control(`/_sim/portals/${portalId}/contacts`, {
    properties: { firstname: 'Phoebe', lastname: 'Marsh', mobilephone: `+44 7400 ${digits}` },
    createdAt: '2022-04-01T09:00:00Z',
  });

  // The agent starts a chat with that customer (another email, the number in E.164), talks and closes it.
  const agent = agentBrowser.context.pages()[0] ?? (await agentBrowser.context.newPage());
  await signIn(agent, gateway.url, 'Sign in as Sam Agent (agent)');
  await agent.getByRole('link', { name: 'Create New Chat' }).click();
  const email = `phoebe.${digits}@e2e.example`;
  await agent.getByLabel('Email').fill(email);
  await agent.getByLabel('Phone').fill(`+447400${digits}`);
  await agent.getByLabel('First name').fill('Phoebe');
  const firstMessage = `Order ${digits} arrived damaged`;
  await agent.getByLabel('First message').fill(firstMessage);
  await agent.getByRole('button', { name: 'Start chat' }).click();
  await agent.waitForURL(/#\/chat\/.+/);
  const transcript = agent.getByRole('list', { name: 'Transcript' });
  await transcript.getByText(firstMessage).waitFor();
  // The User Details panel's HubSpot card finds her by phone and links the customer (the sync and the card share
  // the matching rules), so the transcript goes to that contact through the stored CRM link.
  const hubspotCard = agent.getByRole('region', { name: 'HubSpot', exact: true });
  await hubspotCard.getByText('Phoebe Marsh').first().waitFor({ timeout: 60_000 });
  const reply = `Sorry to hear that, a replacement for order ${digits} is on its way.`;
  await agent.getByRole('textbox', { name: 'Message', exact: true }).fill(reply);
  await agent.getByRole('button', { name: 'Send', exact: true }).click();
  await transcript.getByText(reply).waitFor();

  await agent.getByRole('button', { name: 'Close conversation' }).click();
  await agent.locator('.conversation__header .badge[data-status="CLOSED"]').waitFor();
  const agentLine = agent.getByRole('status', { name: 'HubSpot sync' });
  await agentLine.getByText('Written to HubSpot:').waitFor({ timeout: 60_000 });
  assert.match(await agentLine.textContent(), /^Written to HubSpot: Phoebe Marsh ↗ \(matched by phone number \(\+44\d+\)\)$/);
  const agentLink = agentLine.getByRole('link', { name: /Phoebe Marsh/ });
  assert.equal(await agentLink.getAttribute('target'), '_blank');
  assert.equal(await agentLink.getAttribute('rel'), 'noopener noreferrer');
  await screenshot(agent, 'hubspot-sync-2-agent-written');

  // The admin's card followed it live, without a reload.
  const row = activity.getByRole('listitem').filter({ hasText: email });
  await row.getByText('Written to HubSpot:').waitFor({ timeout: 60_000 });
  assert.match(await row.textContent(), /Written to HubSpot: Phoebe Marsh ↗ \(matched by phone number \(\+44\d+\)\)/);
  await activity.getByRole('list', { name: 'Syncs by outcome' }).getByText('written').waitFor();
  await screenshot(admin, 'hubspot-sync-3-admin-activity');
  // On a phone the section fits its card: long emails and links wrap instead of widening it.
  await admin.setViewportSize({ width: 390, height: 844 });
  const overflow = await activity.evaluate((el) => el.scrollWidth - el.clientWidth);
  assert.ok(overflow <= 0, `Sync activity is ${overflow} px wider than its card at 390 px`);
  await activity.scrollIntoViewIfNeeded();
  await screenshot(admin, 'hubspot-sync-3-admin-activity-390');
  await admin.setViewportSize({ width: 1400, height: 900 });

  // Following the link opens the contact in the simulator, with the transcript as its Note.
  const adminLink = row.getByRole('link', { name: /Phoebe Marsh/ });
  const href = await adminLink.getAttribute('href');
  assert.ok(href.endsWith(`/contacts/${portalId}/record/0-1/${contactId}`), `the link goes to the phone contact: ${href}`);
  assert.equal(href, await agentLink.getAttribute('href'));
  const [contactPage] = await Promise.all([context.waitForEvent('page'), adminLink.click()]);
  await contactPage.waitForLoadState();
  await contactPage.getByRole('heading', { name: 'Phoebe Marsh', level: 1 }).waitFor();
  const note = contactPage.locator('article.note');
  await note.filter({ hasText: reply }).waitFor();
  assert.equal(await note.count(), 1, 'exactly one note');
  const noteText = await note.textContent();
  assert.ok(noteText.includes(firstMessage), 'the note holds the first message too');
  await screenshot(contactPage, 'hubspot-sync-4-note-in-hubspot');

  // The simulator agrees: one note on that contact, and no contact was created for the customer's email.
  const notes = await control(`/_sim/portals/${portalId}/contacts/${contactId}/notes`);
  assert.equal(notes.length, 1, 'one note on the contact');
  assert.ok(notes[0].body.includes(reply));
  const contacts = await control(`/_sim/portals/${portalId}/contacts`);
  assert.equal(contacts.filter((c) => c.properties.email === email).length, 0, 'no contact created with the customer email');

  // Every HubSpot call went to the current platform: OAuth 2026-03 and the date-versioned CRM paths, none to a
  // retired one (the harness checks that too when the gateway stops).
  const requests = await control('/_sim/requests');
  const paths = requests.map((r) => `${r.method} ${r.path}`);
  for (const want of ['POST /oauth/2026-03/token', 'POST /oauth/2026-03/token/introspect', 'POST /crm/objects/2026-03/contacts/search']) {
    assert.ok(paths.includes(want), `the gateway called ${want}; it called ${[...new Set(paths)].join(', ')}`);
  }
  assert.ok(paths.some((p) => /^POST \/crm\/objects\/2026-03\/notes(\/batch\/create)?$/.test(p)), 'the note was written through the 2026-03 notes API');
  assert.deepEqual(await legacyRequests(gateway.simulatorUrl), [], 'no request to a retired HubSpot path');
});
