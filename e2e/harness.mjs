// End-to-end harness: runs the built gateway binary on free ports with a throwaway SQLite database, and
// Debian's Chromium through playwright-core. It builds nothing: `make` (or the lead's equivalent) builds the
// frontend into server/dist and the binary into bin/convrs first; GATEWAY_BIN points elsewhere if needed.

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const outputDir = join(repoRoot, 'test-output');

/** A TCP port nothing listens on right now. */
export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls until check() returns a truthy value or the deadline passes. */
export async function waitUntil(check, { timeoutMs = 30_000, intervalMs = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
}

function gatewayBin() {
  const bin = resolve(repoRoot, process.env.GATEWAY_BIN ?? 'bin/convrs');
  if (!existsSync(bin)) {
    throw new Error(`gateway binary ${bin} not found: build it first (make), or set GATEWAY_BIN`);
  }
  return bin;
}

/**
 * Starts `GATEWAY_BIN serve` in development mode on a free port with its own data directory, and waits for
 * GET /readyz to answer 200. Its output goes to test-output/<name>-gateway.log. `opts.port` and `opts.env`
 * override the port and the environment (e.g. PostgreSQL, Redis, an outside HubSpot simulator).
 */
export async function startGateway(name, opts = {}) {
  const bin = gatewayBin();
  const dataDir = mkdtempSync(join(tmpdir(), 'convrs-e2e-'));
  const port = opts.port ?? (await freePort());
  const simPort = await freePort();
  const url = `http://127.0.0.1:${port}`;

  mkdirSync(outputDir, { recursive: true });
  const logPath = join(outputDir, `${name}-gateway.log`);
  const log = createWriteStream(logPath);
  const child = spawn(bin, ['serve'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      PUBLIC_URL: url,
      DATABASE_URL: `sqlite://${join(dataDir, 'e2e.db')}`,
      // Explicit: without APP_ENV the binary is in production and refuses to start without its secrets.
      APP_ENV: 'development',
      DATA_DIR: dataDir,
      HUBSPOT_SIM_ADDR: `127.0.0.1:${simPort}`,
      // HubSpot's retired paths (OAuth v1, CRM v3/v4, account-info v3) answer 410 Gone, as they will: the
      // product must not need them. stop() also fails when the simulator's log holds any request to them.
      HUBSPOT_SIM_LEGACY_APIS: 'off',
      // A free port: several gateways (and `make run`) may run on this machine at once.
      METRICS_ADDR: '127.0.0.1:0',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  const exit = new Promise((resolveExit) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolveExit();
    }),
  );

  const simulatorUrl = `http://127.0.0.1:${simPort}`;
  async function stop() {
    // The gateway's own simulator (none when HUBSPOT_API_URL points at an outside one, which checks itself).
    const legacy = opts.env?.HUBSPOT_API_URL || exited ? [] : await legacyRequests(simulatorUrl).catch((err) => err);
    if (!exited) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
    assertNoLegacyRequests(name, legacy);
  }

  try {
    await waitUntil(
      async () => {
        if (exited) throw new Error(`gateway exited (${exited.code ?? exited.signal}); see ${logPath}`);
        const response = await fetch(`${url}/readyz`);
        return response.status === 200;
      },
      { timeoutMs: 60_000, what: `${url}/readyz (log: ${logPath})` },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, simulatorUrl, dataDir, logPath, stop };
}

/**
 * The requests the simulator at simulatorUrl received on HubSpot's retired paths (OAuth v1/v3, CRM v3/v4,
 * account-info v3), served or refused: [{method, path, status}].
 */
export async function legacyRequests(simulatorUrl) {
  const response = await fetch(`${simulatorUrl}/_sim/requests?legacy=true`);
  if (!response.ok) throw new Error(`simulator request log: ${response.status}`);
  return (await response.json()).map(({ method, path, status }) => ({ method, path, status }));
}

function assertNoLegacyRequests(name, legacy) {
  if (legacy instanceof Error) throw new Error(`${name}: cannot read the simulator's request log: ${legacy.message}`);
  if (legacy.length > 0) {
    throw new Error(`${name}: the gateway called HubSpot paths that are retired: ${legacy.map((r) => `${r.method} ${r.path} → ${r.status}`).join(', ')}`);
  }
}

/**
 * Starts the HubSpot simulator alone (`GATEWAY_BIN hubspot-sim`), for several gateways to share, and waits until
 * it answers. `redirectUris` are the demo app's registered redirect URLs (the gateways' callbacks): like HubSpot,
 * the simulator refuses any other. Its output goes to test-output/<name>-hubspot-sim.log.
 */
export async function startSimulator(name, { redirectUris = [] } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  mkdirSync(outputDir, { recursive: true });
  const log = createWriteStream(join(outputDir, `${name}-hubspot-sim.log`));
  // Retired paths off, as in startGateway; stop() fails if anything called them.
  const args = ['hubspot-sim', '--addr', `127.0.0.1:${port}`, '--legacy-apis', 'off', ...redirectUris.flatMap((uri) => ['--redirect-uri', uri])];
  const child = spawn(gatewayBin(), args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exit = new Promise((resolveExit) => child.on('exit', resolveExit));
  const stop = async () => {
    const legacy = await legacyRequests(url).catch((err) => err);
    child.kill('SIGTERM');
    await exit;
    log.end();
    assertNoLegacyRequests(name, legacy);
  };
  try {
    await waitUntil(async () => (await fetch(url)).status === 200, { what: `simulator ${url}` });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/**
 * Creates an empty PostgreSQL database on TEST_DATABASE_URL's server and returns its URL and a drop function.
 * Returns null when TEST_DATABASE_URL is unset (the caller skips, or fails with CI=true).
 */
export async function createPostgresDatabase(prefix) {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return null;
  const name = `${prefix}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const psql = (sql) =>
    new Promise((resolveRun, reject) => {
      const child = spawn('psql', [admin.toString(), '-qc', sql], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => (code === 0 ? resolveRun() : reject(new Error(`psql ${sql}: ${stderr}`))));
    });
  await psql(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Debian's Chromium, headless, with a throwaway profile. Never downloads a browser. */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'convrs-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as test-output/<name>.png. */
export async function screenshot(page, name) {
  mkdirSync(outputDir, { recursive: true });
  await page.screenshot({ path: join(outputDir, `${name}.png`), fullPage: true });
}

/**
 * Starts a gateway and a browser for one test file; teardown() stops both. Pages that log errors to the
 * console have them collected in `consoleErrors`, for a test to print when it fails.
 */
export async function setup(name) {
  const gateway = await startGateway(name);
  let browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await gateway.stop();
    throw err;
  }
  const consoleErrors = [];
  const watch = (page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (err) => consoleErrors.push(`${page.url()}: ${err.message}`));
  };
  // The persistent context opens with one page already; pages opened later are watched as they come.
  const existing = browser.context.pages()[0];
  if (existing) watch(existing);
  browser.context.on('page', watch);
  const page = existing ?? (await browser.context.newPage());
  return {
    gateway,
    context: browser.context,
    page,
    consoleErrors,
    async teardown() {
      await browser.close().catch(() => {});
      await gateway.stop();
    },
  };
}

/** Signs in on the console's sign-in page with the button for the named demo staff member. */
export async function signIn(page, url, buttonName) {
  await page.goto(url);
  // Tabs share one session (localStorage): sign out first if another tab left someone signed in.
  const signOut = page.getByRole('button', { name: 'Sign out' });
  const button = page.getByRole('button', { name: buttonName });
  await signOut.or(button).first().waitFor();
  if (await signOut.isVisible()) await signOut.click();
  await button.click();
  await signOut.waitFor();
}

/**
 * Integrations → Integrate → the simulator's consent tab → Connect app, as an admin signed in on page: returns the
 * HubSpot card once it shows the yellow (connected, not enabled) banner.
 */
export async function connectHubspot(page, context, gatewayUrl) {
  await page.getByRole('link', { name: 'Integrations' }).click();
  const card = page.getByRole('region', { name: 'HubSpot' });
  await card.getByRole('button', { name: 'Integrate' }).click();
  // The card learns about the callback through its subscription: the websocket must be up first.
  await page.locator('header[data-connection="connected"]').waitFor();
  const [consent] = await Promise.all([context.waitForEvent('page'), card.getByRole('button', { name: 'Login to HubSpot' }).click()]);
  await consent.waitForURL((url) => url.protocol.startsWith('http'));
  await consent.getByRole('button', { name: 'Connect app' }).or(consent.getByRole('link', { name: 'Connect app' })).click();
  await consent.waitForURL((url) => url.origin === new URL(gatewayUrl).origin, { timeout: 30_000 });
  await consent.close();
  await page.bringToFront();
  await card.locator('.banner[data-state="yellow"]').waitFor({ timeout: 30_000 });
  return card;
}

/** Save Options → the dialog's Save; the card confirms it. */
export async function saveHubspotOptions(page, card) {
  await card.getByRole('button', { name: 'Save Options' }).click();
  await page.getByRole('dialog', { name: 'Save HubSpot options?' }).getByRole('button', { name: 'Save', exact: true }).click();
  await card.getByText('Options saved').waitFor();
}

/** Connects and enables HubSpot with outbound search allowed; returns the card. */
export async function connectAndEnableHubspot(page, context, gatewayUrl) {
  const card = await connectHubspot(page, context, gatewayUrl);
  await card.getByRole('button', { name: 'Enable' }).click();
  await page.getByRole('dialog', { name: 'Enable HubSpot syncing?' }).getByRole('button', { name: 'Enable' }).click();
  await card.locator('.banner[data-state="green"]').waitFor();
  await card.getByRole('checkbox', { name: 'Allow HubSpot searching in outbound' }).check();
  await saveHubspotOptions(page, card);
  return card;
}

/**
 * Calls the simulator's control API at simulatorUrl: GET without a body, POST with one (JSON). Throws unless it
 * answers 2xx; returns the JSON answer (null for 204).
 */
export async function simulatorControl(simulatorUrl, path, body) {
  const response = await fetch(`${simulatorUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}
