// Browser tests for markets and prices set by hand: the new-market form
// with its field errors, a market saved without an exchange rate (and the
// warning that says how to load one), a market's sales, and a variant's
// pricing rules: a manual price seen in the quote, order quantities, and a
// volume discount refused at its field. One `chuhai serve` with a fresh
// SQLite data directory, stopped with SIGTERM at the end.
//
// Run: npm ci --prefix tests/browser && node --test tests/browser/
// The server, the browser and the sign-in come from harness.mjs (CHUHAI_BIN
// overrides the server binary; CHROMIUM_BIN overrides the browser).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DEMO_PRODUCT, TEST_TIMEOUT,
  createSuite, expectPath, expectTextContains, pathOf, textOf,
} from './harness.mjs';

// The demo's ECB sample has no BRL column: Brazil can be made, not priced.
const BRAZIL = {
  code: 'br',
  name: 'Brazil',
  countries: 'BR',
  currency: 'BRL',
  default_locale: 'pt-BR',
  incoterm: 'DAP',
  markup: '30',
  charm_ending: '99',
};
// A one-day sale far enough ahead not to change today's prices.
const SALE = { name: "Singles' Day", starts_on: '2030-11-11', ends_before: '2030-11-12' };

const suite = createSuite();
const { newContext, signIn, screenshot } = suite;
let baseUrl;
// The tests are one sign-in session, in order, on one page.
let sessionContext;
let sessionPage;
// The pricing page of the demo lamp's first variant (test 4).
let pricingPath;

/** Clicks `button` and returns the status of the POST it sends to a path matching `pathname`. */
async function submitStatus(page, button, pathname) {
  const response = page.waitForResponse(
    (r) => r.request().method() === 'POST' && pathname.test(new URL(r.url()).pathname),
  );
  await page.click(button);
  return (await response).status();
}

async function fillMarketForm(page, market) {
  await page.fill('input[name=code]', market.code);
  await page.fill('input[name=name]', market.name);
  await page.fill('input[name=countries]', market.countries);
  await page.selectOption('select[name=currency]', market.currency);
  await page.fill('input[name=default_locale]', market.default_locale);
  await page.selectOption('select[name=incoterm]', market.incoterm);
  await page.fill('input[name=markup]', market.markup);
  await page.selectOption('select[name=rounding]', 'charm');
  await page.fill('input[name=charm_ending]', market.charm_ending);
}

async function pageWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

const usCard = '[data-testid=market-pricing][data-market=us]';
const brCard = '[data-testid=market-pricing][data-market=br]';

before(async () => {
  await suite.start();
  ({ baseUrl } = suite);
  sessionContext = await newContext({ viewport: { width: 1280, height: 800 } });
  sessionPage = await sessionContext.newPage();
});

after(() => suite.stop());

test('the new-market form shows an error at each field and saves nothing', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = sessionPage;
  await signIn(page);
  await page.click('nav.sidenav a[href="/console/markets"]');
  await expectPath(page, '/console/markets');
  await page.click('[data-testid=new-market]');
  await expectPath(page, '/console/markets/new');
  assert.equal(await page.inputValue('select[name=incoterm]'), 'DDP', 'DDP is offered first');
  assert.equal(await page.inputValue('select[name=rounding]'), 'charm');
  assert.ok(await page.locator('input[name=charm_ending]').isVisible(), 'the ending is asked for a charm ending');
  assert.ok(!(await page.locator('input[name=step]').isVisible()), 'the step is only asked for a nearest step');

  await page.fill('input[name=charm_ending]', '');
  assert.equal(await submitStatus(page, '[data-testid=save-market]', /^\/console\/markets\/new$/), 422);
  await page.locator('[data-testid=form-errors]').waitFor();
  for (const field of ['code', 'name', 'countries', 'default_locale', 'markup', 'charm_ending']) {
    await expectTextContains(page.locator(`[data-testid=error-${field}]`), 'Required.');
    assert.equal(await page.getAttribute(`[name=${field}]`, 'aria-invalid'), 'true', `${field} is marked invalid`);
  }
  await expectTextContains(page.locator('[data-testid=error-currency]'), 'Choose a currency.');

  // Wrong values get their own messages, and what was typed is kept.
  await fillMarketForm(page, { ...BRAZIL, code: 'Brazil!', countries: 'BR, XX', markup: 'thirty' });
  await page.fill('input[name=locales]', 'fr_CA_x');
  assert.equal(await submitStatus(page, '[data-testid=save-market]', /^\/console\/markets\/new$/), 422);
  await expectTextContains(page.locator('[data-testid=error-code]'), 'a-z, 0-9 and -');
  await expectTextContains(page.locator('[data-testid=error-countries]'), 'XX');
  await expectTextContains(page.locator('[data-testid=error-markup]'), 'percentage');
  await expectTextContains(page.locator('[data-testid=error-locales]'), 'fr_CA_x');
  assert.equal(await page.locator('[data-testid=error-name]').count(), 0);
  assert.equal(await page.inputValue('input[name=name]'), BRAZIL.name);
  assert.equal(await page.inputValue('select[name=currency]'), 'BRL');

  // A code another market has.
  await fillMarketForm(page, { ...BRAZIL, code: 'us' });
  await page.fill('input[name=locales]', '');
  assert.equal(await submitStatus(page, '[data-testid=save-market]', /^\/console\/markets\/new$/), 422);
  await expectTextContains(page.locator('[data-testid=error-code]'), 'already uses this code');
  await screenshot(t, page, 'market-form-errors-desktop-1280x800.png');

  const html = await (await page.request.get(`${baseUrl}/console/markets`)).text();
  assert.ok(!html.includes('data-market="br"'), 'nothing was saved');
});

test('a market without an exchange rate is saved, with a warning how to load one', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = sessionPage;
  assert.equal(pathOf(page), '/console/markets/new', 'this test continues the session of the previous one');
  await page.goto(`${baseUrl}/console/markets/new`);
  await fillMarketForm(page, BRAZIL);
  await page.fill('input[name=locales]', 'en-BR');
  assert.equal(await submitStatus(page, '[data-testid=save-market]', /^\/console\/markets\/new$/), 303);

  await expectPath(page, '/console/markets');
  const warning = page.locator('[data-testid=market-unpriced]');
  await expectTextContains(warning, 'Brazil');
  await expectTextContains(warning, 'could not be derived');
  await expectTextContains(warning, 'No exchange rate for BRL');
  await expectTextContains(warning, 'chuhai import fx FILE');
  const row = page.locator('[data-testid=market-row][data-market=br]');
  await expectTextContains(row, 'Brazil');
  await expectTextContains(row, 'BRL');
  await expectTextContains(row, 'pt-BR, en-BR');
  await expectTextContains(row, 'Plus tax');
  await expectTextContains(row, 'DAP');
  await expectTextContains(row, '+30%');
  await expectTextContains(row, 'Ends in .99');
  assert.equal(await page.locator('[data-testid=market-row]').count(), 7);
  await screenshot(t, page, 'markets-new-market-desktop-1280x800.png');

  // Its own page says the same, and the product pages show it unpriced.
  await row.locator('a.mk-name').click();
  await expectPath(page, /^\/console\/markets\/\d+$/);
  await expectTextContains(page.locator('[data-testid=market-title]'), 'Brazil');
  await expectTextContains(page.locator('[data-testid=market-rate]'), 'No exchange rate for BRL');
  await page.locator('[data-testid=no-sales]').waitFor();
});

test('a sale is added to a market, its end day excluded', { timeout: TEST_TIMEOUT }, async () => {
  const page = sessionPage;
  await page.click('nav.sidenav a[href="/console/markets"]');
  await page.locator('[data-testid=market-row][data-market=us] a.mk-name').click();
  await expectPath(page, /^\/console\/markets\/\d+$/);
  await expectTextContains(page.locator('[data-testid=market-rate]'), '1 CNY = ');
  await expectTextContains(page.locator('[data-testid=sale-form]'), 'a one-day sale on 11 November ends before 12 November');

  await page.fill('input[name=name]', SALE.name);
  await page.fill('input[name=starts_on]', SALE.starts_on);
  await page.fill('input[name=ends_before]', SALE.starts_on);
  await page.fill('input[name=markup]', '150%');
  assert.equal(await submitStatus(page, '[data-testid=add-sale]', /\/sales$/), 422);
  await expectTextContains(page.locator('[data-testid=error-ends_before]'), 'after the start day');
  assert.equal(await page.locator('[data-testid=error-markup]').count(), 0, '150 % is a markup, not a discount');
  assert.equal(await page.locator('[data-testid=sale-row]').count(), 0, 'nothing was saved');

  await page.fill('input[name=ends_before]', SALE.ends_before);
  await page.fill('input[name=markup]', '');
  assert.equal(await submitStatus(page, '[data-testid=add-sale]', /\/sales$/), 303);
  await page.locator('[data-testid=sale-added]').waitFor();
  const sale = page.locator('[data-testid=sale-row]');
  assert.equal(await sale.count(), 1);
  await expectTextContains(sale, SALE.name);
  await expectTextContains(sale, `${SALE.starts_on} ${SALE.starts_on} ${SALE.ends_before}`);
  await expectTextContains(sale, 'as the market (+25%)');
  await expectTextContains(sale, 'Upcoming');
});

test('a manual price is the quote in its market; a market without a rate says so', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = sessionPage;
  await page.click('nav.sidenav a[href="/console/products"]');
  await page.locator('[data-testid=product-row]').filter({ hasText: DEMO_PRODUCT }).locator('a').click();
  await expectPath(page, /^\/console\/products\/\d+$/);
  await page.locator('[data-testid=variant-pricing-link]').first().click();
  await expectPath(page, /^\/console\/products\/\d+\/variants\/\d+\/pricing$/);
  pricingPath = pathOf(page);
  await expectTextContains(page.locator('main'), 'LUMI-AUR-WHT');
  await expectTextContains(page.locator('[data-testid=base-price]'), 'CN¥168.00');
  assert.equal(await page.locator('[data-testid=market-pricing]').count(), 7, 'one form per market');

  const us = page.locator(usCard);
  const derived = await textOf(us.locator('[data-testid=quote-amount]'));
  assert.match(derived, /^US\$\d+\.99$/, 'before: the derived price');
  await expectTextContains(us.locator('[data-testid=quote]'), 'Derived');
  await expectTextContains(us, SALE.name);
  await expectTextContains(page.locator(brCard).locator('[data-testid=quote]'), 'No exchange rate for BRL');
  await expectTextContains(page.locator(brCard).locator('[data-testid=quote]'), 'chuhai import fx FILE');

  await us.locator('input[name=override_price]').fill('29.99');
  assert.equal(await submitStatus(page, `${usCard} [data-testid=save-pricing]`, /\/pricing\/\d+$/), 303);
  await expectPath(page, pricingPath);
  await page.locator(`${usCard} [data-testid=pricing-saved]`).waitFor();
  await expectTextContains(page.locator(`${usCard} [data-testid=quote-amount]`), 'US$29.99');
  await expectTextContains(page.locator(`${usCard} [data-testid=quote]`), 'Manual price');
  assert.equal(await page.inputValue(`${usCard} input[name=override_price]`), '29.99');
  assert.equal(await page.locator('[data-testid=pricing-saved]').count(), 1, 'only the US form was saved');
  await screenshot(t, page, 'variant-pricing-desktop-1280x800.png');
});

test('order quantities: a MOQ in whole packs is saved, one that is not is refused', { timeout: TEST_TIMEOUT }, async () => {
  const page = sessionPage;
  assert.equal(pathOf(page), pricingPath, 'this test continues the session of the previous one');
  await page.fill('input[name=moq]', '12');
  await page.fill('input[name=pack_size]', '5');
  await page.fill('input[name=increment]', '');
  assert.equal(await submitStatus(page, '[data-testid=save-order-rules]', /\/order-rules$/), 422);
  await expectTextContains(page.locator('[data-testid=error-moq]'), 'whole number of packs');
  assert.equal(await page.inputValue('input[name=moq]'), '12', 'what was typed is kept');

  await page.fill('input[name=moq]', '10');
  assert.equal(await submitStatus(page, '[data-testid=save-order-rules]', /\/order-rules$/), 303);
  await page.locator('[data-testid=rules-saved]').waitFor();
  assert.equal(await page.inputValue('input[name=moq]'), '10');
  assert.equal(await page.inputValue('input[name=pack_size]'), '5');
  assert.equal(await page.inputValue('input[name=increment]'), '5', 'an empty increment is the pack size');
  // The quote is for the smallest order now, still at the manual price.
  await expectTextContains(page.locator(`${usCard} [data-testid=quote]`), 'from 10 units');
  await expectTextContains(page.locator(`${usCard} [data-testid=quote-amount]`), 'US$29.99');
});

test('a volume discount of 150 % is refused at its field and nothing is saved', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = sessionPage;
  await page.goto(`${baseUrl}${pricingPath}`);
  const us = page.locator(usCard);
  await us.locator('input[name=tier_qty_0]').fill('20');
  await us.locator('input[name=tier_pct_0]').fill('150');
  await us.locator('input[name=tier_qty_1]').fill('1');
  await us.locator('input[name=tier_pct_1]').fill('5');
  assert.equal(await submitStatus(page, `${usCard} [data-testid=save-pricing]`, /\/pricing\/\d+$/), 422);
  await page.locator(`${usCard} [data-testid=pricing-errors]`).waitFor();
  await expectTextContains(page.locator(`${usCard} [data-testid=error-tier_pct_0]`), 'Must be below 100.');
  await expectTextContains(page.locator(`${usCard} [data-testid=error-tier_qty_1]`), 'At least 2.');
  assert.equal(await page.getAttribute(`${usCard} input[name=tier_pct_0]`, 'aria-invalid'), 'true');
  assert.equal(await page.inputValue(`${usCard} input[name=tier_pct_0]`), '150', 'what was typed is kept');
  assert.equal(await page.locator('[data-testid=pricing-errors]').count(), 1, 'only the US form has errors');
  await screenshot(t, page, 'variant-pricing-errors-desktop-1280x800.png');

  await page.goto(`${baseUrl}${pricingPath}`);
  assert.equal(await page.inputValue(`${usCard} input[name=tier_pct_0]`), '', 'nothing was saved');
  assert.equal(await page.inputValue(`${usCard} input[name=override_price]`), '29.99');

  // A discount below 100 % is saved, and the quote for 20 units would use it.
  await page.locator(usCard).locator('input[name=tier_qty_0]').fill('20');
  await page.locator(usCard).locator('input[name=tier_pct_0]').fill('10');
  assert.equal(await submitStatus(page, `${usCard} [data-testid=save-pricing]`, /\/pricing\/\d+$/), 303);
  await page.locator(`${usCard} [data-testid=pricing-saved]`).waitFor();
  assert.equal(await page.inputValue(`${usCard} input[name=tier_pct_0]`), '10');
});

test('the pricing pages in Chinese and on a phone', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = sessionPage;
  await page.goto(`${baseUrl}${pricingPath}`);
  await page.click('form.lang-switch button[value="zh-CN"]');
  await page.locator('html[lang="zh-CN"]').waitFor({ state: 'attached' });
  assert.equal(pathOf(page), pricingPath, 'the language switch comes back to the pricing page');
  await expectTextContains(page.locator('[data-testid=pricing-title]'), '定价规则');
  await expectTextContains(page.locator('#order-rules'), '最小起订量');
  await expectTextContains(page.locator(brCard).locator('[data-testid=quote]'), '尚未加载 BRL 的汇率');
  await page.goto(`${baseUrl}/console/markets/new`);
  await expectTextContains(page.locator('[data-testid=market-form]'), '加价（%）');
  await page.click('form.lang-switch button[value="en"]');
  await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
  await sessionContext.close();

  const context = await newContext({ viewport: { width: 390, height: 844 } });
  try {
    const phone = await context.newPage();
    await signIn(phone);
    for (const where of [pricingPath, '/console/markets/new', '/console/markets']) {
      await phone.goto(`${baseUrl}${where}`);
      const width = await pageWidth(phone);
      assert.ok(width <= 390, `${where} is ${width}px wide on a 390px screen`);
    }
    await phone.locator('[data-testid=market-row][data-market=us] a.mk-name').click();
    await phone.locator('[data-testid=sale-row]').waitFor();
    const width = await pageWidth(phone);
    assert.ok(width <= 390, `the market page is ${width}px wide on a 390px screen`);
    await screenshot(t, phone, 'market-phone-390x844.png');
    await phone.goto(`${baseUrl}${pricingPath}`);
    const box = await phone.locator(usCard).boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, 'the US form is inside the screen');
    await screenshot(t, phone, 'variant-pricing-phone-390x844.png');
  } finally {
    await context.close();
  }
});
