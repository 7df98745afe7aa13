// Browser tests for the Chuhai console: playwright-core driving Debian's
// Chromium against one `chuhai serve` process with a fresh SQLite database.
//
// Run: npm ci --prefix tests/browser && node --test tests/browser/
// The server, the browser and the sign-in come from harness.mjs (CHUHAI_BIN
// overrides the server binary; CHROMIUM_BIN overrides the browser).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DEMO_EMAIL, DEMO_PASSWORD, TEST_TIMEOUT,
  createSuite, expectPath, pathOf, submitLogin,
  expectTextContains as containsText, expectTextEquals as equalsText,
} from './harness.mjs';

const ORG_EN = 'Shenzhen Lumi Lighting Co.';
const ORG_ZH = '深圳光米照明';

// This file reads the text of the page as it stands, only trimmed.
const AS_IS = { squeeze: false };
const expectTextContains = (locator, expected) => containsText(locator, expected, AS_IS);
const expectTextEquals = (locator, expected) => equalsText(locator, expected, AS_IS);

const suite = createSuite();
const { newContext, signIn, screenshot } = suite;
let baseUrl;
// Tests 1-3 are one sign-in session, in order, on one page.
let sessionContext;
let sessionPage;

before(async () => {
  await suite.start();
  ({ baseUrl } = suite);
  sessionContext = await newContext({ viewport: { width: 1280, height: 800 } });
  sessionPage = await sessionContext.newPage();
});

after(() => suite.stop());

test('demo owner signs in and sees the dashboard', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = sessionPage;
  await page.goto(`${baseUrl}/console`);
  await expectPath(page, '/console/login');

  await submitLogin(page, DEMO_EMAIL, DEMO_PASSWORD);
  await expectPath(page, '/console');
  await expectTextContains(page.locator('[data-testid=dashboard-title]'), 'Welcome back');
  await expectTextEquals(page.locator('[data-testid=org-name]'), ORG_EN);

  await screenshot(t, page, 'dashboard-desktop-1280x800.png');
});

test('switches to Chinese and back', { timeout: TEST_TIMEOUT }, async () => {
  const page = sessionPage;
  assert.equal(pathOf(page), '/console', 'this test continues the signed-in session of the previous one');

  await page.click('form.lang-switch button[value="zh-CN"]');
  await page.locator('html[lang="zh-CN"]').waitFor({ state: 'attached' });
  await expectTextContains(page.locator('[data-testid=dashboard-title]'), '欢迎回来');
  await expectTextEquals(page.locator('[data-testid=org-name]'), ORG_ZH);
  await expectTextContains(page.locator('nav.sidenav'), '概览');

  await page.click('form.lang-switch button[value="en"]');
  await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
  await expectTextContains(page.locator('[data-testid=dashboard-title]'), 'Welcome back');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
});

test('signs out', { timeout: TEST_TIMEOUT }, async () => {
  const page = sessionPage;
  await page.click('[data-testid=sign-out]');
  await expectPath(page, '/console/login');

  await page.goto(`${baseUrl}/console`);
  await expectPath(page, '/console/login');
  await sessionContext.close();
});

test('a wrong password shows an error', { timeout: TEST_TIMEOUT }, async () => {
  // Exactly one failed attempt: the server locks an e-mail after 5 in 15 minutes.
  const context = await newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${baseUrl}/console/login`);
    await submitLogin(page, DEMO_EMAIL, 'not-the-demo-password');
    await expectTextContains(page.locator('[data-testid=login-error]'), 'The e-mail or password is not correct.');
    assert.equal(pathOf(page), '/console/login');
  } finally {
    await context.close();
  }
});

test('the dashboard fits a phone screen', { timeout: TEST_TIMEOUT }, async (t) => {
  const context = await newContext({ viewport: { width: 390, height: 844 } });
  try {
    const page = await context.newPage();
    await signIn(page);

    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= 390, `page is ${scrollWidth}px wide on a 390px screen (horizontal overflow)`);
    await page.locator('nav.sidenav').waitFor({ state: 'visible' });
    assert.ok(await page.locator('nav.sidenav').isVisible(), 'the side navigation is visible');

    await screenshot(t, page, 'dashboard-phone-390x844.png');
  } finally {
    await context.close();
  }
});

test('API docs load from the server itself', { timeout: TEST_TIMEOUT }, async () => {
  const context = await newContext();
  try {
    const page = await context.newPage();
    const requested = [];
    page.on('request', (req) => requested.push(req.url()));

    await page.goto(`${baseUrl}/api/docs`);
    await expectTextContains(page.locator('.swagger-ui .info .title'), 'Chuhai API');
    await page.waitForLoadState('networkidle');

    const origin = `${baseUrl}/`;
    assert.ok(requested.some((u) => u.startsWith(`${baseUrl}/api/openapi.json`)),
      `the OpenAPI document was fetched from the server; requests: ${requested.join(', ')}`);
    const foreign = requested.filter((u) => !u.startsWith(origin));
    assert.deepEqual(foreign, [], 'every request goes to the server itself');
  } finally {
    await context.close();
  }
});
