// The embeddable widgets: a plain host page (the development example, /embed/example.html) links one
// stylesheet and imports each widget's module, then calls mount(element, props). The widgets render and talk to
// the gateway from there, and the page never loads the console's own bundle.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { screenshot, setup } from './harness.mjs';

let env;

before(async () => {
  env = await setup('widgets-embed');
});

after(async () => {
  await env?.teardown();
});

test('a host page mounts the admin card and User Details from their own modules', async () => {
  const { page, gateway, consoleErrors } = env;
  const scripts = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
  });
  try {
    await page.goto(`${gateway.url}/embed/example.html?widgets=admin-card,user-details`);
    await page.getByText('Mounted: admin-card, user-details').waitFor();
    const card = page.getByRole('region', { name: 'Admin card host' }).getByRole('region', { name: 'HubSpot' });
    await card.getByRole('button', { name: 'Integrate' }).waitFor();
    const details = page.getByRole('region', { name: 'User Details host' }).getByRole('region', { name: 'User Details' });
    await details.waitFor();
    assert.ok(scripts.includes('/widgets/admin-card.js'), `scripts loaded: ${scripts.join(', ')}`);
    assert.ok(scripts.includes('/widgets/user-details.js'), `scripts loaded: ${scripts.join(', ')}`);
    assert.ok(!scripts.includes('/widgets/outbound-search.js'), 'the outbound search module was loaded though not embedded');
    assert.deepEqual(
      scripts.filter((s) => /\/assets\/index-/.test(s)),
      [],
      'the host page loaded the console bundle',
    );
    await screenshot(page, 'widgets-embed');
    assert.deepEqual(consoleErrors, []);
  } catch (err) {
    await screenshot(page, 'widgets-embed-failed').catch(() => {});
    throw new Error(`${err.message}\nconsole: ${consoleErrors.join('\n')}`);
  }
});

test('a widget module is served as JavaScript at its stable address', async () => {
  const res = await fetch(`${env.gateway.url}/widgets/admin-card.js`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /javascript/);
});
