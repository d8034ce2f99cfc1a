// The details tab: the selected entity (properties, aliases, sources), edge (type, validity,
// weight, properties, sources via GetEdges) or hub aggregate (buttons to draw more).

import { call } from './api.js';
import { formatCount, formatInterval, formatValue, h, linkOrText } from './dom.js';
import { PAGE_SIZE, MAX_DRAWN_NODES } from './explorer.js';
import { swatch } from './palette.js';

export class DetailsPanel {
  /**
   * @param {HTMLElement} container
   * @param {{schema: object, messages: object, actions: {focus, expand, expandAggregate, pathFrom, pathTo, selectNode}}} options
   */
  constructor(container, { schema, messages, actions }) {
    this.container = container;
    this.messages = messages;
    this.actions = actions;
    this.kindSpecs = new Map((schema.nodeKinds ?? []).map((k) => [k.name, k]));
    this.typeSpecs = new Map((schema.edgeTypes ?? []).map((t) => [t.name, t]));
    this.sourceTitles = new Map(); // Source node key -> {name, url}
    this.sequence = 0;
    this.clear();
  }

  clear() {
    this.sequence++;
    this.shown = null;
    this.container.replaceChildren(
      h('p', { class: 'hint' }, 'Click a node or an edge of the graph to see its details here.'),
    );
  }

  /** Shows an entity (a node message). */
  async showNode(node, { expanded = false } = {}) {
    const mine = ++this.sequence;
    this.shown = { node, expanded };
    const spec = this.kindSpecs.get(node.kind);
    const props = Object.entries(node.properties ?? {});
    const sources = h('div', {}, this.#citations(node.sources));
    this.container.replaceChildren(
      h('div', { class: 'details', 'data-testid': 'details-node', dataset: { key: node.key } },
        h('h3', {}, swatch(node.kind, 18), ' ', node.name),
        h('div', { class: 'meta' }, h('span', { class: 'badge' }, node.kind), ' ', h('code', {}, node.key), ` · id ${node.id}`),
        h('div', { class: 'button-row' },
          h('button', { onclick: () => this.actions.focus(node) }, 'Focus here'),
          expanded ? null : h('button', { onclick: () => this.actions.expand(node) }, 'Expand'),
          h('button', { onclick: () => this.actions.pathFrom(node) }, 'Path from'),
          h('button', { onclick: () => this.actions.pathTo(node) }, 'Path to')),
        node.aliases?.length
          ? section('Aliases', h('ul', { class: 'plain' }, node.aliases.map((a) => h('li', {}, a))))
          : null,
        section('Properties', props.length
          ? table(props.map(([name, value]) => [name, formatValue(value), describeProperty(spec, name)]))
          : h('p', { class: 'hint' }, 'none')),
        section('Sources', sources)),
    );
    await this.#resolveSources(node.sources, mine, sources);
  }

  /** Shows an edge: its full record comes from GetEdges. */
  /** A node's new state (a live update): shown again when it is the one shown. */
  nodeChanged(node) {
    if (this.shown && String(this.shown.node.id) === String(node.id)) {
      this.showNode(node, { expanded: this.shown.expanded });
    }
  }

  async showEdge(edgeId, endpoints) {
    const mine = ++this.sequence;
    this.shown = null;
    this.container.replaceChildren(h('p', { class: 'hint' }, 'Loading the edge…'));
    let edge;
    try {
      edge = (await call('GetEdges', { ids: [String(edgeId)] })).edges[0];
    } catch (err) {
      if (mine === this.sequence) this.clear();
      this.messages.error(err, 'Loading the edge');
      return;
    }
    if (mine !== this.sequence) return;
    const spec = this.typeSpecs.get(edge.type);
    const from = endpoints.from ?? { name: edge.fromKey, key: edge.fromKey };
    const to = endpoints.to ?? { name: edge.toKey, key: edge.toKey };
    const arrow = spec?.symmetric ? '—' : '→';
    const props = Object.entries(edge.properties ?? {});
    const sources = h('div', {}, this.#citations(edge.sources));
    const endpoint = (n) =>
      h('button', { class: 'link', onclick: () => this.actions.selectNode(n) }, n.name);
    this.container.replaceChildren(
      h('div', { class: 'details', 'data-testid': 'details-edge', dataset: { id: edge.id } },
        h('h3', {}, edge.type),
        h('p', { class: 'edge-ends' }, endpoint(from), ` ${arrow} `, endpoint(to)),
        spec?.description ? h('p', { class: 'hint' }, spec.description) : null,
        table([
          ['valid from', edge.validFrom || '(open)'],
          ['valid to', edge.validTo || '(open)'],
          ['validity', formatInterval(edge.validFrom, edge.validTo, spec?.temporal)],
          ['weight', String(edge.weight || 1)],
          ['id', edge.key ? `${edge.id} (key ${edge.key})` : edge.id],
        ], 'data-testid', 'edge-facts'),
        section('Properties', props.length
          ? table(props.map(([name, value]) => [name, formatValue(value), describeProperty(spec, name)]))
          : h('p', { class: 'hint' }, 'none')),
        section('Sources', sources)),
    );
    await this.#resolveSources(edge.sources, mine, sources);
  }

  /** Shows a hub aggregate and the ways to draw its members. */
  showAggregate(aggregate, parentName) {
    this.sequence++;
    this.shown = null;
    const { kind, remaining, total } = aggregate.data();
    this.container.replaceChildren(
      h('div', { class: 'details', 'data-testid': 'details-aggregate' },
        h('h3', {}, swatch(kind, 18), ` ${formatCount(remaining)} ${kind}`),
        h('p', {}, `${formatCount(remaining)} of the ${formatCount(total)} ${kind} neighbours of ${parentName} are not drawn.`),
        h('div', { class: 'button-row' },
          h('button', { 'data-testid': 'aggregate-next', onclick: () => this.actions.expandAggregate(aggregate, false) },
            `Draw the next ${PAGE_SIZE}`),
          h('button', { 'data-testid': 'aggregate-all', onclick: () => this.actions.expandAggregate(aggregate, true) },
            `Draw all (at most ${MAX_DRAWN_NODES} entities in view)`))),
    );
  }

  #citations(citations = []) {
    if (!citations.length) return h('p', { class: 'hint' }, 'No source cited.');
    return h('ol', { class: 'citations' }, citations.map((c) =>
      h('li', { dataset: { source: c.source } },
        h('span', { class: 'citation-source' }, linkOrText(c.source)),
        c.locator ? h('div', { class: 'citation-locator' }, c.locator) : null)));
  }

  // Replaces Source node keys by the documents' titles (and links), once known.
  async #resolveSources(citations = [], mine, target) {
    const keys = [...new Set(citations.map((c) => c.source))]
      .filter((s) => !/^https?:\/\//.test(s) && !this.sourceTitles.has(s));
    if (keys.length) {
      try {
        const answer = await call('GetNodes', { nodes: keys.map((key) => ({ key })), allowMissing: true });
        for (const n of answer.nodes ?? []) {
          this.sourceTitles.set(n.key, { name: n.name, url: n.properties?.url?.stringValue ?? '' });
        }
      } catch (err) {
        this.messages.error(err, 'Loading the sources');
        return;
      }
    }
    if (mine !== this.sequence) return;
    for (const li of target.querySelectorAll('li[data-source]')) {
      const known = this.sourceTitles.get(li.dataset.source);
      if (!known) continue;
      const parts = [h('strong', {}, known.name), h('div', { class: 'citation-key' }, li.dataset.source)];
      if (known.url) parts.splice(1, 0, h('div', {}, linkOrText(known.url)));
      li.querySelector('.citation-source').replaceChildren(...parts);
    }
  }
}

function section(title, body) {
  return h('section', { class: 'details-section' }, h('h4', {}, title), body);
}

function table(rows, attr, value) {
  return h('table', { class: 'facts', ...(attr ? { [attr]: value } : {}) },
    h('tbody', {}, rows.map(([name, val, title]) =>
      h('tr', {}, h('th', { title: title || null }, name), h('td', {}, val)))));
}

function describeProperty(spec, name) {
  return spec?.properties?.find((p) => p.name === name)?.description ?? '';
}
