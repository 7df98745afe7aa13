// The shared harness of the browser tests (*.test.mjs): where the server and
// browser binaries are, starting one `chuhai serve` on a free 127.0.0.1 port
// with a fresh data directory (the demo is seeded into it), launching Debian's
// Chromium through playwright-core, signing in as the demo owner, the text and
// path checks, screenshots, and the shutdown with SIGTERM that must exit 0.
//
// Each test file makes its own suite (so its own server and browser):
//
//   const suite = createSuite();
//   before(() => suite.start());
//   after(() => suite.stop());
//
// CHUHAI_BIN overrides the server binary; CHROMIUM_BIN overrides the browser.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const targetDir = path.resolve(repoRoot, process.env.CARGO_TARGET_DIR || 'target');

/** The server under test: CHUHAI_BIN, else `$CARGO_TARGET_DIR/release/chuhai`, else `target/release/chuhai`. */
export const CHUHAI_BIN = process.env.CHUHAI_BIN
  ? path.resolve(process.env.CHUHAI_BIN)
  : path.join(targetDir, 'release', 'chuhai');
/** The browser: CHROMIUM_BIN, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_BIN = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
/** The flags Chromium is launched with: headless, no sandbox, nothing fetched on its own. */
export const CHROMIUM_ARGS = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
]);

/** The demo owner's e-mail (organisation "Shenzhen Lumi Lighting Co."). */
export const DEMO_EMAIL = 'demo@chuhai.test';
/** The password of every demo user. */
export const DEMO_PASSWORD = 'chuhai-demo';
/** Another organisation of the demo (a warehouse operator), same password. */
export const OTHER_EMAIL = 'warehouse@chuhai.test';
/** A product of the demo seller. */
export const DEMO_PRODUCT = 'Aurora LED Desk Lamp';

/** How long one step (a click, a navigation, a text check) may take, in ms. */
export const STEP_TIMEOUT = 10_000;
/** How long one test may take, in ms. */
export const TEST_TIMEOUT = 60_000;
/** How long the server may take to become ready, in ms. */
export const READY_TIMEOUT = 60_000;
/** How long the server may take to exit after SIGTERM before it is killed, in ms. */
export const SHUTDOWN_TIMEOUT = 20_000;

/** A fresh directory `chuhai-browser-KIND-*` under the system temp directory. */
export async function tempDir(kind) {
  return mkdtemp(path.join(os.tmpdir(), `chuhai-browser-${kind}-`));
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `BIN serve` on 127.0.0.1:`port` with data directory `dir`.
 * Returns `{ proc, exited: Promise<{code, signal}>, log(): string }`.
 */
export function startServer(bin, port, dir) {
  const proc = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--data-dir', dir], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.setEncoding('utf8').on('data', (s) => { output += s; });
  proc.stderr.setEncoding('utf8').on('data', (s) => { output += s; });
  const exited = new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return { proc, exited, log: () => output };
}

/** Polls `url`/readyz until it answers 200; throws if the server exits first or time runs out. */
export async function waitReady(srv, url, timeoutMs = READY_TIMEOUT) {
  const deadline = Date.now() + timeoutMs;
  let exitedEarly = null;
  srv.exited.then((r) => { exitedEarly = r; }, (e) => { exitedEarly = { error: e }; });
  while (Date.now() < deadline) {
    if (exitedEarly) {
      throw new Error(`chuhai exited before it was ready: ${JSON.stringify(exitedEarly)}\n${srv.log()}`);
    }
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`chuhai was not ready within ${timeoutMs} ms\n${srv.log()}`);
}

/**
 * Sends SIGTERM to a running server and waits at most `timeoutMs` (a timer that
 * does not keep the process alive); kills it with SIGKILL if that runs out.
 * Returns `{ code, signal }` of its exit, or `{ timedOut: true }`.
 */
export async function stopServer(srv, timeoutMs = SHUTDOWN_TIMEOUT) {
  if (srv.proc.exitCode !== null || srv.proc.signalCode !== null) return srv.exited;
  srv.proc.kill('SIGTERM');
  const result = await Promise.race([
    srv.exited,
    sleep(timeoutMs, null, { ref: false }).then(() => ({ timedOut: true })),
  ]);
  if (result.timedOut) srv.proc.kill('SIGKILL');
  return result;
}

/** Launches Chromium (CHROMIUM_BIN) headless with CHROMIUM_ARGS. */
export async function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM_BIN, args: [...CHROMIUM_ARGS] });
}

/** Retries `check` (which throws on failure) until it passes or time runs out. */
export async function eventually(check, timeoutMs = STEP_TIMEOUT) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await sleep(100);
    }
  }
}

/**
 * The text of `locator`, trimmed, each run of whitespace made one space;
 * with `{ squeeze: false }` only trimmed.
 */
export async function textOf(locator, { squeeze = true } = {}) {
  const text = (await locator.textContent({ timeout: STEP_TIMEOUT })) ?? '';
  return (squeeze ? text.replace(/\s+/g, ' ') : text).trim();
}

/** Waits until the text of `locator` (read as by `textOf` with `options`) contains `expected`. */
export async function expectTextContains(locator, expected, options) {
  await eventually(async () => {
    const text = await textOf(locator, options);
    assert.ok(text.includes(expected), `expected ${locator} to contain ${JSON.stringify(expected)}, got ${JSON.stringify(text)}`);
  });
}

/** Waits until the text of `locator` (read as by `textOf` with `options`) is `expected`. */
export async function expectTextEquals(locator, expected, options) {
  await eventually(async () => assert.equal(await textOf(locator, options), expected, `text of ${locator}`));
}

/** The path of the page's URL. */
export function pathOf(page) {
  return new URL(page.url()).pathname;
}

/** Waits until the page's path is `pathname` (a string, or a RegExp it must match). */
export async function expectPath(page, pathname) {
  const matches = (p) => (pathname instanceof RegExp ? pathname.test(p) : p === pathname);
  await page.waitForURL((u) => matches(u.pathname), { timeout: STEP_TIMEOUT });
  assert.ok(matches(pathOf(page)), `path ${pathOf(page)} matches ${pathname}`);
}

/** Fills in and sends the sign-in form the page shows. */
export async function submitLogin(page, email, password) {
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('form[action="/console/login"] button[type=submit]');
}

/**
 * One test file's fixture: a `chuhai serve` with a fresh data directory on a
 * free port, and Chromium. Call `start()` in `before` and `stop()` in `after`;
 * the fields (`server`, `dataDir`, `shotDir`, `baseUrl`, `browser`) are set
 * as `start()` goes, so `stop()` cleans up whatever was started. The helpers
 * (`newContext`, `signIn`, `screenshot`) may be destructured. If the runner
 * exits with the server still running, the server is killed.
 */
export function createSuite() {
  const suite = {
    server: null, // from startServer
    dataDir: null,
    shotDir: null,
    baseUrl: null,
    browser: null,

    /** Checks the binaries, starts the server, waits until it is ready, launches Chromium. */
    start: async () => {
      assert.ok(existsSync(CHUHAI_BIN), `no chuhai binary at ${CHUHAI_BIN}: run \`cargo build --release -p chuhai\` or set CHUHAI_BIN`);
      assert.ok(existsSync(CHROMIUM_BIN), `no Chromium at ${CHROMIUM_BIN}: run \`apt-get install -y chromium\``);
      suite.dataDir = await tempDir('data');
      suite.shotDir = await tempDir('shots');
      const port = await freePort();
      suite.baseUrl = `http://127.0.0.1:${port}`;
      suite.server = startServer(CHUHAI_BIN, port, suite.dataDir);
      await waitReady(suite.server, suite.baseUrl);
      suite.browser = await launchChromium();
    },

    /**
     * Closes the browser, stops the server with SIGTERM, removes the data
     * directory and the directories in `alsoRemove`, then asserts the server
     * exited with code 0.
     */
    stop: async ({ alsoRemove = [] } = {}) => {
      await suite.browser?.close().catch(() => {});
      const { server } = suite;
      const result = server ? await stopServer(server) : undefined;
      for (const dir of [suite.dataDir, ...alsoRemove]) {
        if (dir) await rm(dir, { recursive: true, force: true });
      }
      if (server) {
        assert.deepEqual(result, { code: 0, signal: null },
          `chuhai did not shut down gracefully on SIGTERM\n${server.log()}`);
      }
    },

    /** A browser context in en-US (plus `options`) with STEP_TIMEOUT as its default timeouts. */
    newContext: async (options = {}) => {
      const context = await suite.browser.newContext({ locale: 'en-US', ...options });
      context.setDefaultTimeout(STEP_TIMEOUT);
      context.setDefaultNavigationTimeout(STEP_TIMEOUT);
      return context;
    },

    /** Signs `page` in as `email` (the demo owner by default) and waits for the dashboard. */
    signIn: async (page, email = DEMO_EMAIL) => {
      await page.goto(`${suite.baseUrl}/console/login`);
      await submitLogin(page, email, DEMO_PASSWORD);
      await expectPath(page, '/console');
      await page.locator('[data-testid=dashboard-title]').waitFor();
    },

    /** Saves a full-page screenshot `name` in the suite's shot directory and logs its path. */
    screenshot: async (t, page, name) => {
      const shot = path.join(suite.shotDir, name);
      await page.screenshot({ path: shot, fullPage: true });
      t.diagnostic(`screenshot: ${shot}`);
    },
  };

  // Never leave a server behind if the runner dies.
  process.on('exit', () => {
    const { server } = suite;
    if (server && server.proc.exitCode === null && server.proc.signalCode === null) {
      server.proc.kill('SIGKILL');
    }
  });

  return suite;
}
