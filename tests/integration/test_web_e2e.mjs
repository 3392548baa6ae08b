// The web app in a real browser: playwright-core driving Debian's Chromium against `onehop dev`
// (the real store and API, no mock). Uploads real images through the file input and by drag and
// drop, waits for every progress bar to reach 100 and for the pictures to load in the gallery,
// and checks from the browser's network log that the bytes went to the store's origin, never to
// the API's. Also: a text file named .png (rejected after the API looks at the bytes), a file
// over the size limit (refused before any request), a 40 MiB multipart upload whose part 2 fails
// once and is retried, and the Uppy example's Dashboard upload.
//
// Screenshots of the main states go to $ONEHOP_ARTIFACTS (default build/artifacts/e2e in the
// source tree). Exits 77 (skipped) when /usr/bin/chromium or web/dist is missing.
//
//   ONEHOP_BIN=build/debug/src/onehop ONEHOP_SOURCE_DIR=$PWD node tests/integration/test_web_e2e.mjs

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startDev } from './e2e/dev_server.mjs';
import { NetworkLog, originOf } from './e2e/network_log.mjs';
import {
  dropFiles,
  galleryNames,
  gallerySelector,
  settledRow,
  signIn,
  waitAllDone,
  waitGalleryImage,
} from './e2e/page_helpers.mjs';
import { picture, pngOfSize } from './e2e/png.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const source = resolve(process.env.ONEHOP_SOURCE_DIR || join(here, '..', '..'));
const chromiumPath = '/usr/bin/chromium';
const webDir = join(source, 'web', 'dist');
const MIB = 1024 * 1024;

if (!existsSync(chromiumPath)) {
  console.log(`SKIP: ${chromiumPath} is not installed (Debian package chromium)`);
  process.exit(77);
}
if (!existsSync(join(webDir, 'index.html')) || !existsSync(join(webDir, 'examples', 'uppy', 'index.html'))) {
  console.log(`SKIP: the web app is not built (${webDir}): cd web && npm ci && npm run build`);
  process.exit(77);
}

const jsDir = join(here, 'js');
if (!existsSync(join(jsDir, 'node_modules', 'playwright-core'))) {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: jsDir, stdio: 'inherit' });
}
const { chromium } = createRequire(join(jsDir, 'package.json'))('playwright-core');

const artifacts = resolve(process.env.ONEHOP_ARTIFACTS || join(source, 'build', 'artifacts', 'e2e'));
mkdirSync(artifacts, { recursive: true });

function assert(cond, message) {
  if (!cond) {
    throw new Error(`assertion failed: ${message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The files: real images made here or copied from tests/data/images, plus the ones to refuse.

const testData = process.env.ONEHOP_TEST_DATA || join(source, 'tests', 'data');
const filesDir = mkdtempSync(join(tmpdir(), 'onehop-e2e-files-'));

function file(name, bytes, type) {
  const path = join(filesDir, name);
  writeFileSync(path, bytes);
  return { name, path, type, bytes };
}
const fixture = (name, from, type) => file(name, readFileSync(join(testData, 'images', from)), type);

const files = {
  // Through the file input.
  sunset: file('sunset.png', picture(640, 400, [250, 120, 60], [120, 40, 140], [255, 220, 120]), 'image/png'),
  jpeg: fixture('baseline.jpg', 'jpeg-baseline.jpg', 'image/jpeg'),
  webp: fixture('lossy.webp', 'webp-lossy.webp', 'image/webp'),
  // By drag and drop.
  ocean: file('ocean.png', picture(480, 320, [20, 80, 160], [80, 200, 200], [250, 250, 240]), 'image/png'),
  small: fixture('small.png', 'png-64x48.png', 'image/png'),
  // Refused.
  notes: fixture('notes.png', 'text.txt', 'image/png'),
  huge: file('huge-60MiB.png', pngOfSize(60 * MIB), 'image/png'),
  // Multipart (16 MiB threshold, 8 MiB parts: 5 parts).
  big: file('big-40MiB.png', pngOfSize(40 * MIB, [30, 120, 60], [200, 230, 90]), 'image/png'),
  // Through the Uppy example page.
  meadow: file('uppy-meadow.png', picture(400, 300, [90, 170, 70], [220, 230, 120], [250, 250, 250]), 'image/png'),
};

// ---------------------------------------------------------------------------------------------
// The server, and the browser with a log of every request and of the API's JSON answers.

// A 60 MiB file is then over the limit; the 40 MiB one is not.
const dev = await startDev({ webDir, env: { ONEHOP_UPLOADS_MAX_SIZE: '50MiB' } });
const browser = await chromium
  .launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  .catch(async (e) => {
    await dev.stop();
    throw e;
  });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const log = new NetworkLog(context);
const apiAnswers = []; // {method, path, requestBody, body} of every JSON answer from the API
context.on('response', async (response) => {
  const request = response.request();
  if (originOf(request.url()) !== dev.apiOrigin) {
    return;
  }
  if (!(response.headers()['content-type'] ?? '').startsWith('application/json')) {
    return;
  }
  const entry = { method: request.method(), path: new URL(request.url()).pathname, requestBody: null, body: null };
  apiAnswers.push(entry);
  try {
    entry.requestBody = request.postDataJSON();
  } catch {
    entry.requestBody = null;
  }
  entry.body = await response.json().catch(() => null);
});
const pageErrors = [];
const page = await context.newPage();
page.on('pageerror', (e) => pageErrors.push(e.message));
page.on('console', (m) => {
  if (m.type() === 'error') {
    console.log(`  console: ${m.text()}`);
  }
});

async function screenshot(name, target = page) {
  await target.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/** Uploads that the API created for a file name: {uploadId, key, url, method}. */
function createdUploads(name) {
  return apiAnswers
    .filter((a) => a.method === 'POST' && a.path === '/api/uploads' && a.requestBody?.filename === name && a.body)
    .map((a) => a.body);
}

/** Store requests that carried bytes (PUT or POST) for the object `key`. */
function storeWrites(key) {
  return log.entries.filter(
    (e) =>
      e.origin === dev.storeOrigin &&
      (e.method === 'PUT' || e.method === 'POST') &&
      decodeURIComponent(new URL(e.url).pathname).endsWith(`/${key}`),
  );
}

/** Every file the app uploaded went to the store, as the API said, and succeeded there. */
function assertBytesWentToStore(f) {
  const created = createdUploads(f.name);
  assert(created.length === 1, `${f.name}: one POST /api/uploads, got ${created.length}`);
  const { key, url, method } = created[0];
  // A multipart answer has no URL; its part URLs are checked with every other URL the API gave.
  if (method !== 'MULTIPART') {
    assert(originOf(url) === dev.storeOrigin, `${f.name}: the API signed ${url}, not a store URL`);
  }
  const writes = storeWrites(key);
  assert(writes.length > 0, `${f.name}: no PUT/POST to the store for ${key}`);
  assert(
    writes.some((w) => w.status === 200 || w.status === 204),
    `${f.name}: no successful write: ${JSON.stringify(writes)}`,
  );
  return { key, writes };
}

// ---------------------------------------------------------------------------------------------
// The checks, in order: each builds on the page the one before left.

async function signsInAsDevUser() {
  await page.goto(dev.url);
  await signIn(page, 'alice');
  const config = apiAnswers.find((a) => a.path === '/api/config')?.body;
  assert(config?.devMode === true, `dev mode: ${JSON.stringify(config)}`);
  assert(config.maxSize === 50 * MIB, `maxSize from ONEHOP_UPLOADS_MAX_SIZE: ${config.maxSize}`);
  const cookies = await context.cookies(dev.url);
  assert(
    cookies.some((c) => c.name === 'onehop_token' && c.httpOnly),
    'the HttpOnly onehop_token cookie is set (the Uppy page uses it)',
  );
  await screenshot('01-signed-in');
}

async function uploadsThroughFileInput() {
  const list = [files.sunset, files.jpeg, files.webp];
  await page.getByTestId('file-input').setInputFiles(list.map((f) => f.path));
  await waitAllDone(page, list.map((f) => f.name));
  for (const f of list) {
    const row = await settledRow(page, f.name);
    assert(row.status === 'done', `${f.name}: ${JSON.stringify(row)}`);
    assert(row.progress === 100 && row.ariaValueNow === '100', `${f.name} progress: ${JSON.stringify(row)}`);
  }
  const sunset = await waitGalleryImage(page, files.sunset.name);
  assert(sunset.width === 640 && sunset.height === 400, `sunset decoded as ${sunset.width}x${sunset.height}`);
  assert(originOf(sunset.src) === dev.storeOrigin, `the gallery shows ${sunset.src}, not the store's URL`);
  const jpeg = await waitGalleryImage(page, files.jpeg.name);
  assert(jpeg.width === 64 && jpeg.height === 48, `jpeg decoded as ${jpeg.width}x${jpeg.height}`);
  await waitGalleryImage(page, files.webp.name);
  for (const f of list) {
    assertBytesWentToStore(f);
  }
  await screenshot('02-uploaded-through-file-input');
}

async function uploadsByDragAndDrop() {
  const list = [files.ocean, files.small];
  await dropFiles(page, list.map((f) => f.path), list.map((f) => f.type));
  await waitAllDone(page, list.map((f) => f.name));
  for (const f of list) {
    const row = await settledRow(page, f.name);
    assert(row.status === 'done' && row.progress === 100, `${f.name}: ${JSON.stringify(row)}`);
    const shown = await waitGalleryImage(page, f.name);
    assert(shown.width > 0, `${f.name} shown`);
    assertBytesWentToStore(f);
  }
  const ocean = await waitGalleryImage(page, files.ocean.name);
  assert(ocean.width === 480 && ocean.height === 320, `ocean decoded as ${ocean.width}x${ocean.height}`);
}

async function rejectsTextRenamedPng() {
  const before = await galleryNames(page);
  await page.getByTestId('file-input').setInputFiles(files.notes.path);
  const row = await settledRow(page, files.notes.name);
  assert(row.status === 'rejected', `notes.png: ${JSON.stringify(row)}`);
  assert(row.code === 'verification_failed', `notes.png's code: ${JSON.stringify(row)}`);
  assert(row.message && row.message.length > 0, 'a message is shown');
  // The gallery gets nothing: give a wrongly added item the time to appear, then compare.
  await page.waitForTimeout(300);
  const after = await galleryNames(page);
  assert(!after.includes(files.notes.name), `notes.png in the gallery: ${after}`);
  assert(after.length === before.length, `gallery changed: ${before} -> ${after}`);
  await screenshot('03-rejected-text-file');
}

async function refusesOverLimitBeforeSending() {
  const mark = log.mark();
  await page.getByTestId('file-input').setInputFiles(files.huge.path);
  const row = await settledRow(page, files.huge.name);
  assert(row.status === 'rejected' && row.code === 'too_large', `huge: ${JSON.stringify(row)}`);
  await page.waitForTimeout(500);
  const sent = log
    .since(mark)
    .filter(
      (e) =>
        e.origin === dev.storeOrigin ||
        (e.origin === dev.apiOrigin && e.method !== 'GET') ||
        e.bodyBytes > 0 ||
        e.contentLength > 0,
    );
  assert(sent.length === 0, `requests for a refused file: ${JSON.stringify(sent)}`);
  assert(createdUploads(files.huge.name).length === 0, 'no upload created for the huge file');
  assert(!(await galleryNames(page)).includes(files.huge.name), 'huge file not in the gallery');
}

async function multipartRetriesAFailedPart() {
  // Abort the first PUT of part 2 and let every later one through. The route stays until the
  // upload is done: unrouting while requests are paused loses their network events. (Routed
  // requests carry their bodies over the DevTools protocol, which makes this upload slower.)
  const part2Puts = [];
  const isPart2 = (url) => url.origin === dev.storeOrigin && url.searchParams.get('partNumber') === '2';
  const handler = async (route) => {
    const request = route.request();
    if (request.method() !== 'PUT') {
      await route.continue();
      return;
    }
    part2Puts.push(request.url());
    if (part2Puts.length === 1) {
      await route.abort('failed');
    } else {
      await route.continue();
    }
  };
  await context.route(isPart2, handler);
  try {
    await page.getByTestId('file-input').setInputFiles(files.big.path);
    const { seen } = await waitAllDone(page, [files.big.name], 150000);
    const row = await settledRow(page, files.big.name);
    assert(row.status === 'done' && row.progress === 100, `big: ${JSON.stringify(row)}`);
    const between = [...seen[files.big.name]].filter((v) => v > 0 && v < 100);
    assert(between.length > 0, `the bar moved between 0 and 100: ${[...seen[files.big.name]]}`);
  } finally {
    await context.unroute(isPart2, handler);
  }
  assert(part2Puts.length === 2, `part 2 sent twice (failed once, then retried): ${part2Puts.length}`);
  const aborted = part2Puts[0];
  const created = createdUploads(files.big.name);
  assert(created.length === 1 && created[0].method === 'MULTIPART', `big: ${JSON.stringify(created)}`);
  const { partSize, partCount } = created[0].multipart;
  assert(partCount === Math.ceil(files.big.bytes.length / partSize) && partCount >= 3, `parts: ${partCount}`);
  const { writes } = assertBytesWentToStore(files.big);
  const parts = new Map();
  for (const w of writes) {
    const n = Number(new URL(w.url).searchParams.get('partNumber'));
    parts.set(n, [...(parts.get(n) ?? []), w]);
  }
  const expectedParts = Array.from({ length: partCount }, (_, i) => i + 1).join(',');
  assert([...parts.keys()].sort((a, b) => a - b).join(',') === expectedParts, `parts sent: ${[...parts.keys()]}`);
  const part2 = parts.get(2);
  assert(part2.length === 2, `part 2 sent twice (failed once, then retried): ${JSON.stringify(part2)}`);
  assert(part2[0].url === aborted, 'the aborted request is the first part 2 in the log');
  assert(part2[0].failure !== null && part2[0].status === null, `first part 2 failed: ${JSON.stringify(part2[0])}`);
  assert(part2[1].status === 200, `second part 2 succeeded: ${JSON.stringify(part2[1])}`);
  assert(
    new URL(part2[1].url).searchParams.get('uploadId') === new URL(aborted).searchParams.get('uploadId'),
    'the retry is of the same multipart upload',
  );
  for (const [n, list] of parts) {
    assert(list.at(-1).status === 200, `part ${n}: ${JSON.stringify(list)}`);
  }
  const shown = await waitGalleryImage(page, files.big.name);
  assert(shown.width === 64 && shown.height === 40, `big decoded as ${shown.width}x${shown.height}`);
  await screenshot('04-after-uploads');
}

async function noBytesWentToTheApi() {
  const uploaded = [files.sunset, files.jpeg, files.webp, files.ocean, files.small, files.notes, files.big, files.meadow];
  // The API's requests are small JSON documents; a file's bytes (a 64-byte slice from the middle
  // of each file) appear in none of them.
  const apiRequests = log.entries.filter((e) => e.origin === dev.apiOrigin);
  assert(apiRequests.length > 0, 'the API was called');
  for (const e of apiRequests) {
    assert(e.method !== 'PUT', `a PUT to the API: ${e.url}`);
    assert(Math.max(e.bodyBytes, e.contentLength) < 16 * 1024, `a big body to the API: ${JSON.stringify(e)}`);
  }
  const bodies = apiRequests.filter((e) => e.body).map((e) => e.body);
  assert(bodies.length > 0, 'the API requests with a body were logged');
  for (const f of uploaded) {
    const at = Math.floor(f.bytes.length / 2);
    const slice = f.bytes.subarray(at, at + Math.min(64, f.bytes.length - at));
    for (const body of bodies) {
      assert(body.indexOf(slice) < 0, `${f.name}'s bytes in a request to the API`);
    }
  }
  // Every URL the API handed out for bytes points at the store.
  const signed = apiAnswers.flatMap((a) => urlsIn(a.body));
  assert(signed.length > 0, 'the API signed URLs');
  for (const u of signed) {
    assert(originOf(u) === dev.storeOrigin, `the API handed out ${u}`);
  }
  // And every request with a body that was not a small JSON call went to the store.
  const writes = log.entries.filter((e) => e.method === 'PUT' || (e.method === 'POST' && e.origin !== dev.apiOrigin));
  assert(writes.length >= uploaded.length, `store writes: ${writes.length}`);
  for (const e of writes) {
    assert(e.origin === dev.storeOrigin, `bytes sent to ${e.url}`);
  }
}

function urlsIn(value) {
  if (Array.isArray(value)) {
    return value.flatMap(urlsIn);
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === 'url' && typeof v === 'string' ? [v] : urlsIn(v)));
  }
  return [];
}

async function uppyDashboardUpload() {
  // Same browser context: the onehop_token cookie from the app's sign-in is the Uppy page's user.
  const uppy = await context.newPage();
  uppy.on('pageerror', (e) => pageErrors.push(`uppy page: ${e.message}`));
  try {
    await uppy.goto(new URL('examples/uppy/', dev.url).href);
    const input = uppy.locator('.uppy-Dashboard-input').first();
    await input.waitFor({ state: 'attached', timeout: 30000 });
    assert(await uppy.getByTestId('sign-in-form').isHidden(), 'the Uppy page uses the cookie: no sign-in form');
    await input.setInputFiles(files.meadow.path);
    await uppy.locator('.uppy-StatusBar-actionBtn--upload').click();
    await uppy.waitForFunction(
      () => /uploaded/.test(document.querySelector('[data-testid=uppy-status]')?.textContent ?? ''),
      null,
      { timeout: 60000 },
    );
    const status = await uppy.getByTestId('uppy-status').textContent();
    assert(status.trim() === '1 uploaded.', `Uppy's status: ${status}`);
    await screenshot('05-uppy-dashboard', uppy);
  } finally {
    await uppy.close();
  }
  // Uppy's bytes went to the store too: its part URLs come from the API's Companion-style routes.
  const created = apiAnswers.filter((a) => a.method === 'POST' && a.path === '/s3/multipart' && a.body?.key);
  assert(created.length === 1, `one POST /s3/multipart: ${JSON.stringify(created)}`);
  const writes = storeWrites(created[0].body.key);
  assert(writes.length > 0 && writes.every((w) => w.status === 200), `Uppy's writes: ${JSON.stringify(writes)}`);
  await page.reload();
  const shown = await waitGalleryImage(page, files.meadow.name);
  assert(shown.width === 400 && shown.height === 300, `meadow decoded as ${shown.width}x${shown.height}`);
}

async function galleryAfterReload() {
  await page.reload();
  await page.locator(gallerySelector(files.big.name)).waitFor();
  const names = (await galleryNames(page)).sort();
  const expected = [files.sunset, files.jpeg, files.webp, files.ocean, files.small, files.big, files.meadow]
    .map((f) => f.name)
    .sort();
  assert(JSON.stringify(names) === JSON.stringify(expected), `gallery: ${names}, expected ${expected}`);
  await screenshot('06-gallery-after-reload');
}

async function noPageErrors() {
  assert(pageErrors.length === 0, `page errors: ${pageErrors.join('; ')}`);
}

const checks = [
  signsInAsDevUser,
  uploadsThroughFileInput,
  uploadsByDragAndDrop,
  rejectsTextRenamedPng,
  refusesOverLimitBeforeSending,
  multipartRetriesAFailedPart,
  uppyDashboardUpload,
  noBytesWentToTheApi,
  galleryAfterReload,
  noPageErrors,
];

let passed = 0;
let failed = 0;
const started = Date.now();
try {
  for (const check of checks) {
    const t0 = Date.now();
    try {
      await check();
      passed++;
      console.log(`ok    ${check.name.padEnd(34)} ${((Date.now() - t0) / 1000).toFixed(2)}s`);
    } catch (e) {
      failed++;
      console.log(`FAIL  ${check.name}\n${e.stack}`);
      await screenshot(`failed-${check.name}`).catch(() => {});
      // Later checks build on this one's page: stop here.
      break;
    }
  }
} finally {
  await browser.close().catch(() => {});
  const code = await dev.stop();
  if (failed > 0 || code !== 0) {
    copyFileSync(dev.stderrFile, join(artifacts, 'dev.stderr'));
    console.log(`onehop dev exited with ${code}; its stderr is in ${join(artifacts, 'dev.stderr')}`);
  }
  rmSync(dev.tmp, { recursive: true, force: true });
  rmSync(filesDir, { recursive: true, force: true });
}
const skipped = checks.length - passed - failed;
console.log(`screenshots in ${artifacts}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
