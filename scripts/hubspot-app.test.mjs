// Reads the HubSpot project in hubspot-app/ with HubSpot's own parser (@hubspot/project-parsing-lib, offline:
// its schema validation needs a HubSpot account) and checks the app's scopes, redirect URL and webhook
// subscriptions against what the gateway requires: hubspot-app/gateway.json, which `convrs hubspot-app` writes
// from the gateway's own lists and a Go test (TestCheckedInHubspotAppIsUpToDate) keeps in step with them.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { ALLOWED_TOP_LEVEL_FIELDS, Components } from '@hubspot/project-parsing-lib/constants';
import { getProjectMetadata, isKnownPlatformVersion, parseProjectConfig } from '@hubspot/project-parsing-lib/projects';
import { translate } from '@hubspot/project-parsing-lib/translate';
import { validateUid } from '@hubspot/project-parsing-lib/uid';

const projectDir = path.resolve(import.meta.dirname, '..', 'hubspot-app');

const readJSON = (file) => JSON.parse(readFileSync(file, 'utf8'));

// subscription is a comparable key of a webhook subscription.
const subscription = (s) => JSON.stringify([s.subscriptionType, s.objectType ?? null, s.propertyName ?? null]);

// checkProject parses the project at dir as HubSpot's CLI does before an upload and throws (an assertion
// error saying what differs) unless it is the app the gateway requires.
async function checkProject(dir, gateway) {
  const config = parseProjectConfig(dir); // throws on a missing or malformed hsproject.json
  assert.equal(config.platformVersion, '2026.03', 'platformVersion');
  assert.ok(isKnownPlatformVersion(config.platformVersion), `HubSpot's parser does not know platform ${config.platformVersion}`);
  const srcDir = path.join(dir, config.srcDir);

  const { intermediateRepresentation, skippedHsMetaFiles } = await translate(
    { projectSourceDir: srcDir, platformVersion: config.platformVersion },
    { skipValidation: true },
  );
  assert.deepEqual(skippedHsMetaFiles, [], 'hsmeta files outside any component directory');
  const nodes = Object.values(intermediateRepresentation.intermediateNodesIndexedByUid);
  const byFile = Object.fromEntries(nodes.map((n) => [n.metaFilePath, n]));
  const app = byFile['app/app-hsmeta.json'];
  const hooks = byFile['app/webhooks/webhooks-hsmeta.json'];
  assert.ok(app, `no app component; parsed ${Object.keys(byFile)}`);
  assert.ok(hooks, `no webhooks component; parsed ${Object.keys(byFile)}`);
  assert.equal(app.componentType, 'APPLICATION');
  assert.equal(hooks.componentType, 'WEBHOOKS');
  assert.equal(hooks.componentDeps.app, app.uid, 'the webhooks component does not belong to the app');

  // What the parser checks offline besides: uids, top-level fields, one component of each singular kind.
  for (const node of nodes) {
    assert.equal(validateUid(node.uid), undefined, `uid ${node.uid}`);
    const raw = readJSON(path.join(srcDir, node.metaFilePath));
    for (const field of Object.keys(raw)) {
      assert.ok(ALLOWED_TOP_LEVEL_FIELDS.has(field), `${node.metaFilePath}: unexpected top-level field ${field}`);
    }
  }
  const { components } = await getProjectMetadata(srcDir);
  for (const [type, { count, maxCount }] of Object.entries(components)) {
    assert.ok(count <= maxCount, `${count} ${type} components, at most ${maxCount} allowed`);
  }
  // The app card (issue 21): on contact records' middle tab, its entrypoint present, and it fetches from the
  // gateway the app may fetch from (src/app/cards/gateway.ts, generated with the rest).
  const card = byFile['app/cards/convrs-conversations-hsmeta.json'];
  assert.ok(card, `no app card; parsed ${Object.keys(byFile)}`);
  assert.equal(card.componentType, 'CARD');
  assert.equal(card.componentDeps.app, app.uid, 'the card does not belong to the app');
  assert.equal(card.config.location, 'crm.record.tab', 'card location');
  assert.deepEqual(card.config.objectTypes, ['contacts'], 'card objectTypes');
  assert.ok(existsSync(path.join(srcDir, card.config.entrypoint)), `card entrypoint ${card.config.entrypoint} missing`);
  const gatewayTs = readFileSync(path.join(srcDir, 'app', 'cards', 'gateway.ts'), 'utf8');
  const fetchUrl = JSON.parse(/GATEWAY_URL = (".*");/.exec(gatewayTs)?.[1] ?? 'null');
  assert.equal(fetchUrl, gateway.publicUrl, 'the card fetches from another origin than the gateway');
  assert.ok(app.config.permittedUrls.fetch.includes(fetchUrl), 'permittedUrls.fetch lacks the card\'s gateway');
  assert.equal(components.app.count, 1);
  assert.equal(components.webhooks.count, 1);
  assert.equal(Components.webhooks.parentComponent, 'app');

  // The app: OAuth, the gateway's callback, exactly the scopes it requires.
  const c = app.config;
  assert.equal(c.distribution, gateway.distribution, 'distribution');
  assert.equal(c.auth.type, 'oauth', 'auth.type');
  assert.deepEqual(c.auth.redirectUrls, [gateway.redirectUrl], 'auth.redirectUrls');
  assert.deepEqual([...c.auth.requiredScopes].sort(), [...gateway.requiredScopes].sort(), 'auth.requiredScopes');
  assert.deepEqual([...(c.auth.optionalScopes ?? [])].sort(), [...gateway.optionalScopes].sort(), 'auth.optionalScopes');
  assert.ok(c.permittedUrls.fetch.includes(gateway.publicUrl), 'permittedUrls.fetch lacks the gateway');

  // The webhooks: the gateway's endpoint, exactly the events it handles, in the generic form.
  const w = hooks.config;
  assert.equal(w.settings.targetUrl, gateway.webhookTargetUrl, 'settings.targetUrl');
  const { objectType, events, properties, hubEvents } = gateway.webhooks;
  const want = [
    ...events.map((t) => ({ subscriptionType: t, objectType })),
    ...properties.map((p) => ({ subscriptionType: 'object.propertyChange', objectType, propertyName: p })),
  ];
  const crm = w.subscriptions.crmObjects ?? [];
  assert.deepEqual(crm.map(subscription).sort(), want.map(subscription).sort(), 'subscriptions.crmObjects');
  assert.deepEqual((w.subscriptions.hubEvents ?? []).map((s) => s.subscriptionType).sort(), [...hubEvents].sort(), 'subscriptions.hubEvents');
  assert.deepEqual(w.subscriptions.legacyCrmObjects ?? [], [], 'subscriptions.legacyCrmObjects');
  for (const s of [...crm, ...w.subscriptions.hubEvents]) {
    assert.equal(s.active, true, `${subscription(s)} is not active`);
  }
}

test('the checked-in HubSpot project is the app the gateway requires, as HubSpot parses it', async () => {
  await checkProject(projectDir, readJSON(path.join(projectDir, 'gateway.json')));
});

test('a project that differs from the gateway is refused', async (t) => {
  const gateway = readJSON(path.join(projectDir, 'gateway.json'));
  const tamper = async (file, change, message) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hubspot-app-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(projectDir, dir, { recursive: true, filter: (src) => path.basename(src) !== 'node_modules' });
    const p = path.join(dir, file);
    const json = readJSON(p);
    change(json);
    writeFileSync(p, JSON.stringify(json));
    await assert.rejects(checkProject(dir, gateway), message);
  };
  await tamper('src/app/app-hsmeta.json', (j) => j.config.auth.requiredScopes.pop(), /auth\.requiredScopes/);
  await tamper('src/app/app-hsmeta.json', (j) => (j.config.auth.redirectUrls = ['https://elsewhere.example.com/cb']), /auth\.redirectUrls/);
  await tamper('src/app/webhooks/webhooks-hsmeta.json', (j) => j.config.subscriptions.crmObjects.pop(), /crmObjects/);
  await tamper('src/app/webhooks/webhooks-hsmeta.json', (j) => (j.config.settings.targetUrl = 'https://elsewhere.example.com/hooks'), /targetUrl/);
  await tamper('src/app/webhooks/webhooks-hsmeta.json', (j) => (j.unexpected = true), /unexpected top-level field/);
  await tamper('hsproject.json', (j) => (j.platformVersion = '2025.2'), /platformVersion/);
  await tamper('src/app/cards/convrs-conversations-hsmeta.json', (j) => (j.config.location = 'crm.record.sidebar'), /card location/);
});
