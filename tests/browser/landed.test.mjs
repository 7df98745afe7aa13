// Browser tests for the console's Landed cost page: a quote for the demo
// desk lamp to Germany under DDP (the EU's flat EUR 3 duty per subheading
// from 2026-07-01, VAT 19 % collected at checkout under IOSS, the ECB rate
// used), the same page in Chinese, a DAP quote to the United States where
// the buyer pays the duty on delivery, and the rules table marking
// unverified rules. One `chuhai serve` with a fresh SQLite data directory.
//
// Run: npm ci --prefix tests/browser && node --test tests/browser/

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  TEST_TIMEOUT,
  createSuite, expectPath, expectTextContains, textOf,
} from './harness.mjs';

const suite = createSuite();
const { newContext, signIn, screenshot } = suite;

before(() => suite.start());
after(() => suite.stop());

test('a landed-cost quote shows its breakdown in English and Chinese', { timeout: TEST_TIMEOUT }, async (t) => {
  const context = await newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  await page.click('nav.sidenav a[href="/console/landed-cost"]');
  await expectPath(page, '/console/landed-cost');
  await expectTextContains(page.locator('[data-testid=landed-title]'), 'Landed cost');

  await page.selectOption('[data-testid=landed-destination]', 'DE');
  await page.selectOption('[data-testid=landed-incoterm]', 'DDP');
  await page.fill('[data-testid=landed-date]', '2026-10-30');
  await page.selectOption('[data-testid=landed-currency]', 'EUR');
  await page.fill('[data-testid=landed-shipping]', '50.00');
  await page.fill('[data-testid=landed-sku-1]', 'LUMI-AUR-WHT');
  await page.fill('[data-testid=landed-qty-1]', '1');
  await page.fill('[data-testid=landed-price-1]', '400.00');
  await page.click('[data-testid=landed-submit]');

  const breakdown = page.locator('[data-testid=landed-breakdown]');
  await breakdown.waitFor();
  assert.equal(await textOf(page.locator('[data-testid=landed-rule]')), 'EU-2026-07-01');
  // 400 CNY at 7.4326 per EUR (ECB, 2026-10-30).
  assert.equal(await textOf(page.locator('[data-testid=landed-goods]')), '53.82 EUR');
  assert.equal(await textOf(page.locator('[data-testid=landed-duty]')), '3.00 EUR');
  const charges = await page.locator('[data-testid=landed-charge]').allTextContents();
  assert.ok(charges.some((c) => c.includes('VAT 19%') && c.includes('seller (in the price)')), charges.join(' | '));
  await expectTextContains(page.locator('[data-testid=landed-rates]'), 'ECB, 2026-10-30');
  const total = await textOf(page.locator('[data-testid=landed-landed_total]'));
  assert.match(total, /^\d+\.\d{2} EUR$/);
  await screenshot(t, page, 'landed-en.png');

  // The same quote in Chinese.
  await page.click('button[name=lang][value=zh-CN]');
  await expectTextContains(page.locator('[data-testid=landed-title]'), '到岸成本');
  await expectTextContains(page.locator('[data-testid=landed-totals]'), '到岸总价');
  assert.equal(await textOf(page.locator('[data-testid=landed-landed_total]')), total);
  const zhCharges = await page.locator('[data-testid=landed-charge]').allTextContents();
  assert.ok(zhCharges.some((c) => c.includes('卖家（含在售价中）')), zhCharges.join(' | '));
  await screenshot(t, page, 'landed-zh.png');

  // DAP to the United States: no de minimis since 2025-08-29, the buyer
  // pays the duty on delivery.
  await page.click('button[name=lang][value=en]');
  await page.selectOption('[data-testid=landed-destination]', 'US');
  await page.selectOption('[data-testid=landed-incoterm]', 'DAP');
  await page.selectOption('[data-testid=landed-currency]', 'USD');
  await page.click('[data-testid=landed-submit]');
  await breakdown.waitFor();
  assert.equal(await textOf(page.locator('[data-testid=landed-rule]')), 'US-2025-08-29');
  const usCharges = await page.locator('[data-testid=landed-charge]').allTextContents();
  assert.ok(usCharges.some((c) => c.includes('buyer on delivery')), usCharges.join(' | '));
  assert.equal(await textOf(page.locator('[data-testid=landed-seller_pays]')), '0.00 USD');

  // Unverified rules are marked as such.
  const unverified = await page.locator('[data-testid=rule-row][data-verified=false]').count();
  assert.ok(unverified > 0);
  await expectTextContains(page.locator('[data-testid=rule-row][data-verified=false]').first(), 'unverified');

  // A SKU that is not the seller's is refused, naming the field.
  await page.fill('[data-testid=landed-sku-1]', 'NOT-A-SKU');
  await page.click('[data-testid=landed-submit]');
  await expectTextContains(page.locator('[data-testid=landed-error]'), 'items[0].sku');
  await context.close();
});
