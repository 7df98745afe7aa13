// Browser tests for the console's CSV import and export: uploading a
// Shopify product CSV from the import form (the file goes as the request
// body, sent by console.js), following the background job's page as it
// polls its status with htmx, the report with each error's row and column,
// the partial import, the Export CSV download, the Chinese labels, the phone
// layout, CSRF and tenancy. One `chuhai serve` with a fresh SQLite data
// directory (its worker runs the jobs), stopped with SIGTERM at the end.
//
// Run: npm ci --prefix tests/browser && node --test tests/browser/
// The server, the browser and the sign-in come from harness.mjs (CHUHAI_BIN
// overrides the server binary; CHROMIUM_BIN overrides the browser).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  OTHER_EMAIL, TEST_TIMEOUT,
  createSuite, eventually, expectPath, expectTextContains, pathOf, tempDir, textOf,
} from './harness.mjs';

// Long enough for a worker to pick the job up (within a second) and run it.
const JOB_TIMEOUT = 30_000;

const suite = createSuite();
const { newContext, signIn, screenshot } = suite;
let baseUrl;
// Tests 1-4 are one sign-in session, in order, on one page.
let sessionContext;
let sessionPage;
// Where the uploaded files are written.
let fileDir;
// The job pages of the first import (nothing saved) and the second (partial).
let failedJobPath;
let partialJobPath;

before(async () => {
  await suite.start();
  ({ baseUrl } = suite);
  fileDir = await tempDir('files');
  sessionContext = await newContext({ viewport: { width: 1280, height: 800 } });
  sessionPage = await sessionContext.newPage();
});

after(() => suite.stop({ alsoRemove: [fileDir] }));

// The CSV of the import tests: one good product, and one whose barcode a
// spreadsheet turned into scientific notation (row 3 of the file).
const CSV = [
  'Handle,Title,Body (HTML),Vendor,Variant SKU,Variant Price,Variant Barcode,Variant Grams,HS code',
  'orbit-a,Orbit A Wall Light,<p>Round LED wall light.</p>,Lumi,ORB-A,99.00,6931234500087,900,940521',
  'orbit-b,Orbit B Wall Light,<p>Round LED wall light.</p>,Lumi,ORB-B,99.00,4.6347E+11,900,940521',
  '',
].join('\n');

/** Writes `text` to a fresh file of the temporary directory. */
async function csvFile(name, text) {
  const file = path.join(fileDir, name);
  await writeFile(file, text, 'utf8');
  return file;
}

/** Counts the status polls of the job page from now on. */
function countPolls(page) {
  const counter = { polls: 0 };
  page.on('request', (r) => {
    if (/^\/console\/jobs\/\d+\/status$/.test(new URL(r.url()).pathname)) counter.polls += 1;
  });
  return counter;
}

/** Uploads `file` from the import form and lands on the job's page. */
async function upload(page, file, { partial }) {
  await expectPath(page, '/console/products/import');
  const button = page.locator('[data-testid=start-import]');
  await eventually(async () => assert.ok(await button.isEnabled(), 'console.js enables the button'));
  assert.equal(await page.inputValue('select[name=currency]'), 'CNY', 'prices are read in CNY by default');
  await page.setInputFiles('[data-testid=import-file]', file);
  await page.setChecked('[data-testid=import-partial]', partial);
  const post = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/console/products/import',
  );
  await button.click();
  const res = await post;
  assert.equal(res.status(), 200);
  assert.equal(res.request().headers()['content-type'], 'text/csv');
  const query = new URL(res.url()).searchParams;
  assert.equal(query.get('partial'), String(partial));
  assert.equal(query.get('currency'), 'CNY');
  await expectPath(page, /^\/console\/jobs\/\d+$/);
  const firstStatus = await page.getAttribute('[data-testid=job-status]', 'data-status');
  return { jobPath: pathOf(page), firstStatus };
}

/** Waits until the job's status box says it has finished; returns its outcome. */
async function finished(page) {
  const box = page.locator('[data-testid=job-status]');
  return eventually(async () => {
    const status = await box.getAttribute('data-status');
    assert.ok(status === 'succeeded' || status === 'failed', `job still ${status}`);
    return { status, outcome: await box.getAttribute('data-outcome') };
  }, JOB_TIMEOUT);
}

async function productTable(page) {
  await page.goto(`${baseUrl}/console/products`);
  return textOf(page.locator('main'));
}

test('a file with an error imports nothing and the job page shows the row and column', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = sessionPage;
  await signIn(page);
  await page.click('nav.sidenav a[href="/console/products"]');
  await expectPath(page, '/console/products');
  await page.click('[data-testid=import-products]');
  await expectPath(page, '/console/products/import');
  assert.equal(await page.getAttribute('[data-testid=import-file]', 'accept'), '.csv,text/csv');
  assert.equal(await page.isChecked('[data-testid=import-partial]'), false, 'partial is off by default');

  // Nothing chosen: the form says so and sends nothing.
  await page.locator('[data-testid=start-import]').click();
  await expectTextContains(page.locator('[data-testid=upload-error]'), 'Choose a CSV file');
  assert.equal(pathOf(page), '/console/products/import');

  const polls = countPolls(page);
  const first = await upload(page, await csvFile('orbit.csv', CSV), { partial: false });
  failedJobPath = first.jobPath;
  await expectTextContains(page.locator('[data-testid=job-title]'), 'Product import');
  const { status, outcome } = await finished(page);
  assert.ok(status === 'failed' || outcome === 'not_saved', `the import saved nothing (${status}, ${outcome})`);
  assert.equal(pathOf(page), failedJobPath, 'the page updated itself, without reloading');
  if (first.firstStatus === 'queued' || first.firstStatus === 'running') {
    assert.ok(polls.polls > 0, 'the page polled the job status');
  }
  t.diagnostic(`job first shown ${first.firstStatus}; ${polls.polls} status polls`);
  await expectTextContains(page.locator('[data-testid=job-outcome]'), 'Not imported');
  await expectTextContains(page.locator('[data-testid=job-summary]'), 'Nothing was saved');
  assert.equal(await textOf(page.locator('[data-testid=count-rows]')), '2');
  assert.equal(await textOf(page.locator('[data-testid=count-products]')), '0');
  assert.equal(await textOf(page.locator('[data-testid=saved]')), 'No');
  const errors = page.locator('[data-testid=job-error-row]');
  assert.equal(await errors.count(), 1, 'one row has an error');
  const row3 = page.locator('[data-testid=job-error-row][data-row="3"]');
  assert.equal(await textOf(row3.locator('td.row')), '3');
  assert.equal(await textOf(row3.locator('td.column')), 'Variant Barcode');
  await expectTextContains(row3.locator('td.reason'), 'scientific notation');
  assert.equal(await page.getAttribute('[data-testid=job-progress]', 'value'), '1');

  // Finished: the box no longer asks for its status.
  assert.equal(await page.locator('[data-testid=job-status][hx-trigger]').count(), 0);
  const before = polls.polls;
  await sleep(2_500);
  assert.equal(polls.polls, before, 'polling stopped once the job finished');
  await screenshot(t, page, 'job-errors-desktop-1280x800.png');
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 1280, `the job page is ${scrollWidth}px wide on a 1280px screen`);

  const list = await productTable(page);
  assert.ok(!list.includes('orbit-a') && !list.includes('Orbit A'), 'orbit-a was not saved');
});

test('with “save the rows without errors” the good product is imported', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = sessionPage;
  assert.equal(pathOf(page), '/console/products', 'this test continues the session of the previous one');
  await page.click('[data-testid=import-products]');
  ({ jobPath: partialJobPath } = await upload(page, await csvFile('orbit-partial.csv', CSV), { partial: true }));
  assert.notEqual(partialJobPath, failedJobPath, 'a new job');
  const { status, outcome } = await finished(page);
  assert.equal(status, 'succeeded');
  assert.equal(outcome, 'partial');
  await expectTextContains(page.locator('[data-testid=job-outcome]'), 'Partly imported');
  assert.equal(await textOf(page.locator('[data-testid=count-products]')), '1');
  assert.equal(await textOf(page.locator('[data-testid=count-variants]')), '1');
  assert.equal(await textOf(page.locator('[data-testid=saved]')), 'Yes');
  await expectTextContains(page.locator('[data-testid=job-error-row][data-row="3"]'), 'Variant Barcode');
  await screenshot(t, page, 'job-partial-desktop-1280x800.png');

  await page.click('[data-testid=view-products]');
  await expectPath(page, '/console/products');
  const orbit = page.locator('[data-testid=product-row]').filter({ hasText: 'orbit-a' });
  await expectTextContains(orbit, 'Orbit A Wall Light');
  await expectTextContains(orbit, 'CN¥99.00');
  await expectTextContains(orbit, '940521');
  assert.equal(await page.locator('[data-testid=product-row]').filter({ hasText: 'orbit-b' }).count(), 0);
});

test('Export CSV downloads the catalog as a Shopify CSV', { timeout: TEST_TIMEOUT }, async () => {
  const page = sessionPage;
  assert.equal(pathOf(page), '/console/products', 'this test continues the session of the previous one');
  const download = page.waitForEvent('download');
  await page.click('[data-testid=export-products]');
  const file = await download;
  assert.match(file.suggestedFilename(), /^[a-z0-9-]*products-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = (await readFile(await file.path(), 'utf8')).replace(/^\uFEFF/, '');
  const [header] = text.split(/\r?\n/);
  assert.ok(header.includes('URL handle'), `the first line names the columns: ${header}`);
  assert.ok(text.includes('orbit-a'), 'the imported product is in the file');
  assert.ok(text.includes('aurora-led-desk-lamp'), 'so are the demo products');
});

test('the job page in Chinese', { timeout: TEST_TIMEOUT }, async () => {
  const page = sessionPage;
  await page.goto(`${baseUrl}${failedJobPath}`);
  await page.click('form.lang-switch button[value="zh-CN"]');
  await page.locator('html[lang="zh-CN"]').waitFor({ state: 'attached' });
  assert.equal(pathOf(page), failedJobPath, 'the language switch comes back to the job');
  await expectTextContains(page.locator('[data-testid=job-title]'), '商品导入');
  await expectTextContains(page.locator('[data-testid=job-outcome]'), '未导入');
  await expectTextContains(page.locator('[data-testid=job-summary]'), '未保存任何内容');
  await expectTextContains(page.locator('[data-testid=job-errors] thead'), '问题');
  await page.goto(`${baseUrl}/console/products`);
  await expectTextContains(page.locator('[data-testid=import-products]'), '导入 CSV');
  await expectTextContains(page.locator('[data-testid=export-products]'), '导出 CSV');
  await page.click('[data-testid=import-products]');
  await expectTextContains(page.locator('[data-testid=import-form]'), '保存没有错误的行');
  await page.click('form.lang-switch button[value="en"]');
  await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
  await sessionContext.close();
});

test('the job page fits a phone screen', { timeout: TEST_TIMEOUT }, async (t) => {
  const context = await newContext({ viewport: { width: 390, height: 844 } });
  try {
    const page = await context.newPage();
    await signIn(page);
    for (const [jobPath, name] of [[failedJobPath, 'job-errors-phone-390x844.png'], [partialJobPath, 'job-partial-phone-390x844.png']]) {
      await page.goto(`${baseUrl}${jobPath}`);
      await page.locator('[data-testid=job-counts]').waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `the job page is ${width}px wide on a 390px screen`);
      const reason = page.locator('[data-testid=job-error-row] td.reason');
      const box = await reason.boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= 390, 'the reason is inside the screen');
      await screenshot(t, page, name);
    }
    await page.goto(`${baseUrl}/console/products/import`);
    const formWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(formWidth <= 390, `the import form is ${formWidth}px wide on a 390px screen`);
    await screenshot(t, page, 'import-phone-390x844.png');
    await page.goto(`${baseUrl}/console/products`);
    const listWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(listWidth <= 390, `the list with its buttons is ${listWidth}px wide on a 390px screen`);
  } finally {
    await context.close();
  }
});

test('uploads need the CSRF header and a file; other organisations get a 404', { timeout: TEST_TIMEOUT }, async () => {
  const context = await newContext();
  try {
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${baseUrl}/console/products/import`);
    const csrf = await page.getAttribute('[data-testid=import-form]', 'data-csrf');
    assert.ok(csrf, 'the form carries the session CSRF secret');
    const url = `${baseUrl}/console/products/import?partial=false&currency=CNY`;
    const post = (headers, data) => page.request.post(url, { headers: { 'content-type': 'text/csv', ...headers }, data });

    const forged = await post({ 'x-csrf-token': 'not-the-secret' }, CSV);
    assert.equal(forged.status(), 403);
    assert.ok((await forged.json()).message, 'a message to show');
    assert.equal((await post({}, CSV)).status(), 403, 'no header, no import');
    const empty = await post({ 'x-csrf-token': csrf }, '');
    assert.equal(empty.status(), 422);
    assert.match((await empty.json()).message, /empty/);
    const badCurrency = await page.request.post(`${baseUrl}/console/products/import?currency=XXX`, {
      headers: { 'content-type': 'text/csv', 'x-csrf-token': csrf }, data: CSV,
    });
    assert.equal(badCurrency.status(), 422);
    const notUtf8 = await post({ 'x-csrf-token': csrf }, Buffer.from([0x48, 0x61, 0xff, 0x0a]));
    assert.equal(notUtf8.status(), 422);
    assert.match((await notUtf8.json()).message, /UTF-8/);

    const missing = await page.goto(`${baseUrl}/console/jobs/999999`);
    assert.equal(missing.status(), 404);
    await expectTextContains(page.locator('[data-testid=not-found]'), 'Import not found');
  } finally {
    await context.close();
  }
  const other = await newContext();
  try {
    const page = await other.newPage();
    await signIn(page, OTHER_EMAIL);
    const res = await page.goto(`${baseUrl}${failedJobPath}`);
    assert.equal(res.status(), 404);
    await expectTextContains(page.locator('[data-testid=not-found]'), 'Import not found');
    assert.ok(!(await page.content()).includes('Variant Barcode'), 'nothing of the job is shown');
    const status = await page.request.get(`${baseUrl}${failedJobPath}/status`);
    assert.equal(status.status(), 404);
  } finally {
    await other.close();
  }
});

test('without JavaScript the import form says why it cannot upload', { timeout: TEST_TIMEOUT }, async () => {
  const context = await newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${baseUrl}/console/products/import`);
    await expectTextContains(page.locator('[data-testid=needs-js]'), 'needs JavaScript');
    assert.ok(await page.locator('[data-testid=needs-js]').isVisible());
    assert.ok(await page.locator('[data-testid=start-import]').isDisabled(), 'the button cannot send the form');
  } finally {
    await context.close();
  }
});
