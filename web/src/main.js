// The dashboard's entry point: loads the schema, builds the panels and wires them together.
// Deep link: #node=<key> focuses an entity. Changes made on the server appear live (live.js).

import './style.css';

import { call } from './api.js';
import { DetailsPanel } from './details.js';
import { h } from './dom.js';
import { Explorer, StaleView } from './explorer.js';
import { exportGraphML, exportPng } from './export.js';
import { Filters } from './filters.js';
import { GraphView } from './graph.js';
import { LiveFeed } from './live.js';
import { Messages } from './messages.js';
import { OverviewPanel } from './overview.js';
import { swatch } from './palette.js';
import { PathsPanel } from './paths.js';
import { RankingsPanel } from './rankings.js';
import { SearchBox } from './search.js';
import { Tabs } from './tabs.js';

const $ = (selector) => document.querySelector(selector);
const EXAMPLES = ['邹学校', '湘江实验室', 'Chen Xiaohong', '中南大学'];

async function start() {
  const messages = new Messages($('#messages'));
  let schema;
  try {
    schema = (await call('GetSchema', {})).schema;
  } catch (err) {
    messages.error(err, 'Loading the schema');
    return;
  }

  // Runs an action, showing its error; a view replaced meanwhile is not an error.
  const run = async (context, action) => {
    try {
      return await action();
    } catch (err) {
      if (!(err instanceof StaleView)) messages.error(err, context);
      return undefined;
    }
  };

  const filters = new Filters($('#filters'), schema, { onChange: () => run('Redrawing', onFilterChange) });
  const graph = new GraphView($('#cy'), {
    symmetricTypes: new Set((schema.edgeTypes ?? []).filter((t) => t.symmetric).map((t) => t.name)),
    onNodeTap: (el) => selectNode(el),
    onAggregateTap: (el) => run('Drawing more neighbours', () => expandAggregate(el, false)),
    onEdgeTap: (el) => {
      tabs.show('details');
      details.showEdge(el.data('edgeId'), {
        from: explorer.nodeById(el.source().data('nodeId')),
        to: explorer.nodeById(el.target().data('nodeId')),
      });
    },
    onBackgroundTap: () => graph.clearHighlight(),
  });
  const explorer = new Explorer({
    graph,
    filters,
    messages,
    kinds: (schema.nodeKinds ?? []).map((k) => k.name),
    onViewChange: updateStatus,
  });

  const focus = (node) =>
    run('Drawing the neighbourhood', async () => {
      const root = await explorer.focus({ id: node.id });
      search.setNode(root);
      history.replaceState(null, '', `#node=${encodeURIComponent(root.key)}`);
      details.showNode(root, { expanded: true });
    });

  const tabs = new Tabs($('#side-tabs'), $('#side-panels'), {
    onShow: (name) => {
      if (name === 'rankings') rankings.load();
      if (name === 'overview' && !overviewLoaded) {
        overviewLoaded = true;
        overview.load();
      }
    },
  });
  const details = new DetailsPanel(tabs.panel('details'), {
    schema,
    messages,
    actions: {
      focus: (node) => focus(node),
      expand: (node) => run('Expanding', async () => {
        await explorer.expand(node.id);
        details.showNode(node, { expanded: true });
      }),
      expandAggregate: (el, all) => run('Drawing more neighbours', () => expandAggregate(el, all)),
      pathFrom: (node) => {
        paths.setFrom(node);
        tabs.show('paths');
      },
      pathTo: (node) => {
        paths.setTo(node);
        tabs.show('paths');
      },
      selectNode: (node) => {
        const el = node.id ? graph.node(node.id) : null;
        if (el) selectNode(el, { expand: false });
      },
    },
  });
  const paths = new PathsPanel(tabs.panel('paths'), {
    schema,
    messages,
    filters,
    onPaths: (found) => {
      if (!explorer.addPaths(found)) messages.info('Some path nodes were not drawn: the view is full.');
    },
    onHighlight: (path) => graph.highlight(path.nodes.map((n) => n.id), path.steps.map((s) => s.edge.id)),
  });
  const rankings = new RankingsPanel(tabs.panel('rankings'), { messages, filters, onPick: (node) => focus(node) });
  const overview = new OverviewPanel(tabs.panel('overview'), { messages });
  let overviewLoaded = false;

  const search = new SearchBox($('#main-search'), {
    testid: 'search-input',
    placeholder: 'Search people, labs, universities, enterprises… (中文 or English)',
    label: 'Search entities',
    messages,
    onPick: (node) => {
      tabs.show('details');
      focus(node);
    },
  });

  function selectNode(el, { expand = true } = {}) {
    const node = explorer.nodeById(el.data('nodeId'));
    graph.cy.elements().unselect();
    el.select();
    tabs.show('details');
    if (!node) return;
    const expanded = el.hasClass('expanded');
    details.showNode(node, { expanded: expanded || !expand });
    if (expand && !expanded) {
      run('Expanding', async () => {
        await explorer.expand(node.id);
        details.showNode(node, { expanded: true });
      });
    }
  }

  async function expandAggregate(el, all) {
    const parent = explorer.nodeById(el.data('parentId'));
    details.showAggregate(el, parent?.name ?? 'this node');
    tabs.show('details');
    await explorer.expandAggregate(el, { all });
    if (el.inside()) details.showAggregate(el, parent?.name ?? 'this node');
    else details.clear();
  }

  async function onFilterChange() {
    if (!filters.selectsSomething()) {
      messages.info('Select at least one node kind and one edge type.');
      return;
    }
    await explorer.redraw();
    await paths.refresh();
    if (tabs.current === 'rankings') await rankings.load();
  }

  // The change feed: drawn entities follow the server's changes.
  const live = new LiveFeed({
    explorer,
    indicator: $('#live-status'),
    reload: () =>
      run('Reloading the view', async () => {
        if (!filters.selectsSomething()) return;
        await explorer.redraw();
        await paths.refresh();
      }),
    onNodeChanged: (node) => {
      details.nodeChanged(node);
      if (String(search.picked?.id) === String(node.id) && document.activeElement !== search.input) search.setNode(node);
    },
    onRootDeleted: (key) => {
      details.clear();
      messages.info(`${key} was deleted on the server.`);
    },
  });

  function updateStatus() {
    const cy = graph.cy;
    const entities = cy.nodes().not('.aggregate');
    const aggregates = cy.nodes('.aggregate');
    const links = cy.edges().not('.aggregate-edge');
    $('#empty-hint').hidden = cy.nodes().length > 0;
    $('#graph-status').textContent =
      `${entities.length} entities, ${links.length} links drawn` +
      (aggregates.length ? `, ${aggregates.length} groups not drawn` : '') +
      ` · ${filters.describeTime()}` +
      (explorer.root ? ` · focus: ${explorer.root.name}` : '');
    const counts = new Map();
    entities.forEach((n) => counts.set(n.data('kind'), (counts.get(n.data('kind')) ?? 0) + 1));
    $('#graph-legend').replaceChildren(
      ...[...counts].map(([kind, n]) => h('div', { class: 'legend-row' }, swatch(kind), ` ${kind} `, h('span', { class: 'count' }, n))),
    );
    $('#graph-legend').hidden = counts.size === 0;
  }

  const basename = () => `innograph-${(explorer.root?.key ?? 'view').replace(/[^A-Za-z0-9_-]+/g, '-')}`;
  $('#export-png').addEventListener('click', () => run('Exporting PNG', () => exportPng(graph.cy, basename())));
  $('#export-graphml').addEventListener('click', () => run('Exporting GraphML', () => exportGraphML(graph.cy, basename())));
  $('#fit').addEventListener('click', () => graph.fit());
  $('#relayout').addEventListener('click', () => graph.layout());
  $('#examples').replaceChildren(
    ...EXAMPLES.map((text) =>
      h('button', {
        class: 'chip',
        'data-testid': 'example',
        onclick: () => run('Searching', async () => {
          const found = (await call('SearchNodes', { query: text, limit: 1 })).nodes ?? [];
          if (found.length) {
            tabs.show('details');
            await focus(found[0]);
          } else messages.info(`Nothing matches “${text}”.`);
        }),
      }, text)),
  );
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') graph.clearHighlight();
  });

  const focusFromHash = () => {
    const key = new URLSearchParams(location.hash.slice(1)).get('node');
    if (key && key !== explorer.root?.key) {
      run('Opening the link', async () => {
        const node = (await call('GetNodes', { nodes: [{ key }] })).nodes[0];
        await focus(node);
      });
    }
  };
  window.addEventListener('hashchange', focusFromHash);
  focusFromHash();
  updateStatus();

  // For tests and the console.
  window.__innograph = { cy: graph.cy, explorer, filters, call, live };
  document.body.dataset.ready = 'true';
  live.start();
}

start();
