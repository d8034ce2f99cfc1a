// The dashboard in headless Chromium against the real server seeded with the Hunan demo data.
// The steps share one page and run in order, as a person would use it; each leaves a screenshot
// in the artifacts folder.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  ARTIFACTS,
  EDGE_ABSENT,
  EDGE_PRESENT,
  clickElement,
  drawnKeys,
  idle,
  launchBrowser,
  pickSuggestion,
  screenshot,
  waitForNode,
} from './support/browser.mjs';
import { api, startServer } from './support/server.mjs';

const STEP = { timeout: 30000 };
const ZOU = 'person/zou-xuexiao';
const CHEN = 'person/chen-xiaohong';
const YUELU = 'lab/yuelu-mountain';
const HUB = 'lab/test-hub';
const HUB_MEMBERS = 300;

describe('dashboard', () => {
  let server;
  let browser;
  let page;
  const pageErrors = [];

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    context.setDefaultTimeout(10000);
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(server.url);
    await idle(page);
  }, { timeout: 60000 });

  after(async () => {
    await browser?.close();
    await server?.stop();
  }, { timeout: 30000 });

  test('the page loads with its title, legend and filters from the schema', STEP, async () => {
    assert.equal(await page.title(), 'innograph — Hunan innovation graph');
    const { body } = await api(server.url, 'GetSchema');
    const kinds = body.schema.nodeKinds.map((k) => k.name);
    for (const kind of kinds) await page.getByTestId(`kind-filter-${kind}`).waitFor();
    assert.equal(await page.locator('input[name="kind"]').count(), kinds.length);
    assert.equal(await page.locator('input[name="type"]').count(), body.schema.edgeTypes.length);
    assert.equal(await page.locator('.kind-list svg.swatch').count(), kinds.length, 'a legend swatch per kind');
    await screenshot(page, '01-start');
  });

  test('English search suggests the academician with name, kind and key', STEP, async () => {
    const input = page.getByTestId('search-input');
    await input.pressSequentially('Zou', { delay: 20 });
    const item = page.locator(`[data-testid="search-input-suggestions"] [data-key="${ZOU}"]`);
    await item.waitFor({ state: 'visible' });
    const text = await item.textContent();
    assert.match(text, /邹学校/);
    assert.match(text, /Person/);
    assert.match(text, /person\/zou-xuexiao/);
    await screenshot(page, '02-suggestions');
  });

  test('picking 邹学校 draws her laboratory and shows her details', STEP, async () => {
    await pickSuggestion(page, 'search-input', '邹学校', ZOU);
    await waitForNode(page, YUELU);
    await idle(page);
    const keys = await drawnKeys(page);
    assert.ok(keys.includes(ZOU) && keys.includes('univ/hunan-agricultural') && keys.includes('academy/cae'), keys.join());
    const details = page.getByTestId('details-node');
    await details.waitFor();
    assert.equal(await details.getAttribute('data-key'), ZOU);
    assert.match(await details.textContent(), /pepper breeding/);
    // Citations resolve to the source documents' titles.
    await page.locator('[data-testid="details-node"] .citations strong').first().waitFor();
    await screenshot(page, '03-neighbourhood');
  });

  test('clicking the laboratory expands it', STEP, async () => {
    const before = (await drawnKeys(page)).length;
    await clickElement(page, { key: YUELU });
    await waitForNode(page, 'topic/seed-industry');
    await idle(page);
    const keys = await drawnKeys(page);
    assert.ok(keys.length > before, `${keys.length} > ${before}`);
    assert.ok(keys.includes('person/wan-jianmin'));
    assert.equal(await page.getByTestId('details-node').getAttribute('data-key'), YUELU);
    await screenshot(page, '04-expanded-lab');
  });

  test('clicking an edge shows its type, validity, weight and sources', STEP, async () => {
    const id = await page.evaluate(() =>
      window.__innograph.cy.edges().filter((e) => e.data('type') === 'MEMBER_OF' && e.source().data('key') === 'person/zou-xuexiao')[0].id());
    await clickElement(page, { id });
    const details = page.getByTestId('details-edge');
    await details.waitFor();
    const text = await details.textContent();
    assert.match(text, /MEMBER_OF/);
    assert.match(text, /2017-01-01/);
    assert.match(text, /weight1/);
    assert.match(text, /academician table/);
    await screenshot(page, '05-edge-details');
  });

  test('the time slider redraws the network at a date', STEP, async () => {
    // HEADS Hunan Agricultural University is valid from 2018; HEADS HAAS until 2018.
    const agricultural = ['HEADS', ZOU, 'univ/hunan-agricultural'];
    const haas = ['HEADS', ZOU, 'inst/haas'];
    assert.ok(await page.evaluate(EDGE_PRESENT, agricultural));
    await page.getByTestId('time-slider').fill('2010');
    await page.waitForFunction(EDGE_ABSENT, agricultural);
    await idle(page);
    assert.ok(await page.evaluate(EDGE_PRESENT, haas), 'HAAS presidency drawn in 2010');
    assert.match(await page.getByTestId('time-label').textContent(), /2010/);
    assert.match(await page.getByTestId('graph-status').textContent(), /as of 2010-12-31/);
    await screenshot(page, '06-as-of-2010');

    await page.getByTestId('time-slider').fill('2023');
    await page.waitForFunction(EDGE_PRESENT, agricultural);
    await idle(page);
    assert.ok(!(await page.evaluate(EDGE_PRESENT, haas)), 'HAAS presidency gone in 2023');
    await screenshot(page, '07-as-of-2023');

    await page.getByTestId('time-any').check();
    await page.waitForFunction(EDGE_PRESENT, haas);
    await idle(page);
    assert.ok(await page.evaluate(EDGE_PRESENT, agricultural));
  });

  test('unticking a node kind or an edge type hides it; ticking it brings it back', STEP, async () => {
    const topics = ['topic/pepper-breeding', 'topic/seed-industry'];
    const drawnTopics = async () => (await drawnKeys(page)).filter((k) => topics.includes(k));
    assert.deepEqual((await drawnTopics()).sort(), topics);
    await page.getByTestId('kind-filter-Topic').uncheck();
    await waitForNode(page, 'topic/pepper-breeding', false);
    await idle(page);
    assert.deepEqual(await drawnTopics(), []);
    assert.ok((await drawnKeys(page)).includes(YUELU), 'other kinds stay');
    await screenshot(page, '08-kind-filter');
    await page.getByTestId('kind-filter-Topic').check();
    await waitForNode(page, 'topic/seed-industry');

    await page.getByTestId('type-filter-HEADS').uncheck();
    await page.waitForFunction(EDGE_ABSENT, ['HEADS', ZOU, YUELU]);
    await idle(page);
    assert.ok(!(await page.evaluate(() => window.__innograph.cy.edges().some((e) => e.data('type') === 'HEADS'))));
    await page.getByTestId('type-filter-HEADS').check();
    await page.waitForFunction(EDGE_PRESENT, ['HEADS', ZOU, YUELU]);
    // The laboratory comes back expanded, as it was.
    await waitForNode(page, 'person/wan-jianmin');
    await idle(page);
  });

  test('"How are these connected?" lists and highlights the paths', STEP, async () => {
    await page.getByTestId('tab-paths').click();
    await pickSuggestion(page, 'path-from-input', '邹学校', ZOU);
    await pickSuggestion(page, 'path-to-input', 'Chen Xiaohong', CHEN);
    await page.getByTestId('path-k').selectOption('3');
    await page.getByTestId('path-find').click();
    const first = page.getByTestId('path-result').first();
    await first.waitFor();
    const text = await first.textContent();
    assert.match(text, /邹学校/);
    assert.match(text, /陈晓红/);
    assert.match(text, /MEMBER_OF/);
    assert.match(text, /since 2017-01-01/);
    const count = await page.getByTestId('path-result').count();
    assert.ok(count >= 1 && count <= 3, `${count} paths`);
    await page.waitForFunction(([a, b]) => {
      const highlighted = window.__innograph.cy.nodes('.path').map((n) => n.data('key'));
      return highlighted.includes(a) && highlighted.includes(b);
    }, [ZOU, CHEN]);
    assert.ok(await page.evaluate(() => window.__innograph.cy.edges('.path').length >= 2));
    await screenshot(page, '09-paths');
  });

  test('the rankings list brokers and central entities; a row focuses its entity', STEP, async () => {
    await page.getByTestId('tab-rankings').click();
    const rows = page.getByTestId('rank-row');
    await rows.first().waitFor();
    assert.ok((await rows.count()) >= 10);
    await screenshot(page, '10-rankings-betweenness');
    await page.getByTestId('rank-measure').selectOption('MEASURE_PAGERANK');
    await page.locator('[data-testid="rank-table"][data-measure="MEASURE_PAGERANK"]').waitFor();
    const second = rows.nth(1);
    const key = await second.getAttribute('data-key');
    await second.click();
    await page.waitForFunction((k) => window.__innograph.explorer.root?.key === k &&
      window.__innograph.cy.nodes('.root').some((n) => n.data('key') === k), key);
    await idle(page);
    assert.ok((await drawnKeys(page)).length > 1);
    await screenshot(page, '11-rankings-focus');
  });

  test('the overview shows counts per kind and type and a degree distribution', STEP, async () => {
    await page.getByTestId('tab-overview').click();
    const person = page.locator('[data-testid="overview-kinds"] tr[data-name="Person"]');
    await person.waitFor();
    assert.equal(await person.getAttribute('data-count'), '16');
    assert.equal(await page.locator('[data-testid="overview-types"] tr[data-name="HEADS"]').getAttribute('data-count'), '13');
    assert.match(await page.getByTestId('overview-totals').textContent(), /72 nodes.*81 edges/s);
    const bars = await page.locator('[data-testid="degree-chart"] rect.bar').count();
    assert.ok(bars >= 3, `${bars} bars`);
    await screenshot(page, '12-overview');
  });

  test('the view exports as PNG and as GraphML', STEP, async () => {
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
    assert.match(png.suggestedFilename(), /\.png$/);
    const pngPath = join(ARTIFACTS, 'export.png');
    await png.saveAs(pngPath);
    assert.deepEqual([...readFileSync(pngPath).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    const [graphml] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-graphml').click()]);
    assert.match(graphml.suggestedFilename(), /\.graphml$/);
    const xmlPath = join(ARTIFACTS, 'export.graphml');
    await graphml.saveAs(xmlPath);
    const xml = readFileSync(xmlPath, 'utf8');
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      const cy = window.__innograph.cy;
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        nodes: doc.getElementsByTagName('node').length,
        edges: doc.getElementsByTagName('edge').length,
        keys: [...doc.querySelectorAll('node > data[key="key"]')].map((d) => d.textContent),
        drawnNodes: cy.nodes().not('.aggregate').length,
        drawnEdges: cy.edges().not('.aggregate-edge').length,
      };
    }, xml);
    assert.equal(parsed.error, null);
    assert.equal(parsed.nodes, parsed.drawnNodes);
    assert.equal(parsed.edges, parsed.drawnEdges);
    assert.deepEqual(parsed.keys.sort(), (await drawnKeys(page)).sort());
  });

  test('a server error is shown in the message area', STEP, async () => {
    // SearchNodes refuses queries over 256 bytes with INVALID_ARGUMENT.
    await page.getByTestId('search-input').fill('湖'.repeat(100));
    const error = page.locator('[data-testid="message-area"] [data-testid="message-error"]');
    await error.first().waitFor();
    const text = await error.first().textContent();
    assert.match(text, /INVALID_ARGUMENT/);
    assert.match(text, /query/);
    await page.getByTestId('search-input').fill('');
    // An unknown entity in a link: NOT_FOUND.
    await page.evaluate(() => (location.hash = 'node=person/nobody-here'));
    await page.locator('[data-testid="message-error"]', { hasText: 'NOT_FOUND' }).waitFor();
    assert.match(await page.getByTestId('message-area').textContent(), /person\/nobody-here/);
    await screenshot(page, '13-error');
    // Errors can be dismissed.
    const messages = page.locator('[data-testid="message-area"] .message');
    while ((await messages.count()) > 0) await messages.first().locator('.message-close').click();
  });

  test('a hub is drawn as aggregates that open page by page', { timeout: 60000 }, async () => {
    const members = Array.from({ length: HUB_MEMBERS }, (_, i) => `person/hub-member-${String(i + 1).padStart(3, '0')}`);
    let res = await api(server.url, 'UpsertNodes', {
      nodes: [
        { key: HUB, kind: 'Laboratory', name: '测试枢纽实验室', aliases: ['Test Hub Laboratory'] },
        ...members.map((key, i) => ({ key, kind: 'Person', name: `成员 ${i + 1}`, aliases: [`Hub member ${i + 1}`] })),
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    res = await api(server.url, 'UpsertEdges', {
      edges: [
        ...members.map((key) => ({ type: 'MEMBER_OF', fromKey: key, toKey: HUB, validFrom: '2023' })),
        { type: 'LOCATED_IN', fromKey: HUB, toKey: 'region/changsha' },
        { type: 'RESEARCH_AREA', fromKey: HUB, toKey: 'topic/seed-industry' },
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));

    await page.getByTestId('tab-details').click();
    await pickSuggestion(page, 'search-input', '测试枢纽', HUB);
    const aggregateId = await page.waitForFunction(() => {
      const agg = window.__innograph.cy.nodes('.aggregate').filter((n) => n.data('kind') === 'Person')[0];
      return agg ? agg.id() : null;
    }).then((h) => h.jsonValue());
    await idle(page);
    const view = await page.evaluate((id) => {
      const cy = window.__innograph.cy;
      return { elements: cy.elements().length, label: cy.getElementById(id).data('label'), persons: cy.nodes('[kind = "Person"]').not('.aggregate').length };
    }, aggregateId);
    assert.ok(view.elements < 100, `${view.elements} elements drawn`);
    assert.match(view.label, /^300 Person/);
    assert.equal(view.persons, 0);
    // Kinds with few neighbours are drawn directly.
    const keys = await drawnKeys(page);
    assert.ok(keys.includes('region/changsha') && keys.includes('topic/seed-industry'), keys.join());
    await screenshot(page, '14-hub-aggregated');

    await clickElement(page, { id: aggregateId });
    await page.waitForFunction(() => window.__innograph.cy.nodes('[kind = "Person"]').not('.aggregate').length > 0);
    await idle(page);
    const afterPage = await page.evaluate((id) => {
      const cy = window.__innograph.cy;
      return { persons: cy.nodes('[kind = "Person"]').not('.aggregate').length, label: cy.getElementById(id).data('label') };
    }, aggregateId);
    assert.ok(afterPage.persons > 0 && afterPage.persons <= 50, `${afterPage.persons} persons after one page`);
    assert.match(afterPage.label, new RegExp(`^${HUB_MEMBERS - afterPage.persons} more Person`));
    await screenshot(page, '15-hub-one-page');

    await page.getByTestId('aggregate-all').click();
    await page.waitForFunction((n) => window.__innograph.cy.nodes('[kind = "Person"]').not('.aggregate').length === n, HUB_MEMBERS);
    await idle(page);
    assert.equal(await page.evaluate(() => window.__innograph.cy.nodes('.aggregate').length), 0);
    await screenshot(page, '16-hub-all');

    // In 2010 the memberships (from 2023) did not exist yet; they all come back at "any time".
    const personsDrawn = (n) => window.__innograph.cy.nodes('[kind = "Person"]').length === n;
    await page.getByTestId('time-slider').fill('2010');
    await page.waitForFunction(personsDrawn, 0);
    await idle(page);
    assert.ok((await drawnKeys(page)).includes('region/changsha'));
    await page.getByTestId('time-any').check();
    await page.waitForFunction(personsDrawn, HUB_MEMBERS);
    await idle(page);
  });

  test('no script error happened on the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
