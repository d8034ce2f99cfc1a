// Headless Chromium (Debian's, not a downloaded one) through playwright-core, and the helpers the
// dashboard tests share: screenshots into the artifacts folder, and reading or clicking the
// graph through window.__innograph.cy.
//
//   INNOGRAPH_CHROMIUM    the browser (default /usr/bin/chromium)
//   INNOGRAPH_ARTIFACTS   where screenshots and downloads go (default web/test-artifacts)

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

import { WEB_DIR } from './server.mjs';

export const ARTIFACTS = process.env.INNOGRAPH_ARTIFACTS || join(WEB_DIR, 'test-artifacts');

export async function launchBrowser() {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.INNOGRAPH_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** Keys of the drawn entities (aggregates excluded). */
export function drawnKeys(page) {
  return page.evaluate(() =>
    window.__innograph.cy.nodes().not('.aggregate').map((n) => n.data('key')),
  );
}

/** Waits until the dashboard is idle (no request of the view in flight). */
export async function idle(page) {
  await page.waitForFunction(() => document.body.dataset.ready === 'true' && !document.body.dataset.busy);
}

/** Waits until a node with this key is drawn (or, with present=false, is not). */
export async function waitForNode(page, key, present = true) {
  await page.waitForFunction(
    ([k, p]) => window.__innograph.cy.nodes().some((n) => n.data('key') === k) === p,
    [key, present],
  );
}

/** True when an edge of `type` from `fromKey` to `toKey` is drawn. */
export const EDGE_PRESENT = ([type, fromKey, toKey]) =>
  window.__innograph.cy
    .edges()
    .some((e) => e.data('type') === type && e.source().data('key') === fromKey && e.target().data('key') === toKey);

/** True when no such edge is drawn. */
export const EDGE_ABSENT = ([type, fromKey, toKey]) =>
  !window.__innograph.cy
    .edges()
    .some((e) => e.data('type') === type && e.source().data('key') === fromKey && e.target().data('key') === toKey);

/** Clicks a drawn element (a node by key, or any element by id) where it is drawn on screen. */
export async function clickElement(page, { key, id }) {
  const point = await page.evaluate(
    ([k, i]) => {
      const cy = window.__innograph.cy;
      const el = i ? cy.getElementById(i) : cy.nodes().filter((n) => n.data('key') === k)[0];
      if (!el || el.empty()) return null;
      const box = cy.container().getBoundingClientRect();
      const p = el.isNode() ? el.renderedPosition() : el.renderedMidpoint();
      return { x: box.left + p.x, y: box.top + p.y };
    },
    [key ?? null, id ?? null],
  );
  if (!point) throw new Error(`nothing drawn for ${key ?? id}`);
  await page.mouse.click(point.x, point.y);
}

/** Types into a search box and picks the suggestion with this key. */
export async function pickSuggestion(page, testid, text, key) {
  const input = page.getByTestId(testid);
  await input.fill('');
  await input.pressSequentially(text, { delay: 20 });
  const list = page.getByTestId(`${testid}-suggestions`);
  const item = list.locator(`[data-testid="suggestion-item"][data-key="${key}"]`);
  await item.waitFor({ state: 'visible' });
  await item.click();
}
