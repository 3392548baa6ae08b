// What the browser tests do with the app's page, by the data-testid hooks of docs/web.md.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export const rowSelector = (name) => `[data-testid=file-row][data-filename="${name}"]`;
export const gallerySelector = (name) => `[data-testid=gallery-item][data-filename="${name}"]`;

export async function signIn(page, user) {
  await page.getByTestId('sign-in-form').waitFor();
  await page.getByTestId('user-input').fill(user);
  await page.getByTestId('sign-in-button').click();
  await page.getByTestId('drop-zone').waitFor();
  const shown = await page.getByTestId('user-name').textContent();
  if (!shown.includes(user)) {
    throw new Error(`signed in as ${JSON.stringify(shown)}, expected ${user}`);
  }
}

/** Drops files on the drop zone: a synthetic drop event carrying a DataTransfer built in the page. */
export async function dropFiles(page, paths, mimeTypes) {
  const files = paths.map((p, i) => ({
    name: basename(p),
    type: mimeTypes[i],
    base64: readFileSync(p).toString('base64'),
  }));
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    return dt;
  }, files);
  const zone = page.getByTestId('drop-zone');
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  await dataTransfer.dispose();
}

/** Waits until the file's row has left `uploading`, and returns what it shows. */
export async function settledRow(page, name, timeout = 120000) {
  const row = page.locator(rowSelector(name));
  await page.locator(`${rowSelector(name)}:not([data-status=uploading])`).waitFor({ timeout });
  return row.evaluate((el) => ({
    status: el.dataset.status,
    progress: el.querySelector('[data-testid=progress]')?.value ?? null,
    progressMax: el.querySelector('[data-testid=progress]')?.max ?? null,
    ariaValueNow: el.querySelector('[data-testid=progress]')?.getAttribute('aria-valuenow') ?? null,
    code: el.querySelector('[data-testid=error-message]')?.dataset.code ?? null,
    message: el.querySelector('[data-testid=error-message]')?.textContent ?? null,
  }));
}

/**
 * Samples every progress bar of the named rows until all are done, so a test can tell that the
 * bars moved and ended at 100 (not jumped from nothing to a finished row without a bar).
 */
export async function waitAllDone(page, names, timeout = 120000) {
  const start = Date.now();
  const seen = Object.fromEntries(names.map((n) => [n, new Set()]));
  for (;;) {
    const rows = await page.evaluate((list) => {
      return list.map((name) => {
        const el = document.querySelector(`[data-testid=file-row][data-filename="${name}"]`);
        const bar = el?.querySelector('[data-testid=progress]');
        return { name, status: el?.dataset.status ?? null, value: bar ? Number(bar.value) : null };
      });
    }, names);
    for (const r of rows) {
      if (r.value !== null) {
        seen[r.name].add(r.value);
      }
    }
    if (rows.every((r) => r.status !== null && r.status !== 'uploading')) {
      return { rows, seen };
    }
    if (Date.now() - start > timeout) {
      throw new Error(`uploads not settled after ${timeout} ms: ${JSON.stringify(rows)}`);
    }
    await page.waitForTimeout(50);
  }
}

export async function galleryNames(page) {
  return page.locator('[data-testid=gallery-item]').evaluateAll((items) => items.map((i) => i.dataset.filename));
}

/** Waits for the gallery item and for its <img> to have loaded real pixels from the storage. */
export async function waitGalleryImage(page, name, timeout = 30000) {
  const item = page.locator(gallerySelector(name));
  await item.waitFor({ timeout });
  await page.waitForFunction(
    (sel) => {
      const img = document.querySelector(`${sel} img`);
      return img && img.complete && img.naturalWidth > 0;
    },
    gallerySelector(name),
    { timeout },
  );
  return item.evaluate((el) => {
    const img = el.querySelector('img');
    return { src: img.currentSrc || img.src, width: img.naturalWidth, height: img.naturalHeight };
  });
}
