// What is drawn and why: the focused entity, the nodes expanded since, the pages of hub
// aggregates opened. Fetches neighbourhoods with the current filter and replays the whole view
// when the filter changes (so edges not valid at the slider's date vanish).
//
// Hubs: a node with more than HUB_THRESHOLD edges (under the filter) is not drawn in full. Its
// neighbours are counted per kind (Expand count_only, one call per kind); kinds with few
// neighbours are drawn, the others become aggregate nodes ("312 Person: expand") that draw
// PAGE_SIZE neighbours per click. At most MAX_DRAWN_NODES entities are ever drawn.
//
// Live updates (live.js) change the drawing in place: a renamed node is relabelled, a deleted
// node or edge removed; the neighbourhood of an expanded node that gained an edge is fetched
// again (refresh), a hub's through a full redraw.

import { call } from './api.js';
import { aggregateElementId, edgeElementId } from './graph.js';

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

  // -------------------------------------------------------------------------------------------
  // Live updates

  /** True when this node (an internal id) is drawn as an entity. */
  isDrawn(id) {
    return !!this.graph.node(id);
  }

  /** True when the user expanded this drawn node (its neighbourhood is drawn). */
  isExpanded(id) {
    return this.expanded.some((x) => String(x) === String(id)) && this.isDrawn(id);
  }

  /** A node's new state: relabels it where drawn. Returns true when it is drawn. */
  updateNode(node) {
    if (!this.graph.updateNode(node)) return false;
    this.#remember(node);
    if (this.root && String(this.root.id) === String(node.id)) this.root = node;
    this.onViewChange?.();
    return true;
  }

  /**
   * A node was deleted: removes it (and what hangs only on it). Returns "root" when it was the
   * focused entity (the view is then cleared), true when it was drawn, false otherwise.
   */
  removeNode(id) {
    const key = String(id);
    this.nodes.delete(key);
    if (this.root && String(this.root.id) === key) {
      this.generation++; // Whatever was being fetched for this view is stale.
      this.root = null;
      this.expanded = [];
      this.aggregatePages.clear();
      this.graph.clear();
      this.onViewChange?.();
      return 'root';
    }
    this.expanded = this.expanded.filter((x) => String(x) !== key);
    for (const k of [...this.aggregatePages.keys()]) if (k.startsWith(`${key}|`)) this.aggregatePages.delete(k);
    const el = this.graph.node(id);
    if (!el) return false;
    const neighbours = el.neighborhood('node').not('.aggregate');
    this.#aggregatesOf(key).remove();
    el.remove();
    this.#dropOrphans(neighbours);
    this.onViewChange?.();
    return true;
  }

  /** An edge was deleted (or no longer passes the filter): removes it where drawn. */
  removeEdge(id) {
    const el = this.graph.edge(id);
    if (!el) return false;
    const ends = el.connectedNodes();
    el.remove();
    this.#dropOrphans(ends);
    this.onViewChange?.();
    return true;
  }

  /**
   * An edge's new state. A drawn edge is updated in place (or removed when the filter no longer
   * lets it through); otherwise, when it passes the filter, returns the ids of its drawn and
   * expanded endpoints, whose neighbourhoods should be fetched again (refresh).
   */
  edgeChanged(edge) {
    const passes = edgePasses(edge, this.filters.current());
    if (this.graph.updateEdge(edge)) {
      if (!passes) this.removeEdge(edge.id);
      return [];
    }
    if (!passes) return [];
    return [...new Set([String(edge.fromId), String(edge.toId)])].filter((id) => this.isExpanded(id));
  }

  /**
   * Fetches the neighbourhoods of these drawn, expanded nodes again and brings the drawing in
   * line: new neighbours and edges are drawn, edges no longer there removed, names updated.
   * Resolves to false when a full redraw is needed instead (a hub, drawn with aggregates).
   */
  async refresh(nodeIds) {
    // With no kind or no type ticked the view is left as it was (an empty list means "all").
    if (!this.filters.selectsSomething()) return true;
    const generation = this.generation;
    const filter = this.filters.current();
    let added = 0;
    let changed = false;
    this.#begin();
    try {
      for (const id of nodeIds) {
        if (!this.isExpanded(id)) continue;
        if (this.#aggregatesOf(id).nonempty() || [...this.aggregatePages.keys()].some((k) => k.startsWith(`${id}|`))) {
          return false;
        }
        const answer = await this.#call('Neighbors', { node: { id: String(id) }, filter, limit: HUB_THRESHOLD }, generation);
        if (answer.nextPageToken) return false; // It has become a hub.
        const center = this.graph.node(id);
        if (!center) continue;
        const neighbors = answer.neighbors ?? [];
        const keep = new Set(neighbors.map(({ edge }) => edgeElementId(edge.id)));
        const stale = center.connectedEdges().filter((e) => !e.hasClass('aggregate-edge') && !keep.has(e.id()));
        for (const { node, edge } of neighbors) {
          if (this.graph.updateNode(node)) this.#remember(node);
          this.graph.updateEdge(edge);
        }
        const before = this.graph.cy.edges().length;
        const n = this.#draw(id, neighbors);
        if (n > 0) added += n;
        if (n !== 0 || this.graph.cy.edges().length !== before) changed = true;
        stale.forEach((e) => {
          this.removeEdge(e.data('edgeId'));
          changed = true;
        });
      }
    } finally {
      this.#end();
    }
    if (added > 0) this.#settle();
    else if (changed) this.onViewChange?.();
    return true;
  }

  // Aggregate nodes of a hub.
  #aggregatesOf(parentId) {
    return this.graph.cy.nodes('.aggregate').filter((n) => String(n.data('parentId')) === String(parentId));
  }

  // Removes the nodes of `nodes` left without any edge (but never the focused entity).
  #dropOrphans(nodes) {
    nodes.forEach((n) => {
      if (!n.inside() || n.hasClass('aggregate') || n.hasClass('root') || n.connectedEdges().nonempty()) return;
      const id = String(n.data('nodeId'));
      if (this.root && String(this.root.id) === id) return;
      this.expanded = this.expanded.filter((x) => String(x) !== id);
      n.remove();
    });
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

/** Whether an edge passes a Filter message's edge types and as_of date (dates are full). */
export function edgePasses(edge, filter) {
  if (filter.edgeTypes && !filter.edgeTypes.includes(edge.type)) return false;
  if (filter.asOf) {
    if (edge.validFrom && edge.validFrom > filter.asOf) return false;
    if (edge.validTo && edge.validTo < filter.asOf) return false;
  }
  return true;
}
