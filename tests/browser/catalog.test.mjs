// Browser tests for the console's catalog: the product list, the new-product
// form with its field errors, a product's prices in every market of the demo
// seller, the Chinese labels, the phone layout, and tenancy (another
// organisation gets a 404 page). One `chuhai serve` with a fresh SQLite data
// directory, stopped with SIGTERM at the end.
//
// Run: npm ci --prefix tests/browser && node --test tests/browser/
// The server, the browser and the sign-in come from harness.mjs (CHUHAI_BIN
// overrides the server binary; CHROMIUM_BIN overrides the browser).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DEMO_PRODUCT, OTHER_EMAIL, TEST_TIMEOUT,
  createSuite, expectPath, expectTextContains, pathOf, textOf,
} from './harness.mjs';

const NEW_PRODUCT = {
  title_en: 'Orbit Wall Light',
  title_zh: 'Orbit 壁灯',
  description: 'Round LED wall light, 3000 K.\n\nAluminium body, frosted diffuser.',
  sku: 'LUMI-ORB-01',
  price: '99.00',
  hs_code: '940511',
  grams: '850',
};
// The demo seller's markets, each price's currency marker and how its
// rounding rule makes the price end.
const MARKETS = {
  us: { currency: 'USD', price: /^US\$\d{1,3}(,\d{3})*\.99$/ },
  eu: { currency: 'EUR', price: /^€\d{1,3}(,\d{3})*\.99$/ },
  uk: { currency: 'GBP', price: /^£\d{1,3}(,\d{3})*\.99$/ },
  jp: { currency: 'JPY', price: /^¥(?=[\d,]*80$)\d{1,3}(,\d{3})*$/ },
  au: { currency: 'AUD', price: /^A\$\d{1,3}(,\d{3})*\.95$/ },
  ch: { currency: 'CHF', price: /^CHF \d{1,3}(,\d{3})*[05]\.00$/ },
};

const suite = createSuite();
const { newContext, signIn, screenshot } = suite;
let baseUrl;
// Tests 1-5 are one sign-in session, in order, on one page.
let sessionContext;
let sessionPage;
// The path of the product made in test 3.
let newProductPath;

/** Submits the product form and returns the status of the POST's response. */
async function submitProductForm(page) {
  const response = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/console/products/new',
  );
  await page.click('[data-testid=save-product]');
  return (await response).status();
}

/** The market price cells of the product page, by market code. */
async function marketPrices(page) {
  const cells = page.locator('[data-testid=market-price]');
  const out = {};
  for (const cell of await cells.all()) {
    out[await cell.getAttribute('data-market')] = {
      currency: await cell.getAttribute('data-currency'),
      text: await textOf(cell),
      visible: await cell.isVisible(),
    };
  }
  return out;
}

before(async () => {
  await suite.start();
  ({ baseUrl } = suite);
  sessionContext = await newContext({ viewport: { width: 1280, height: 800 } });
  sessionPage = await sessionContext.newPage();
});

after(() => suite.stop());

test('the catalog lists the demo products', { timeout: TEST_TIMEOUT }, async () => {
  const page = sessionPage;
  await signIn(page);
  await expectTextContains(page.locator('[data-testid=catalog-counts]'), 'Products: 5 · Variants: 7');

  await page.click('nav.sidenav a[href="/console/products"]');
  await expectPath(page, '/console/products');
  assert.equal(await page.getAttribute('nav.sidenav a[href="/console/products"]', 'aria-current'), 'page');
  const rows = page.locator('[data-testid=product-row]');
  await expectTextContains(page.locator('[data-testid=products]'), DEMO_PRODUCT);
  assert.equal(await rows.count(), 5);
  const aurora = rows.filter({ hasText: DEMO_PRODUCT });
  await expectTextContains(aurora, 'aurora-led-desk-lamp');
  await expectTextContains(aurora, 'CN¥168.00');
  await expectTextContains(aurora, '940521');
});

test('an empty product form shows an error at each required field and saves nothing', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = sessionPage;
  assert.equal(pathOf(page), '/console/products', 'this test continues the session of the previous one');

  await page.click('[data-testid=new-product]');
  await expectPath(page, '/console/products/new');
  assert.equal(await page.inputValue('select[name=origin]'), 'CN', 'the origin defaults to China');

  assert.equal(await submitProductForm(page), 422);
  await expectPath(page, '/console/products/new');
  await page.locator('[data-testid=form-errors]').waitFor();
  for (const field of ['title_en', 'sku', 'price', 'hs_code', 'grams']) {
    const error = page.locator(`[data-testid=error-${field}]`);
    await expectTextContains(error, 'Required.');
    assert.equal(await page.getAttribute(`[name=${field}]`, 'aria-invalid'), 'true', `${field} is marked invalid`);
  }
  assert.equal(await page.locator('[data-testid=error-title_zh]').count(), 0, 'the Chinese title is optional');

  // Wrong values get their own messages, and the typed values are kept.
  await page.fill('input[name=title_en]', NEW_PRODUCT.title_en);
  await page.fill('input[name=price]', '99.999');
  await page.fill('input[name=hs_code]', '9405');
  await page.fill('input[name=sku]', 'LUMI ORB');
  await page.fill('input[name=grams]', 'heavy');
  assert.equal(await submitProductForm(page), 422);
  await expectTextContains(page.locator('[data-testid=error-price]'), 'at most 2 decimals');
  await expectTextContains(page.locator('[data-testid=error-hs_code]'), '6 digits');
  await expectTextContains(page.locator('[data-testid=error-sku]'), 'without spaces');
  await expectTextContains(page.locator('[data-testid=error-grams]'), 'whole grams');
  assert.equal(await page.locator('[data-testid=error-title_en]').count(), 0);
  assert.equal(await page.inputValue('input[name=title_en]'), NEW_PRODUCT.title_en);

  // An HS code that is well-formed but not in the loaded nomenclature.
  await page.fill('input[name=hs_code]', '010121');
  assert.equal(await submitProductForm(page), 422);
  await expectTextContains(page.locator('[data-testid=error-hs_code]'), 'nomenclature');
  await screenshot(t, page, 'product-form-errors-desktop-1280x800.png');

  // The SKU of a demo product is taken.
  await page.fill('input[name=price]', NEW_PRODUCT.price);
  await page.fill('input[name=hs_code]', NEW_PRODUCT.hs_code);
  await page.fill('input[name=sku]', 'LUMI-AUR-WHT');
  await page.fill('input[name=grams]', NEW_PRODUCT.grams);
  assert.equal(await submitProductForm(page), 422);
  await expectTextContains(page.locator('[data-testid=error-sku]'), 'already uses this SKU');

  const res = await page.request.get(`${baseUrl}/console/products`);
  const html = await res.text();
  assert.ok(!html.includes(NEW_PRODUCT.title_en), 'nothing was saved');
});

test('a new product lands on its page with a price in every market', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = sessionPage;
  assert.equal(pathOf(page), '/console/products/new', 'this test continues the session of the previous one');

  await page.goto(`${baseUrl}/console/products/new`);
  await page.fill('input[name=title_en]', NEW_PRODUCT.title_en);
  await page.fill('input[name=title_zh]', NEW_PRODUCT.title_zh);
  await page.fill('textarea[name=description]', NEW_PRODUCT.description);
  await page.fill('input[name=sku]', NEW_PRODUCT.sku);
  await page.fill('input[name=price]', NEW_PRODUCT.price);
  await page.fill('input[name=hs_code]', NEW_PRODUCT.hs_code);
  await page.selectOption('select[name=origin]', 'CN');
  await page.fill('input[name=grams]', NEW_PRODUCT.grams);
  await page.click('[data-testid=save-product]');

  await expectPath(page, /^\/console\/products\/\d+$/);
  newProductPath = pathOf(page);
  await expectTextContains(page.locator('[data-testid=product-title]'), NEW_PRODUCT.title_en);
  await page.locator('[data-testid=product-saved]').waitFor();
  await expectTextContains(page.locator('main'), 'orbit-wall-light');
  await expectTextContains(page.locator('[data-testid=variant]'), NEW_PRODUCT.sku);
  await expectTextContains(page.locator('[data-testid=variant]'), '940511');
  await expectTextContains(page.locator('[data-testid=variant]'), 'wall light fittings');
  await expectTextContains(page.locator('[data-testid=variant]'), 'China (CN)');
  await expectTextContains(page.locator('[data-testid=variant]'), '850 g');
  const translations = page.locator('[data-testid=translation]');
  assert.equal(await translations.count(), 2);
  assert.equal(await page.locator('[data-testid=translation] .description p').count(), 2, 'two paragraphs');

  const prices = await marketPrices(page);
  assert.deepEqual(Object.keys(prices).sort(), Object.keys(MARKETS).sort(), 'one price cell per market');
  for (const [code, want] of Object.entries(MARKETS)) {
    const got = prices[code];
    assert.equal(got.currency, want.currency, `${code} is priced in ${want.currency}`);
    assert.ok(got.visible, `the ${code} price is visible`);
    assert.match(got.text, want.price, `the ${code} price`);
  }
  await expectTextContains(page.locator('[data-testid=market-prices] tr[data-market=us]'), 'Plus tax');
  await expectTextContains(page.locator('[data-testid=market-prices] tr[data-market=eu]'), 'Tax included');
  await expectTextContains(page.locator('[data-testid=market-prices] tr[data-market=ch]'), 'DAP');
  await expectTextContains(page.locator('[data-testid=market-prices] tr[data-market=us]'), '1 CNY = ');
  await expectTextContains(page.locator('[data-testid=market-prices] tr[data-market=us]'), 'ECB · 2026-');
  await expectTextContains(page.locator('[data-testid=market-prices] tr[data-market=us]'), '+25%');
  await expectTextContains(page.locator('[data-testid=market-prices] tr[data-market=jp]'), 'Ends in 80');
  await expectTextContains(page.locator('[data-testid=market-prices] tr[data-market=ch]'), 'Steps of 5.00');

  // On a wide screen the markets stand side by side, left to right.
  const boxes = [];
  for (const code of Object.keys(MARKETS)) {
    boxes.push(await page.locator(`[data-testid=market-price][data-market=${code}]`).boundingBox());
  }
  for (let i = 1; i < boxes.length; i++) {
    assert.ok(boxes[i].x > boxes[i - 1].x, 'each market is a column to the right of the one before');
    assert.ok(Math.abs(boxes[i].y - boxes[0].y) < 2, 'the prices are on one line');
  }
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 1280, `page is ${scrollWidth}px wide on a 1280px screen`);
  await screenshot(t, page, 'product-desktop-1280x800.png');

  await page.click('nav.sidenav a[href="/console/products"]');
  await expectTextContains(page.locator('[data-testid=products]'), NEW_PRODUCT.title_en);
  assert.equal(await page.locator('[data-testid=product-row]').count(), 6);
  await page.click('nav.sidenav a[href="/console"]');
  await expectTextContains(page.locator('[data-testid=catalog-counts]'), 'Products: 6 · Variants: 8');
});

test('the product page in Chinese', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = sessionPage;
  assert.ok(newProductPath, 'the previous test made a product');
  await page.goto(`${baseUrl}${newProductPath}`);

  await page.click('form.lang-switch button[value="zh-CN"]');
  await page.locator('html[lang="zh-CN"]').waitFor({ state: 'attached' });
  assert.equal(pathOf(page), newProductPath, 'the language switch comes back to the product');
  await expectTextContains(page.locator('[data-testid=product-title]'), NEW_PRODUCT.title_zh);
  await expectTextContains(page.locator('[data-testid=prices-heading]'), '各市场价格');
  await expectTextContains(page.locator('[data-testid=market-prices] thead'), '汇率');
  await expectTextContains(page.locator('[data-testid=market-prices] tr[data-market=eu]'), '含税');
  await expectTextContains(page.locator('[data-testid=market-prices] tr[data-market=us]'), '不含税');
  await expectTextContains(page.locator('[data-testid=market-prices] tr[data-market=jp]'), '尾数为 80');
  await expectTextContains(page.locator('[data-testid=variant]'), '中国 (CN)');
  await expectTextContains(page.locator('nav.sidenav'), '商品');
  await expectTextContains(page.locator('nav.sidenav'), '市场与定价');
  const prices = await marketPrices(page);
  assert.equal(Object.keys(prices).length, 6);
  assert.match(prices.jp.text, /^JP¥/, 'in Chinese, ¥ alone is the yuan: the yen is JP¥');
  await screenshot(t, page, 'product-zh-desktop-1280x800.png');

  await page.click('nav.sidenav a[href="/console/products"]');
  await expectTextContains(page.locator('[data-testid=products]'), 'Aurora LED台灯');
  await expectTextContains(page.locator('[data-testid=products] thead'), '基础价格');
  await page.click('[data-testid=new-product]');
  await expectTextContains(page.locator('[data-testid=product-form]'), '标题（英文）');
  assert.equal(await submitProductForm(page), 422);
  await expectTextContains(page.locator('[data-testid=error-sku]'), '此项必填');

  await page.click('nav.sidenav a[href="/console/markets"]');
  await expectTextContains(page.locator('[data-testid=markets] tr[data-market=eu]'), '27 个国家/地区');
  await page.click('form.lang-switch button[value="en"]');
  await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
  await expectTextContains(page.locator('[data-testid=markets]'), 'European Union');
  assert.equal(await page.locator('[data-testid=market-row]').count(), 6);
});

test('the markets page lists every market of the seller', { timeout: TEST_TIMEOUT }, async () => {
  const page = sessionPage;
  assert.equal(pathOf(page), '/console/markets', 'this test continues the session of the previous one');
  for (const [code, want] of Object.entries(MARKETS)) {
    await expectTextContains(page.locator(`[data-testid=market-row][data-market=${code}]`), want.currency);
  }
  await expectTextContains(page.locator('tr[data-market=eu]'), '27 countries');
  await expectTextContains(page.locator('tr[data-market=eu]'), 'Tax included');
  await expectTextContains(page.locator('tr[data-market=ch]'), 'de-CH, fr-CH');
  await expectTextContains(page.locator('tr[data-market=us]'), 'Ends in .99');
  await sessionContext.close();
});

test('the product page fits a phone screen, one market per row', { timeout: TEST_TIMEOUT }, async (t) => {
  const context = await newContext({ viewport: { width: 390, height: 844 } });
  try {
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${baseUrl}${newProductPath}`);
    await page.locator('[data-testid=market-prices]').waitFor();

    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= 390, `page is ${scrollWidth}px wide on a 390px screen (horizontal overflow)`);
    const prices = await marketPrices(page);
    assert.equal(Object.keys(prices).length, 6);
    const boxes = [];
    for (const code of Object.keys(MARKETS)) {
      assert.ok(prices[code].visible, `the ${code} price is visible`);
      boxes.push(await page.locator(`[data-testid=market-price][data-market=${code}]`).boundingBox());
    }
    for (let i = 1; i < boxes.length; i++) {
      assert.ok(boxes[i].y > boxes[i - 1].y, 'each market is below the one before');
      assert.ok(boxes[i].x + boxes[i].width <= 390, 'inside the screen');
    }
    await screenshot(t, page, 'product-phone-390x844.png');

    await page.goto(`${baseUrl}/console/products/new`);
    const formWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(formWidth <= 390, `the form is ${formWidth}px wide on a 390px screen`);
    await page.goto(`${baseUrl}/console/products`);
    const listWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(listWidth <= 390, `the list is ${listWidth}px wide on a 390px screen`);
    await screenshot(t, page, 'products-phone-390x844.png');
  } finally {
    await context.close();
  }
});

test("another organisation's product is a 404 page", { timeout: TEST_TIMEOUT }, async () => {
  const context = await newContext();
  try {
    const page = await context.newPage();
    await signIn(page, OTHER_EMAIL);
    const res = await page.goto(`${baseUrl}${newProductPath}`);
    assert.equal(res.status(), 404);
    await expectTextContains(page.locator('[data-testid=not-found]'), 'Product not found');
    assert.ok(!(await page.content()).includes(NEW_PRODUCT.title_en), 'nothing of the product is shown');
    const missing = await page.goto(`${baseUrl}/console/products/not-a-number`);
    assert.equal(missing.status(), 404);
  } finally {
    await context.close();
  }
});
