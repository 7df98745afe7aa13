// Browser tests for orders and fulfilment: an order placed through the API
// (a US cart routed to the 3PL's Los Angeles warehouse) is followed in the
// console from placed to shipped. The seller sees it in the order list,
// opens it (lines, routing explanation, timeline) and confirms the bank
// transfer, which allocates it; the 3PL (warehouse@chuhai.test) releases a
// wave at Los Angeles, sees the pick list, packs the parcel (a refused
// weight first) and ships it with a tracking number; the seller then sees
// the order shipped with the tracking number, also in Chinese. The 3PL
// then records the delivery, and a return of the lamp is worked from the
// console: the seller authorises it, the 3PL receives it and inspects it
// (an inspection that leaves the unit without an outcome refused first),
// the seller refunds it. One `chuhai serve` with a fresh SQLite data
// directory.
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

/** The demo owner's API token, made by `placeOrder`. */
let token = null;

/** Places an order of one Aurora lamp to Los Angeles; returns it. */
async function placeOrder() {
  const res = await fetch(`${suite.baseUrl}/api/v1/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD, name: 'browser test' }),
  });
  ({ token } = await res.json());
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

/** Signs in as the 3PL and opens the fulfilment page of its Los Angeles warehouse. */
async function openLosAngelesFulfilment(page) {
  await signIn(page, OTHER_EMAIL);
  await page.goto(`${suite.baseUrl}/console/warehouses`);
  await page.click('[data-testid=warehouse-row][data-code="LAX-1"] a');
  await page.click('[data-testid=open-fulfilment]');
  await expectPath(page, /^\/console\/warehouses\/\d+\/fulfilment$/);
}

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
  await openLosAngelesFulfilment(page);
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

test('the 3PL records the delivery; a return of the lamp is worked from the console', { timeout: TEST_TIMEOUT }, async (t) => {
  assert.ok(order, 'the order of the first test');
  const ops = await newContext();
  const opsPage = await ops.newPage();
  await openLosAngelesFulfilment(opsPage);
  await opsPage.click('[data-testid=mark-delivered]');
  assert.equal((await api(token, 'GET', `/api/v1/orders/${order.id}`)).state, 'delivered');

  const warehouses = await api(token, 'GET', '/api/v1/warehouses');
  const lax = warehouses.items.find((w) => w.code === 'LAX-1');
  const rma = await api(token, 'POST', `/api/v1/orders/${order.id}/returns`, {
    reason: 'defective', warehouse_id: lax.id, lines: [{ sku: 'LUMI-AUR-WHT', quantity: 1 }],
  });
  const status = (page) => page.locator('[data-testid=return-status]').getAttribute('data-status');

  const seller = await newContext();
  const sellerPage = await seller.newPage();
  await signIn(sellerPage);
  await sellerPage.goto(`${suite.baseUrl}/console/returns/${rma.id}`);
  assert.equal(await status(sellerPage), 'requested');
  assert.equal(await sellerPage.locator('[data-testid=receive-form]').count(), 0, 'receiving is the 3PL\'s');
  await sellerPage.fill('[data-testid=authorise-form] input[name=note]', 'please send it to LAX-1');
  await sellerPage.click('[data-testid=return-authorise]');
  await expectPath(sellerPage, `/console/returns/${rma.id}`);
  assert.equal(await status(sellerPage), 'authorised');
  await expectTextContains(sellerPage.locator('[data-testid=return-timeline]'), 'please send it to LAX-1');

  await opsPage.goto(`${suite.baseUrl}/console/returns/${rma.id}`);
  assert.equal(await opsPage.locator('[data-testid=authorise-form]').count(), 0, 'deciding is the seller\'s');
  await opsPage.click('[data-testid=return-receive]');
  assert.equal(await status(opsPage), 'received');
  const before = (await api(token, 'GET', '/api/v1/stock?sku=LUMI-AUR-WHT')).totals.on_hand;
  // Every unit needs an outcome: none given is refused and changes nothing.
  await opsPage.fill('[name="restock.LUMI-AUR-WHT"]', '0');
  await opsPage.click('[data-testid=return-inspect]');
  await expectTextContains(opsPage.locator('[data-testid=return-error]'), 'give the disposition of every returned unit');
  assert.equal(await status(opsPage), 'received');
  assert.equal((await api(token, 'GET', '/api/v1/stock?sku=LUMI-AUR-WHT')).totals.on_hand, before);
  await opsPage.fill('[name="restock.LUMI-AUR-WHT"]', '1');
  await opsPage.click('[data-testid=return-inspect]');
  assert.equal(await status(opsPage), 'inspected');
  assert.equal((await api(token, 'GET', '/api/v1/stock?sku=LUMI-AUR-WHT')).totals.on_hand, before + 1);
  await screenshot(t, opsPage, 'return-inspected.png');

  await sellerPage.goto(`${suite.baseUrl}/console/returns/${rma.id}`);
  await sellerPage.click('[data-testid=return-refund]');
  assert.equal(await status(sellerPage), 'refunded');
  assert.equal(await sellerPage.locator('[data-testid=return-actions]').count(), 0, 'nothing is left to do');
  const [payment] = await api(token, 'GET', `/api/v1/orders/${order.id}/payments`);
  assert.deepEqual(payment.refunded, rma.refund.total);
  await sellerPage.click('.lang-switch button[value=zh-CN]');
  await expectTextContains(sellerPage.locator('[data-testid=return-status]'), '已退款');
  await screenshot(t, sellerPage, 'return-refunded-zh.png');
  await seller.close();
  await ops.close();
});
