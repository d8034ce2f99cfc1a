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

  test('changes made on the server appear live, without a reload', { timeout: 60000 }, async () => {
    const RENAMED = '岳麓山实验室（更新）';
    const labelOf = (key) => window.__innograph.cy.nodes().filter((n) => n.data('key') === key).map((n) => n.data('label'))[0] ?? null;
    await page.getByTestId('tab-details').click();
    await pickSuggestion(page, 'search-input', '邹学校', ZOU);
    await page.waitForFunction((k) => window.__innograph.explorer.root?.key === k, ZOU);
    await waitForNode(page, YUELU);
    await idle(page);
    assert.ok(await page.getByTestId('time-any').isChecked(), 'the view is at "any time"');
    const status = page.getByTestId('live-status');
    await page.waitForFunction(() => document.querySelector('[data-testid="live-status"]')?.textContent === 'live');
    assert.equal(await status.getAttribute('data-state'), 'live');
    assert.ok(await status.isVisible());
    // Marks the page and the view: neither a page load nor a rebuilt view may happen below.
    const generation = await page.evaluate(() => {
      window.__liveMarker = 'same page';
      return window.__innograph.explorer.generation;
    });
    const unchanged = async () => {
      const now = await page.evaluate(() => [window.__liveMarker, window.__innograph.explorer.generation]);
      assert.deepEqual(now, ['same page', generation], 'updated in place');
    };

    // Rename the laboratory: the whole node, fetched first, with only its name changed.
    let res = await api(server.url, 'GetNodes', { nodes: [{ key: YUELU }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const lab = res.body.nodes[0];
    assert.equal(lab.kind, 'Laboratory');
    assert.notEqual(await page.evaluate(labelOf, YUELU), RENAMED);
    res = await api(server.url, 'UpsertNodes', { nodes: [{ ...lab, name: RENAMED }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.created ?? 0, 0, 'an update, not a new node');
    await page.waitForFunction(([k, label]) => {
      const n = window.__innograph.cy.nodes().filter((x) => x.data('key') === k)[0];
      return n?.data('label') === label && n.data('name') === label;
    }, [YUELU, RENAMED], { timeout: 5000 });
    res = await api(server.url, 'GetNodes', { nodes: [{ key: YUELU }] });
    assert.deepEqual({ ...res.body.nodes[0], name: lab.name }, lab, 'only the name changed');
    await unchanged();
    await screenshot(page, '17-live-renamed');

    // A new edge between two drawn entities appears.
    const membership = ['MEMBER_OF', ZOU, YUELU];
    assert.ok(await page.evaluate(EDGE_ABSENT, membership));
    res = await api(server.url, 'UpsertEdges', {
      edges: [{ type: 'MEMBER_OF', fromKey: ZOU, toKey: YUELU, validFrom: '2030', properties: { role: { stringValue: 'live test' } } }],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [edgeId] = res.body.ids;
    await page.waitForFunction(EDGE_PRESENT, membership, { timeout: 5000 });
    assert.ok(await page.evaluate((id) => window.__innograph.cy.getElementById(`e${id}`).nonempty(), edgeId));
    assert.equal(await page.evaluate((id) => window.__innograph.cy.getElementById(`e${id}`).data('validFrom'), edgeId), '2030-01-01');
    await unchanged();
    await screenshot(page, '18-live-edge-added');

    // Deleted, it disappears; the entities stay.
    res = await api(server.url, 'DeleteEdges', { ids: [edgeId] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await page.waitForFunction(EDGE_ABSENT, membership, { timeout: 5000 });
    const keys = await drawnKeys(page);
    assert.ok(keys.includes(ZOU) && keys.includes(YUELU), keys.join());
    assert.ok(await page.evaluate(EDGE_PRESENT, ['HEADS', ZOU, YUELU]), 'the other edge stays');
    assert.equal(await page.evaluate(labelOf, YUELU), RENAMED);
    await unchanged();
    assert.equal(await status.textContent(), 'live');
    await screenshot(page, '19-live-edge-deleted');
  });

  test('after an interruption the feed resumes where it stopped; missed changes arrive', { timeout: 60000 }, async () => {
    const ORIGINAL = '岳麓山实验室';
    const watches = [];
    const onRequest = (req) => {
      if (new URL(req.url()).pathname.endsWith('/api/v1/watch')) watches.push(req.url());
    };
    page.on('request', onRequest);
    const generation = await page.evaluate(() => window.__innograph.explorer.generation);
    // The connection drops and the server cannot be reached for a while.
    await page.route('**/api/v1/watch*', (route) => route.abort('connectionrefused'));
    await page.evaluate(() => {
      const source = window.__innograph.live.source;
      source.onerror(new Event('error'));
    });
    const status = page.getByTestId('live-status');
    await page.waitForFunction(() => document.querySelector('[data-testid="live-status"]')?.dataset.state === 'reconnecting');
    assert.equal(await status.textContent(), 'reconnecting…');
    await screenshot(page, '20-live-reconnecting');

    // Meanwhile the laboratory gets its name back.
    let res = await api(server.url, 'GetNodes', { nodes: [{ key: YUELU }] });
    res = await api(server.url, 'UpsertNodes', { nodes: [{ ...res.body.nodes[0], name: ORIGINAL }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await new Promise((r) => setTimeout(r, 800));
    assert.notEqual(
      await page.evaluate((k) => window.__innograph.cy.nodes().filter((n) => n.data('key') === k)[0].data('label'), YUELU),
      ORIGINAL,
      'not connected: not updated yet',
    );

    await page.unroute('**/api/v1/watch*');
    await page.waitForFunction(([k, label]) =>
      window.__innograph.cy.nodes().filter((n) => n.data('key') === k)[0]?.data('label') === label, [YUELU, ORIGINAL], { timeout: 15000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="live-status"]')?.textContent === 'live');
    page.off('request', onRequest);
    assert.ok(watches.length >= 2, watches.join(' '));
    assert.ok(watches.every((u) => /[?&]start_after=\d+/.test(u)), `resumed with start_after: ${watches.join(' ')}`);
    assert.equal(await page.evaluate(() => window.__innograph.explorer.generation), generation, 'updated in place');
    await screenshot(page, '21-live-resumed');
  });

  test('live: a new neighbour appears, a deleted one disappears, a burst comes in few batches', { timeout: 60000 }, async () => {
    const NEWCOMER = 'person/live-newcomer';
    const live = () => page.evaluate(() => ({ ...window.__innograph.live.stats }));
    let res = await api(server.url, 'UpsertNodes', { nodes: [{ key: NEWCOMER, kind: 'Person', name: '实时新人' }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!(await drawnKeys(page)).includes(NEWCOMER), 'not connected to the view: not drawn');
    res = await api(server.url, 'UpsertEdges', { edges: [{ type: 'COLLABORATES_WITH', fromKey: NEWCOMER, toKey: ZOU, validFrom: '2024' }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await waitForNode(page, NEWCOMER);
    await page.waitForFunction(EDGE_PRESENT, ['COLLABORATES_WITH', NEWCOMER, ZOU]);
    await idle(page);
    await screenshot(page, '22-live-new-neighbour');
    res = await api(server.url, 'DeleteNodes', { nodes: [{ key: NEWCOMER }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await waitForNode(page, NEWCOMER, false);
    assert.ok(await page.evaluate(EDGE_ABSENT, ['COLLABORATES_WITH', NEWCOMER, ZOU]));

    // 60 commits in a row: applied in a few batches, the last name wins.
    const before = await live();
    const { body } = await api(server.url, 'GetNodes', { nodes: [{ key: YUELU }] });
    const lab = body.nodes[0];
    for (let i = 1; i <= 60; i++) {
      res = await api(server.url, 'UpsertNodes', { nodes: [{ ...lab, name: `${lab.name} #${i}` }] });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    await page.waitForFunction(([k, label]) =>
      window.__innograph.cy.nodes().filter((n) => n.data('key') === k)[0]?.data('label') === label, [YUELU, `${lab.name} #60`]);
    const after = await live();
    assert.ok(after.events - before.events >= 60, `${after.events - before.events} events`);
    assert.ok(after.applied - before.applied <= 6, `${after.applied - before.applied} batches`);
    assert.equal(after.reloads, before.reloads);
    res = await api(server.url, 'UpsertNodes', { nodes: [lab] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await page.waitForFunction(([k, label]) =>
      window.__innograph.cy.nodes().filter((n) => n.data('key') === k)[0]?.data('label') === label, [YUELU, lab.name]);
  });

  test('live: a resume point the server does not have restarts the feed and reloads the view', STEP, async () => {
    const generation = await page.evaluate(() => window.__innograph.explorer.generation);
    const watches = [];
    const onRequest = (req) => {
      if (new URL(req.url()).pathname.endsWith('/api/v1/watch')) watches.push(req.url());
    };
    page.on('request', onRequest);
    await page.evaluate(() => {
      const live = window.__innograph.live;
      live.lastSequence = '999999999'; // After the newest change: 400 INVALID_ARGUMENT.
      live.source.onerror(new Event('error'));
    });
    await page.waitForFunction((g) => window.__innograph.explorer.generation > g, generation);
    await idle(page);
    await page.waitForFunction(() => document.querySelector('[data-testid="live-status"]')?.textContent === 'live');
    page.off('request', onRequest);
    assert.ok(watches.some((u) => !u.includes('start_after')), watches.join(' '));
    const keys = await drawnKeys(page);
    assert.ok(keys.includes(ZOU) && keys.includes(YUELU), keys.join());
    assert.notEqual(await page.evaluate(() => window.__innograph.live.lastSequence), '999999999');
  });

  test('live: when the focused entity is deleted the view is cleared and says so', STEP, async () => {
    const DOOMED = 'person/live-doomed';
    let res = await api(server.url, 'UpsertNodes', { nodes: [{ key: DOOMED, kind: 'Person', name: '将被删除' }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    res = await api(server.url, 'UpsertEdges', { edges: [{ type: 'COLLABORATES_WITH', fromKey: DOOMED, toKey: ZOU }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await page.evaluate((k) => (location.hash = `node=${k}`), DOOMED);
    await page.waitForFunction((k) => window.__innograph.explorer.root?.key === k, DOOMED);
    await waitForNode(page, ZOU);
    await idle(page);
    res = await api(server.url, 'DeleteNodes', { nodes: [{ key: DOOMED }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await page.waitForFunction(() => window.__innograph.cy.nodes().length === 0 && !window.__innograph.explorer.root);
    await page.locator('[data-testid="message-info"]', { hasText: DOOMED }).waitFor();
    await screenshot(page, '23-live-focus-deleted');
  });

  test('without a change feed on the server the page shows no indicator and does not insist', STEP, async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const other = await context.newPage();
    const errors = [];
    other.on('pageerror', (err) => errors.push(err.message));
    let asked = 0;
    await other.route('**/api/v1/watch*', (route) => {
      asked++;
      return route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({ code: 5, status: 'NOT_FOUND', message: 'no resource at /api/v1/watch' }),
      });
    });
    try {
      await other.goto(`${server.url}/#node=${ZOU}`);
      await other.waitForFunction((k) => window.__innograph?.explorer.root?.key === k, ZOU);
      await idle(other);
      await other.waitForTimeout(2500);
      assert.ok(asked >= 1 && asked <= 2, `${asked} requests to /api/v1/watch`);
      assert.equal(await other.evaluate(() => window.__innograph.live.state), 'off');
      assert.ok(!(await other.getByTestId('live-status').isVisible()));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('no script error happened on the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
