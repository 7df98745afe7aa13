// Browser tests for warehouses and stock: the demo seller sees its stock by
// SKU across warehouses with the sea shipment ASN-2026-1107 in transit to
// Los Angeles; the demo 3PL (warehouse@chuhai.test) marks the shipment
// arrived, counts its cartons (one short, one damaged) and closes it; the
// seller then sees the units moved from in transit to available, and the
// discrepancy report. Also: the 3PL's putaway refused for a bin the
// warehouse does not have, and the pages in Chinese. One `chuhai serve`
// with a fresh SQLite data directory, stopped with SIGTERM at the end.
//
// Run: npm ci --prefix tests/browser && node --test tests/browser/
// The server, the browser and the sign-in come from harness.mjs.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  OTHER_EMAIL, TEST_TIMEOUT,
  createSuite, expectPath, expectTextContains, textOf,
} from './harness.mjs';

const ASN = 'ASN-2026-1107';

const suite = createSuite();
const { newContext, signIn, screenshot } = suite;

before(() => suite.start());
after(() => suite.stop());

/** The numbers of one SKU's row at one warehouse on the stock page. */
async function stockRow(page, sku, warehouse) {
  const row = page.locator(`[data-testid=stock-row][data-sku="${sku}"][data-warehouse="${warehouse}"]`);
  const cell = async (col) => Number(await textOf(row.locator(`[data-col=${col}]`)));
  return {
    onHand: await cell('on_hand'),
    reserved: await cell('reserved'),
    available: await cell('available'),
    inTransit: await cell('in_transit'),
    damaged: await cell('damaged'),
    eta: await textOf(row.locator('[data-col=eta]')),
  };
}

/** Clicks `button` and returns the status of the POST it sends. */
async function postStatus(page, button) {
  const response = page.waitForResponse((r) => r.request().method() === 'POST');
  await page.click(button);
  return (await response).status();
}

let before_ = null;

test('the seller sees stock by SKU across warehouses, with the shipment in transit', { timeout: TEST_TIMEOUT }, async (t) => {
  const context = await newContext();
  const page = await context.newPage();
  await signIn(page);
  await page.click('[data-testid=nav-stock]');
  await expectPath(page, '/console/stock');
  await expectTextContains(page.locator('[data-testid=stock-title]'), 'Stock across warehouses');
  const lax = await stockRow(page, 'LUMI-AUR-WHT', 'LAX-1');
  assert.equal(lax.inTransit, 60, 'the 60 lamps on the ASN are in transit to LAX-1');
  assert.equal(lax.onHand, 180);
  assert.equal(lax.reserved, 6);
  assert.equal(lax.available, 174);
  assert.match(lax.eta, /^\d{4}-\d{2}-\d{2}$/);
  const halo = await stockRow(page, 'LUMI-HALO-E27', 'LAX-1');
  assert.equal(halo.inTransit, 300);
  before_ = { lax, halo };
  // The shipment is listed, shipped.
  await page.click('.tabs a[href="/console/inbound"]');
  const row = page.locator(`[data-testid=inbound-row][data-reference="${ASN}"]`);
  await expectTextContains(row, 'Shipped');
  await screenshot(t, page, 'inventory-seller-inbound.png');
  await context.close();
});

test('the 3PL receives the shipment carton by carton and closes it', { timeout: TEST_TIMEOUT }, async (t) => {
  const context = await newContext();
  const page = await context.newPage();
  await signIn(page, OTHER_EMAIL);
  await page.goto(`${suite.baseUrl}/console/inbound`);
  await page.click(`[data-testid=inbound-row][data-reference="${ASN}"] a`);
  await expectPath(page, /^\/console\/inbound\/\d+$/);
  await expectTextContains(page.locator('[data-testid=asn-status]'), 'Shipped');
  await page.click('[data-testid=asn-arrive]');
  await expectTextContains(page.locator('[data-testid=asn-status]'), 'Arrived');
  // Everything arrived as shipped except: 2 white lamps short, 5 bulbs damaged.
  await page.fill('[data-testid="received-CTN-001-LUMI-AUR-WHT"]', '58');
  await page.fill('[data-testid="received-CTN-002-LUMI-HALO-E27"]', '295');
  await page.fill('[data-testid="damaged-CTN-002-LUMI-HALO-E27"]', '5');
  await page.click('[data-testid=asn-save-counts]');
  await expectTextContains(page.locator('[data-testid=asn-notice]'), 'Counts saved');
  await expectTextContains(page.locator('[data-testid=asn-status]'), 'Receiving');
  await screenshot(t, page, 'inventory-receiving.png');
  await page.click('[data-testid=asn-close]');
  await expectTextContains(page.locator('[data-testid=asn-notice]'), 'Closed and posted to stock');
  await expectTextContains(page.locator('[data-testid=asn-status]'), 'Closed');
  const report = page.locator('[data-testid=asn-report]');
  assert.equal(await textOf(report.locator('[data-testid=report-line][data-sku=LUMI-AUR-WHT] [data-col=short]')), '2');
  assert.equal(await textOf(report.locator('[data-testid=report-line][data-sku=LUMI-HALO-E27] [data-col=short]')), '0');
  // Closed: no more counting.
  assert.equal(await page.locator('[data-testid=receive-form] input.qty').count(), 0);
  await screenshot(t, page, 'inventory-closed.png');
  // Putaway into a bin LAX-1 does not have is refused with nothing posted.
  await page.goto(`${suite.baseUrl}/console/warehouses`);
  await page.click('[data-testid=warehouse-row][data-code="LAX-1"] a');
  await page.fill('#p-sku', 'LUMI-AUR-WHT');
  await page.fill('#p-qty', '10');
  await page.evaluate(() => {
    const opt = document.createElement('option');
    opt.value = 'Z-99-99';
    opt.textContent = 'Z-99-99';
    document.querySelector('#p-bin').appendChild(opt);
  });
  await page.selectOption('#p-bin', 'Z-99-99');
  const status = await postStatus(page, '[data-testid=putaway-form] button[type=submit]');
  assert.equal(status, 422);
  await expectTextContains(page.locator('[data-testid=warehouse-error]'), 'Choose a bin of this warehouse. Nothing was posted.');
  // A good putaway moves units from the receiving area into A-01-01.
  await page.fill('#p-sku', 'LUMI-AUR-WHT');
  await page.fill('#p-qty', '10');
  await page.selectOption('#p-bin', 'A-01-01');
  await page.click('[data-testid=putaway-form] button[type=submit]');
  await expectTextContains(page.locator('[data-testid=warehouse-notice]'), 'Posted to the ledger');
  assert.equal(await textOf(page.locator('[data-testid=bin-row][data-bin="A-01-01"][data-sku=LUMI-AUR-WHT] td.num')), '130');
  await context.close();
});

test('the seller sees the received units move from in transit to available', { timeout: TEST_TIMEOUT }, async (t) => {
  assert.ok(before_, 'the first test ran');
  const context = await newContext();
  const page = await context.newPage();
  await signIn(page);
  await page.goto(`${suite.baseUrl}/console/stock`);
  const lax = await stockRow(page, 'LUMI-AUR-WHT', 'LAX-1');
  assert.equal(lax.inTransit, 0);
  assert.equal(lax.onHand, before_.lax.onHand + 58);
  assert.equal(lax.available, before_.lax.available + 58);
  assert.equal(lax.eta, '—');
  const halo = await stockRow(page, 'LUMI-HALO-E27', 'LAX-1');
  assert.equal(halo.inTransit, 0);
  assert.equal(halo.available, before_.halo.available + 295);
  assert.equal(halo.damaged, 5);
  await screenshot(t, page, 'inventory-stock-after.png');
  // In Chinese, the same page.
  await page.click('.lang-switch button[value=zh-CN]');
  await expectTextContains(page.locator('[data-testid=stock-title]'), '各仓库存');
  await expectTextContains(page.locator('table[data-testid=stock] thead'), '在途');
  await page.goto(`${suite.baseUrl}/console/warehouses`);
  await expectTextContains(page.locator('[data-testid=warehouse-row][data-code="LAX-1"]'), '合作海外仓');
  await page.click('.lang-switch button[value=en]');
  await context.close();
});
