// What is drawn and why: the focused entity, the nodes expanded since, the pages of hub
// aggregates opened. Fetches neighbourhoods with the current filter and replays the whole view
// when the filter changes (so edges not valid at the slider's date vanish).
//
// Hubs: a node with more than HUB_THRESHOLD edges (under the filter) is not drawn in full. Its
// neighbours are counted per kind (Expand count_only, one call per kind); kinds with few
// neighbours are drawn, the others become aggregate nodes ("312 Person: expand") that draw
// PAGE_SIZE neighbours per click. At most MAX_DRAWN_NODES entities are ever drawn.

import { call } from './api.js';
import { aggregateElementId } from './graph.js';

export const HUB_THRESHOLD = 50;
export const SMALL_KIND = 8;
export const PAGE_SIZE = 25;
export const MAX_DRAWN_NODES = 600;

/** Thrown (and ignored by callers) when a newer view replaced the one being built. */
export class StaleView extends Error {
  constructor() {
    super('view replaced');
    this.name = 'StaleView';
  }
}

export class Explorer {
  /**
   * @param {{graph: import('./graph.js').GraphView, filters: import('./filters.js').Filters,
   *          messages: import('./messages.js').Messages, kinds: string[], onViewChange?: () => void}} deps
   */
  constructor({ graph, filters, messages, kinds, onViewChange }) {
    this.graph = graph;
    this.filters = filters;
    this.messages = messages;
    this.kinds = kinds;
    this.onViewChange = onViewChange;
    this.root = null;
    this.expanded = []; // Node ids in the order the user expanded them (the root first).
    this.aggregatePages = new Map(); // "parentId|kind" -> pages drawn (Infinity: all).
    this.nodes = new Map(); // id -> node message, for the details panel.
    this.generation = 0;
    this.busy = 0;
    this.inFlight = new Set();
  }

  /** Starts a new view at one entity (a NodeRef) and draws its neighbourhood. */
  async focus(ref) {
    const generation = ++this.generation;
    const node = (await this.#call('GetNodes', { nodes: [ref] }, generation)).nodes[0];
    this.root = node;
    this.expanded = [];
    this.aggregatePages.clear();
    this.graph.clear();
    this.#remember(node);
    this.graph.addNode(node).addClass('root');
    await this.expand(node.id, { generation });
    return node;
  }

  /** Adds the neighbours of a drawn node (aggregated when it is a hub). */
  async expand(nodeId, { generation = this.generation, layout = true } = {}) {
    const flight = `${generation}:${nodeId}`;
    if (this.inFlight.has(flight)) return; // A double click.
    this.inFlight.add(flight);
    try {
      const filter = this.filters.current();
      const first = await this.#call(
        'Neighbors',
        { node: { id: nodeId }, filter, limit: HUB_THRESHOLD },
        generation,
      );
      if (!this.expanded.includes(nodeId)) this.expanded.push(nodeId);
      if (first.nextPageToken) {
        await this.#drawHub(nodeId, filter, generation);
      } else {
        this.#draw(nodeId, first.neighbors ?? []);
      }
      this.graph.node(nodeId)?.addClass('expanded');
      if (layout) this.#settle();
    } finally {
      this.inFlight.delete(flight);
    }
  }

  /** Draws the next page of an aggregate's neighbours, or all of them (up to the cap). */
  async expandAggregate(aggregate, { all = false, generation = this.generation, layout = true } = {}) {
    const { parentId, kind, total } = aggregate.data();
    const flight = `${generation}:${aggregate.id()}`;
    if (this.inFlight.has(flight)) return;
    this.inFlight.add(flight);
    try {
      const filter = { ...this.filters.current(), nodeKinds: [kind] };
      let token = aggregate.data('pageToken');
      let loaded = aggregate.data('loaded') ?? 0;
      do {
        const answer = await this.#call(
          'Neighbors',
          { node: { id: parentId }, filter, limit: PAGE_SIZE, ...(token ? { pageToken: token } : {}) },
          generation,
        );
        loaded += (answer.neighbors ?? []).length;
        const added = this.#draw(parentId, answer.neighbors ?? []);
        token = answer.nextPageToken;
        if (added < 0) break; // The cap was reached.
      } while (all && token);
      const key = `${parentId}|${kind}`;
      this.aggregatePages.set(key, all ? Infinity : (this.aggregatePages.get(key) ?? 0) + 1);
      if (!token) {
        this.graph.removeAggregate(parentId, kind);
      } else {
        const remaining = Math.max(0, total - loaded);
        this.graph.setAggregate(parentId, kind, { remaining, total, pageToken: token }).data('loaded', loaded);
      }
      if (layout) this.#settle();
    } finally {
      this.inFlight.delete(flight);
    }
  }

  /** Replays the view under the current filter, keeping the positions of nodes still drawn. */
  async redraw() {
    if (!this.root) return;
    const generation = ++this.generation;
    // The user's expansions are kept even when the filter hides them, so that they come back
    // with the nodes when the filter lets those through again.
    const plan = { expanded: [...this.expanded], pages: new Map(this.aggregatePages) };
    const positions = new Map(this.graph.cy.nodes().map((n) => [n.id(), { ...n.position() }]));
    this.aggregatePages.clear();
    this.graph.clear();
    this.graph.addNode(this.root).addClass('root');
    this.#begin();
    try {
      for (const id of plan.expanded) {
        if (this.graph.node(id)) await this.expand(id, { generation, layout: false });
      }
      for (const [key, pages] of plan.pages) {
        const [parentId, kind] = key.split('|');
        const all = pages === Infinity;
        for (let i = 0; i < (all ? 1 : pages); i++) {
          const aggregate = this.graph.cy.getElementById(aggregateElementId(parentId, kind));
          if (aggregate.empty()) break;
          await this.expandAggregate(aggregate, { all, generation, layout: false });
        }
      }
    } finally {
      this.#end();
    }
    for (const [key, pages] of plan.pages) {
      if (!this.aggregatePages.has(key)) this.aggregatePages.set(key, pages);
    }
    let allKnown = true;
    this.graph.cy.nodes().forEach((n) => {
      const p = positions.get(n.id());
      if (p) n.position(p);
      else allKnown = false;
    });
    if (allKnown) {
      this.graph.fit();
      this.onViewChange?.();
    } else {
      this.#settle();
    }
  }

  /** Adds paths (PathsResponse.paths) to the drawing; returns false when the cap stopped it. */
  addPaths(paths) {
    if (!this.root && paths.length) {
      this.root = paths[0].nodes[0];
      this.graph.clear();
    }
    let complete = true;
    for (const path of paths) {
      for (const node of path.nodes) {
        if (!this.graph.node(node.id) && this.graph.entityCount() >= MAX_DRAWN_NODES) complete = false;
        else this.#addNode(node, null);
      }
      for (const step of path.steps) this.graph.addEdge(step.edge);
    }
    this.graph.node(this.root.id)?.addClass('root');
    this.#settle();
    return complete;
  }

  /** The node message of a drawn node (from the answers that drew it). */
  nodeById(id) {
    return this.nodes.get(String(id)) ?? null;
  }

  // Adds neighbours and their edges; returns how many nodes were new, -1 when the cap stopped it.
  #draw(centerId, neighbors) {
    const center = this.graph.node(centerId);
    const near = center ? center.position() : null;
    let added = 0;
    for (const { node, edge } of neighbors) {
      if (!this.graph.node(node.id)) {
        if (this.graph.entityCount() >= MAX_DRAWN_NODES) {
          this.messages.info(`At most ${MAX_DRAWN_NODES} entities are drawn; focus on one to see more.`);
          return -1;
        }
        this.#addNode(node, near);
        added++;
      }
      this.graph.addEdge(edge);
    }
    return added;
  }

  async #drawHub(nodeId, filter, generation) {
    const kinds = filter.nodeKinds ?? this.kinds;
    const counts = await Promise.all(
      kinds.map(async (kind) => {
        const answer = await this.#call(
          'Expand',
          { seeds: [{ id: nodeId }], depth: 1, countOnly: true, filter: { ...filter, nodeKinds: [kind] } },
          generation,
        );
        return { kind, count: Number(answer.perHop?.[1] ?? 0), truncated: !!answer.truncated };
      }),
    );
    for (const { kind, count, truncated } of counts) {
      if (count === 0) continue;
      const aggregate = this.graph.setAggregate(nodeId, kind, { remaining: count, total: count, truncated });
      if (count <= SMALL_KIND) await this.expandAggregate(aggregate, { all: true, generation, layout: false });
    }
  }

  #addNode(node, near) {
    this.#remember(node);
    return this.graph.addNode(node, near);
  }

  #remember(node) {
    this.nodes.set(String(node.id), node);
  }

  #settle() {
    this.graph.layout();
    this.onViewChange?.();
  }

  async #call(method, request, generation) {
    this.#begin();
    try {
      const answer = await call(method, request);
      if (generation !== this.generation) throw new StaleView();
      return answer;
    } finally {
      this.#end();
    }
  }

  // body[data-busy] is set while the view is being fetched (tests and the spinner use it).
  #begin() {
    this.busy++;
    document.body.dataset.busy = 'true';
  }

  #end() {
    if (--this.busy === 0) delete document.body.dataset.busy;
  }
}
