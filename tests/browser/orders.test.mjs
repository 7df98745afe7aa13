// Browser tests for orders and fulfilment: an order placed through the API
// (a US cart routed to the 3PL's Los Angeles warehouse) is followed in the
// console from placed to shipped. The seller sees it in the order list,
// opens it (lines, routing explanation, timeline) and confirms the bank
// transfer, which allocates it; the 3PL (warehouse@chuhai.test) releases a
// wave at Los Angeles, sees the pick list, packs the parcel (a refused
// weight first) and ships it with a tracking number; the seller then sees
// the order shipped with the tracking number, also in Chinese. One
// `chuhai serve` with a fresh SQLite data directory.
//
// Run: npm ci --prefix tests/browser && node --test tests/browser/

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DEMO_EMAIL, DEMO_PASSWORD, OTHER_EMAIL, TEST_TIMEOUT,
  createSuite, expectPath, expectTextContains, textOf,
} from './harness.mjs';

const suite = createSuite();
const { newContext, signIn, screenshot } = suite;

before(() => suite.start());
after(() => suite.stop());

const TRACKING = '9400 1118 9922 3344 5566 77';

/** Calls the API with the demo owner's token; returns the parsed body. */
async function api(token, method, path, body, headers = {}) {
  const res = await fetch(`${suite.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Places an order of one Aurora lamp to Los Angeles; returns it. */
async function placeOrder() {
  const res = await fetch(`${suite.baseUrl}/api/v1/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD, name: 'browser test' }),
  });
  const { token } = await res.json();
  assert.ok(token, 'the demo owner gets an API token');
  const markets = await api(token, 'GET', '/api/v1/markets');
  const us = markets.items.find((m) => m.market.code === 'us');
  const cart = await api(token, 'POST', '/api/v1/carts', {
    market_id: us.id,
    lines: [{ sku: 'LUMI-AUR-WHT', quantity: 1 }],
    address: { name: 'Ada Buyer', line1: '350 S Grand Ave', city: 'Los Angeles', region: 'CA', postal_code: '90071', country: 'US' },
  });
  assert.equal(cart.shipping.packages[0].warehouse_code, 'LAX-1', 'routed to Los Angeles, in market');
  return api(token, 'POST', `/api/v1/carts/${cart.id}/checkout`, {}, { 'Idempotency-Key': 'browser-order-1' });
}

let order = null;

test('the seller finds the placed order and confirms its bank transfer', { timeout: TEST_TIMEOUT }, async (t) => {
  order = await placeOrder();
  assert.equal(order.state, 'placed');
  const context = await newContext();
  const page = await context.newPage();
  await signIn(page);
  await page.click('[data-testid=nav-orders]');
  await expectPath(page, '/console/orders');
  const row = page.locator(`[data-testid=order-row][data-number="${order.number}"]`);
  assert.equal(await row.getAttribute('data-state'), 'placed');
  await expectTextContains(row, 'LAX-1');
  await row.locator('a').click();
  await expectPath(page, `/console/orders/${order.id}`);
  await expectTextContains(page.locator('[data-testid=order-state]'), 'Placed');
  await expectTextContains(page.locator('[data-testid=routing-won-on]'), 'lower shipping cost');
  assert.equal(await page.locator('[data-testid=order-line][data-sku="LUMI-AUR-WHT"]').count(), 1);
  // Confirming the transfer pays the order, which allocates it.
  await page.fill('[data-testid=bank-reference]', 'TT-2026-1127');
  await page.click('[data-testid=confirm-transfer]');
  await expectPath(page, `/console/orders/${order.id}`);
  assert.equal(await page.locator('[data-testid=order-state]').getAttribute('data-state'), 'allocated');
  const parcel = page.locator('[data-testid=order-shipment]');
  assert.equal(await parcel.getAttribute('data-warehouse'), 'LAX-1');
  assert.equal(await parcel.getAttribute('data-status'), 'pending');
  const events = await page.locator('[data-testid=timeline-row]').evaluateAll((rows) => rows.map((r) => r.dataset.event));
  assert.deepEqual(events, ['place', 'pay', 'allocate']);
  await screenshot(t, page, 'order-allocated.png');
  await context.close();
});

test('the 3PL releases a wave, packs and ships the parcel', { timeout: TEST_TIMEOUT }, async (t) => {
  assert.ok(order, 'the order of the first test');
  const context = await newContext();
  const page = await context.newPage();
  await signIn(page, OTHER_EMAIL);
  await page.goto(`${suite.baseUrl}/console/warehouses`);
  await page.click('[data-testid=warehouse-row][data-code="LAX-1"] a');
  await page.click('[data-testid=open-fulfilment]');
  await expectPath(page, /^\/console\/warehouses\/\d+\/fulfilment$/);
  const parcel = page.locator('[data-testid=parcel-row]');
  assert.equal(await parcel.getAttribute('data-status'), 'pending');
  await page.click('[data-testid=release-wave]');
  const pick = page.locator('[data-testid=pick-row][data-sku="LUMI-AUR-WHT"]');
  assert.equal(Number(await textOf(pick.locator('td.num'))), 1);
  assert.equal(await parcel.getAttribute('data-status'), 'picking');
  // A parcel weighing nothing is refused, naming the field.
  await page.fill('[data-testid=pack-carton]', 'C-45x20x15');
  await page.fill('[data-testid=pack-weight]', '0');
  await page.fill('[data-testid=pack-length]', '450');
  await page.fill('[data-testid=pack-width]', '200');
  await page.fill('[data-testid=pack-height]', '150');
  await page.click('[data-testid=pack]');
  await expectTextContains(page.locator('[data-testid=fulfilment-error]'), 'parcel.weight_g');
  assert.equal(await page.locator('[data-testid=parcel-row]').getAttribute('data-status'), 'picking');
  await page.fill('[data-testid=pack-carton]', 'C-45x20x15');
  await page.fill('[data-testid=pack-weight]', '1620');
  await page.fill('[data-testid=pack-length]', '450');
  await page.fill('[data-testid=pack-width]', '200');
  await page.fill('[data-testid=pack-height]', '150');
  await page.click('[data-testid=pack]');
  assert.equal(await page.locator('[data-testid=parcel-row]').getAttribute('data-status'), 'packed');
  await page.fill('[data-testid=ship-tracking]', TRACKING);
  await page.click('[data-testid=ship]');
  const shipped = page.locator('[data-testid=parcel-row]');
  assert.equal(await shipped.getAttribute('data-status'), 'shipped');
  await expectTextContains(shipped, '9400111899223344556677');
  await screenshot(t, page, 'fulfilment-shipped.png');
  await context.close();
});

test('the seller sees the order shipped with its tracking number, in English and Chinese', { timeout: TEST_TIMEOUT }, async (t) => {
  assert.ok(order, 'the order of the first test');
  const context = await newContext();
  const page = await context.newPage();
  await signIn(page);
  await page.goto(`${suite.baseUrl}/console/orders/${order.id}`);
  assert.equal(await page.locator('[data-testid=order-state]').getAttribute('data-state'), 'shipped');
  await expectTextContains(page.locator('[data-testid=order-state]'), 'Shipped');
  await expectTextContains(page.locator('[data-testid=order-tracking]'), '9400111899223344556677');
  const events = await page.locator('[data-testid=timeline-row]').evaluateAll((rows) => rows.map((r) => r.dataset.event));
  assert.deepEqual(events, ['place', 'pay', 'allocate', 'ship_all']);
  await page.goto(`${suite.baseUrl}/console/orders?state=shipped`);
  assert.equal(await page.locator('[data-testid=order-row]').count(), 1);
  await page.goto(`${suite.baseUrl}/console/orders?state=placed`);
  assert.equal(await page.locator('[data-testid=order-row]').count(), 0);
  await page.goto(`${suite.baseUrl}/console/orders/${order.id}`);
  await page.click('.lang-switch button[value=zh-CN]');
  await expectTextContains(page.locator('[data-testid=order-state]'), '已发货');
  await screenshot(t, page, 'order-shipped-zh.png');
  await context.close();
});
