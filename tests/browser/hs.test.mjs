// Browser tests for the console's HS code page: the sidebar link under
// Catalog, the counts of loaded codes with the hint that only part of the
// nomenclature is loaded, a search by words, a single code with its path
// chapter → heading → subheading and the codes under a heading, the Chinese
// labels, and the phone layout. The demo loads only a few codes: chapters 85
// and 94, headings 8539 and 9405, subheadings 853952 and 9405xx. One
// `chuhai serve` with a fresh SQLite data directory, stopped with SIGTERM at
// the end.
//
// Run: npm ci --prefix tests/browser && node --test tests/browser/
// The server, the browser and the sign-in come from harness.mjs (CHUHAI_BIN
// overrides the server binary; CHROMIUM_BIN overrides the browser).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  TEST_TIMEOUT,
  createSuite, expectPath, expectTextContains, textOf,
} from './harness.mjs';

const suite = createSuite();
const { newContext, signIn, screenshot } = suite;
let baseUrl;
// Tests 1-4 are one sign-in session, in order, on one page.
let sessionContext;
let sessionPage;

before(async () => {
  await suite.start();
  ({ baseUrl } = suite);
  sessionContext = await newContext({ viewport: { width: 1280, height: 800 } });
  sessionPage = await sessionContext.newPage();
});

after(() => suite.stop());

/** The codes (digits) of the rows of a table of HS codes. */
async function rowCodes(page, testid) {
  return page.locator(`[data-testid=${testid}] [data-testid=hs-row]`).evaluateAll(
    (rows) => rows.map((r) => r.getAttribute('data-code')),
  );
}

/** Text and link target of each part of the path chapter → heading → subheading. */
async function pathLinks(page) {
  return page.locator('[data-testid=hs-path] a').evaluateAll(
    (links) => links.map((a) => ({ text: a.textContent.trim(), href: a.getAttribute('href'), current: a.getAttribute('aria-current') })),
  );
}

const LED_9405 = ['940511', '940521', '940531', '940542'];

test('the HS page is under Catalog and shows what is loaded', { timeout: TEST_TIMEOUT }, async () => {
  const page = sessionPage;
  await signIn(page);

  const links = await page.locator('nav.sidenav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const catalog = links.indexOf('/console/products');
  assert.equal(links[catalog + 1], '/console/hs', 'the HS link comes right after Catalog');
  await page.click('nav.sidenav a[href="/console/hs"]');
  await expectPath(page, '/console/hs');
  assert.equal(await page.getAttribute('nav.sidenav a[href="/console/hs"]', 'aria-current'), 'page');
  await expectTextContains(page.locator('[data-testid=hs-title]'), 'HS codes');
  await expectTextContains(page.locator('nav.sidenav a[href="/console/hs"]'), 'HS codes');

  // The counts of the demo's codes, and the hint to load the full list.
  assert.equal(await textOf(page.locator('[data-testid=hs-count-chapters]')), '2');
  assert.equal(await textOf(page.locator('[data-testid=hs-count-headings]')), '2');
  assert.equal(await textOf(page.locator('[data-testid=hs-count-subheadings]')), '5');
  const partial = page.locator('[data-testid=hs-partial]');
  await expectTextContains(partial, 'Only part of the nomenclature is loaded');
  await expectTextContains(partial, 'for the full HS 2022 list');
  assert.equal(await textOf(partial.locator('code')), 'chuhai import hs FILE');
  assert.ok(!(await textOf(partial)).includes('`'), 'no literal backticks');

  // An empty query is just the box and the counts.
  assert.equal(await page.inputValue('input[name=q]'), '');
  assert.equal(await page.locator('[data-testid=hs-row]').count(), 0);
  assert.equal(await page.locator('[data-testid=hs-path]').count(), 0);
  assert.equal(await page.locator('[data-testid=hs-no-match]').count(), 0);
});

test('words find the LED lamps, written with dots', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = sessionPage;
  await page.goto(`${baseUrl}/console/hs?q=lamp`);
  assert.equal(await page.inputValue('input[name=q]'), 'lamp');
  const codes = await rowCodes(page, 'hs-results');
  assert.ok(codes.includes('853952'), `853952 is among ${codes}`);
  const led = page.locator('[data-testid=hs-results] [data-testid=hs-row][data-code="853952"]');
  assert.equal(await textOf(led.locator('td.code')), '8539.52');
  assert.equal(await led.locator('td.code a').getAttribute('href'), '/console/hs?q=853952');
  await expectTextContains(led, 'Subheading');
  await expectTextContains(led, 'Lamps; light-emitting diode (LED)');
  await expectTextContains(led.locator('td.section'), 'XVI');
  await expectTextContains(page.locator('[data-testid=hs-results] thead'), 'Description');
  assert.equal(Number(await textOf(page.locator('[data-testid=hs-result-count]'))), codes.length);
  // A chapter that mentions lamps is a chapter.
  await expectTextContains(page.locator('[data-testid=hs-results] [data-testid=hs-row][data-code="94"]'), 'Chapter');
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 1280, `page is ${scrollWidth}px wide on a 1280px screen`);
  await screenshot(t, page, 'hs-search-desktop-1280x800.png');

  await page.goto(`${baseUrl}/console/hs?q=${encodeURIComponent('no such thing')}`);
  await expectTextContains(page.locator('[data-testid=hs-no-match]'), 'No loaded HS code matches');
  assert.equal(await page.locator('[data-testid=hs-row]').count(), 0);
});

test('a single code shows its path, a heading the codes under it', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = sessionPage;
  await page.goto(`${baseUrl}/console/hs?q=940521`);
  const path = page.locator('[data-testid=hs-path]');
  await expectTextContains(path, '94 → 9405 → 9405.21');
  assert.deepEqual(await pathLinks(page), [
    { text: '94', href: '/console/hs?q=94', current: null },
    { text: '9405', href: '/console/hs?q=9405', current: null },
    { text: '9405.21', href: '/console/hs?q=940521', current: 'page' },
  ]);
  const entry = page.locator('[data-testid=hs-entry]');
  await expectTextContains(entry, '9405.21');
  await expectTextContains(entry, 'Subheading');
  await expectTextContains(page.locator('[data-testid=hs-entry-description]'), 'table, desk, bedside or floor-standing');
  await expectTextContains(entry, 'Luminaires and light fittings; including searchlights');
  assert.equal(await page.locator('[data-testid=hs-children-heading]').count(), 0, 'a subheading has no codes under it');
  await screenshot(t, page, 'hs-code-desktop-1280x800.png');

  // Up the path to the heading: its subheadings are listed.
  await page.click('[data-testid=hs-path] a[href="/console/hs?q=9405"]');
  await page.waitForURL((u) => u.search === '?q=9405');
  assert.deepEqual((await pathLinks(page)).map((l) => l.text), ['94', '9405']);
  await expectTextContains(page.locator('[data-testid=hs-children-heading]'), 'Codes under 9405');
  assert.deepEqual(await rowCodes(page, 'hs-children'), LED_9405);

  // Searching "9405" in the box gives the same heading.
  await page.goto(`${baseUrl}/console/hs`);
  await page.fill('input[name=q]', '9405');
  await page.click('[data-testid=hs-submit]');
  await page.waitForURL((u) => u.pathname === '/console/hs' && u.search === '?q=9405');
  const children = page.locator('[data-testid=hs-children]');
  for (const display of ['9405.11', '9405.21', '9405.31', '9405.42']) {
    await expectTextContains(children, display);
  }
  assert.deepEqual(await rowCodes(page, 'hs-children'), LED_9405);
  assert.equal(await page.locator('[data-testid=hs-children] [data-testid=hs-row][data-code="9405"]').count(), 0,
    'the heading is not listed under itself');
  await expectTextContains(page.locator('[data-testid=hs-children] [data-code="940542"]'), 'Subheading');

  // The chapter lists its heading and subheadings; dots in a query are allowed.
  await page.goto(`${baseUrl}/console/hs?q=94`);
  assert.deepEqual(await rowCodes(page, 'hs-children'), ['9405', ...LED_9405]);
  await page.goto(`${baseUrl}/console/hs?q=9405.42`);
  assert.deepEqual((await pathLinks(page)).map((l) => l.text), ['94', '9405', '9405.42']);
  // Five digits are a prefix search, not a single code.
  await page.goto(`${baseUrl}/console/hs?q=94054`);
  assert.equal(await page.locator('[data-testid=hs-path]').count(), 0);
  assert.deepEqual(await rowCodes(page, 'hs-results'), ['940542']);
});

test('the HS page in Chinese', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = sessionPage;
  await page.goto(`${baseUrl}/console/hs?q=lamp`);
  await page.click('form.lang-switch button[value="zh-CN"]');
  await page.locator('html[lang="zh-CN"]').waitFor({ state: 'attached' });
  assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/console/hs?q=lamp',
    'the language switch comes back to the same search');
  await expectTextContains(page.locator('[data-testid=hs-title]'), 'HS编码');
  await expectTextContains(page.locator('nav.sidenav a[href="/console/hs"]'), 'HS编码');
  await expectTextContains(page.locator('[data-testid=hs-submit]'), '搜索');
  await expectTextContains(page.locator('[data-testid=hs-counts]'), '已加载');
  await expectTextContains(page.locator('[data-testid=hs-counts]'), '子目');
  const partial = page.locator('[data-testid=hs-partial]');
  await expectTextContains(partial, '只加载了部分编码目录');
  await expectTextContains(partial, 'HS 2022');
  assert.equal(await textOf(partial.locator('code')), 'chuhai import hs FILE');
  const head = page.locator('[data-testid=hs-results] thead');
  for (const label of ['编码', '层级', '商品描述', '类']) await expectTextContains(head, label);
  await expectTextContains(page.locator('[data-testid=hs-results] [data-code="853952"]'), '子目');
  await expectTextContains(page.locator('[data-testid=hs-results] [data-code="853952"] td.code'), '8539.52');
  await expectTextContains(page.locator('[data-testid=hs-results] [data-code="94"]'), '章');

  await page.goto(`${baseUrl}/console/hs?q=9405`);
  await expectTextContains(page.locator('[data-testid=hs-children-heading]'), '9405 的下属编码');
  await expectTextContains(page.locator('[data-testid=hs-entry]'), '品目');
  await screenshot(t, page, 'hs-zh-desktop-1280x800.png');

  await page.click('form.lang-switch button[value="en"]');
  await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
  await expectTextContains(page.locator('[data-testid=hs-children-heading]'), 'Codes under 9405');
  await sessionContext.close();
});

test('the HS page fits a phone screen', { timeout: TEST_TIMEOUT }, async (t) => {
  const context = await newContext({ viewport: { width: 390, height: 844 } });
  try {
    const page = await context.newPage();
    await signIn(page);
    for (const q of ['lamp', '94', '940521']) {
      await page.goto(`${baseUrl}/console/hs?q=${q}`);
      await page.locator('[data-testid=hs-search]').waitFor();
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scrollWidth <= 390, `?q=${q} is ${scrollWidth}px wide on a 390px screen`);
      if (q === 'lamp') await screenshot(t, page, 'hs-search-phone-390x844.png');
    }
    // The codes under a chapter: each row inside the screen, one below the other.
    await page.goto(`${baseUrl}/console/hs?q=94`);
    const rows = page.locator('[data-testid=hs-children] [data-testid=hs-row]');
    let previous = null;
    for (const row of await rows.all()) {
      const desc = await row.locator('td.desc').boundingBox();
      assert.ok(desc.x >= 0 && desc.x + desc.width <= 390, 'the description is inside the screen');
      if (previous) assert.ok(desc.y > previous.y, 'each row is below the one before');
      previous = desc;
    }
    await screenshot(t, page, 'hs-chapter-phone-390x844.png');
  } finally {
    await context.close();
  }
});

test('the HS page needs a sign-in', { timeout: TEST_TIMEOUT }, async () => {
  const res = await fetch(`${baseUrl}/console/hs?q=lamp`, { redirect: 'manual' });
  assert.ok([302, 303, 307].includes(res.status), `status ${res.status}`);
  assert.equal(res.headers.get('location'), '/console/login');
});
