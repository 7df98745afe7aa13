// Browser tests for the console's Customs & documents page: the demo's four
// export shipments with their China customs mode (9610 twice, 9710, 9810)
// and why, the links to their CEB messages and PDF documents (which answer
// with a real PDF and XML), last month's 9610 summary declaration, and the
// page in Chinese. One `chuhai serve` with a fresh SQLite data directory.
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

test('export shipments show their customs mode, messages, documents and the summary', { timeout: TEST_TIMEOUT }, async (t) => {
  const context = await newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  await page.click('nav.sidenav a[href="/console/customs"]');
  await expectPath(page, '/console/customs');
  await expectTextContains(page.locator('[data-testid=customs-title]'), 'Customs & documents');

  const rows = page.locator('[data-testid=shipment-row]');
  const modes = await rows.evaluateAll((rs) => rs.map((r) => [r.dataset.order, r.dataset.mode]));
  assert.deepEqual(modes, [
    ['LUMI-DE-0001', '9610'],
    ['LUMI-US-0001', '9610'],
    ['LUMI-TO-0001', '9710'],
    ['LUMI-W-0001', '9810'],
  ]);
  const de = page.locator('[data-testid=shipment-row][data-order="LUMI-DE-0001"]');
  const messages = await de.locator('[data-testid=message-link]').allTextContents();
  assert.deepEqual(messages.map((m) => m.trim()), ['CEB303', 'CEB403', 'CEB505', 'CEB603']);
  // The trade order has no payment message.
  const b2b = page.locator('[data-testid=shipment-row][data-order="LUMI-TO-0001"]');
  assert.deepEqual((await b2b.locator('[data-testid=message-link]').allTextContents()).map((m) => m.trim()),
    ['CEB303', 'CEB505', 'CEB603']);

  // The links answer with the files themselves, for this signed-in user.
  const invoiceHref = await de.locator('[data-testid=document-link][data-doc=commercial-invoice]').getAttribute('href');
  const pdf = await context.request.get(`${suite.baseUrl}${invoiceHref}`);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  const xmlHref = await de.locator('[data-testid=message-link]', { hasText: 'CEB603' }).getAttribute('href');
  const xml = await context.request.get(`${suite.baseUrl}${xmlHref}`);
  assert.equal(xml.status(), 200);
  const body = await xml.text();
  assert.ok(body.includes('<ceb:orderNo>LUMI-DE-0001</ceb:orderNo>'), body.slice(0, 400));

  // Last month's 9610 lists: the German parcel's lamp and bulbs, the US
  // parcel's light strings; the 9710 and 9810 shipments are not in it.
  const codes = await page.locator('[data-testid=summary-row]').evaluateAll((rs) => rs.map((r) => r.dataset.gcode).sort());
  assert.deepEqual(codes, ['8539520000', '9405210000', '9405310000']);
  await screenshot(t, page, 'customs-en.png');

  // In Chinese.
  await page.click('button[name=lang][value=zh-CN]');
  await expectTextContains(page.locator('[data-testid=customs-title]'), '报关与单证');
  const reason = await textOf(page.locator('[data-testid=shipment-row][data-order="LUMI-W-0001"] [data-testid=shipment-reason]'));
  assert.match(reason, /海外仓/);
  await expectTextContains(page.locator('[data-testid=summary] h2'), '9610 汇总申报');
  await screenshot(t, page, 'customs-zh.png');
  await context.close();
});
