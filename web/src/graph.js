// The drawing: a cytoscape instance with the dashboard's style, element helpers and layouts.
//
// Element ids: a node is "n<id>", an edge "e<id>" (internal ids from the server); an aggregate
// node standing for the not-drawn neighbours of one kind of a hub is "agg-<parent id>-<kind>".
// Layouts never animate; big drawings use concentric, which costs no iterations.

import cytoscape from 'cytoscape';

import { kindStyle } from './palette.js';

const FONT = 'system-ui, "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif';
const COSE_MAX_NODES = 250;
const LABEL_MAX = 22;
const MAX_FIT_ZOOM = 1.3;

export const nodeElementId = (id) => `n${id}`;
export const edgeElementId = (id) => `e${id}`;
export const aggregateElementId = (parentId, kind) => `agg-${parentId}-${kind}`;

function shortLabel(name) {
  const chars = [...(name ?? '')];
  return chars.length > LABEL_MAX ? `${chars.slice(0, LABEL_MAX - 1).join('')}…` : chars.join('');
}

const STYLE = [
  {
    selector: 'node',
    style: {
      'background-color': 'data(color)',
      shape: 'data(shape)',
      width: 30,
      height: 30,
      label: 'data(label)',
      'font-family': FONT,
      'font-size': 11,
      color: '#1f2933',
      'text-valign': 'bottom',
      'text-margin-y': 4,
      'text-wrap': 'wrap',
      'text-max-width': 130,
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.75,
      'text-background-padding': 1,
      'border-width': 1,
      'border-color': 'rgba(0,0,0,0.35)',
      'min-zoomed-font-size': 5,
    },
  },
  { selector: 'node.root', style: { width: 44, height: 44, 'border-width': 3, 'border-color': '#1f2933', 'font-weight': 'bold', 'font-size': 13 } },
  { selector: 'node.expanded', style: { 'border-width': 2, 'border-color': '#1f2933' } },
  {
    selector: 'node.aggregate',
    style: {
      shape: 'round-rectangle',
      width: 'data(width)',
      height: 26,
      'background-opacity': 0.18,
      'border-width': 2,
      'border-style': 'dashed',
      'border-color': 'data(color)',
      'text-valign': 'center',
      'text-wrap': 'none',
      'text-margin-y': 0,
      'text-background-opacity': 0,
      'font-size': 11,
      'font-weight': 'bold',
    },
  },
  {
    selector: 'edge',
    style: {
      width: 1.5,
      'line-color': '#9aa5b1',
      'target-arrow-color': '#9aa5b1',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.8,
      'curve-style': 'bezier',
      label: 'data(type)',
      'font-family': FONT,
      'font-size': 8,
      color: '#52606d',
      'text-rotation': 'autorotate',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.8,
      'text-background-padding': 1,
      'min-zoomed-font-size': 7,
    },
  },
  { selector: 'edge.symmetric', style: { 'target-arrow-shape': 'none' } },
  { selector: 'edge.ended', style: { 'line-style': 'dashed' } },
  { selector: 'edge.aggregate-edge', style: { 'line-style': 'dotted', label: '', 'target-arrow-shape': 'none' } },
  { selector: ':selected', style: { 'overlay-color': '#2563eb', 'overlay-opacity': 0.18, 'overlay-padding': 6 } },
  { selector: '.faded', style: { opacity: 0.18 } },
  { selector: 'node.path', style: { 'border-width': 4, 'border-color': '#d9480f', opacity: 1 } },
  { selector: 'edge.path', style: { width: 4, 'line-color': '#d9480f', 'target-arrow-color': '#d9480f', color: '#d9480f', opacity: 1 } },
];

export class GraphView {
  /**
   * @param {HTMLElement} container
   * @param {{symmetricTypes: Set<string>, onNodeTap, onAggregateTap, onEdgeTap, onBackgroundTap}} options
   */
  constructor(container, { symmetricTypes, onNodeTap, onAggregateTap, onEdgeTap, onBackgroundTap }) {
    this.symmetricTypes = symmetricTypes;
    this.cy = cytoscape({
      container,
      style: STYLE,
      minZoom: 0.05,
      maxZoom: 4,
      wheelSensitivity: 0.3,
      boxSelectionEnabled: false,
      textureOnViewport: true,
    });
    this.cy.on('tap', 'node', (e) => {
      const node = e.target;
      if (node.hasClass('aggregate')) onAggregateTap?.(node);
      else onNodeTap?.(node);
    });
    this.cy.on('tap', 'edge', (e) => {
      if (!e.target.hasClass('aggregate-edge')) onEdgeTap?.(e.target);
    });
    this.cy.on('tap', (e) => {
      if (e.target === this.cy) onBackgroundTap?.();
    });
  }

  clear() {
    this.cy.elements().remove();
  }

  node(id) {
    const el = this.cy.getElementById(nodeElementId(id));
    return el.nonempty() ? el : null;
  }

  /** Real (not aggregate) nodes drawn. */
  entityCount() {
    return this.cy.nodes().not('.aggregate').length;
  }

  /** Adds a node (from the API) unless drawn; returns the element. `near`: position hint. */
  addNode(node, near = null) {
    const existing = this.node(node.id);
    if (existing) return existing;
    const { color, shape } = kindStyle(node.kind);
    return this.cy.add({
      group: 'nodes',
      data: {
        id: nodeElementId(node.id),
        nodeId: node.id,
        key: node.key,
        kind: node.kind,
        name: node.name,
        label: shortLabel(node.name),
        color,
        shape,
      },
      position: near ? jitter(near) : { x: 0, y: 0 },
    });
  }

  /** Applies a node's new state (a live update) to its drawing; returns the element or null. */
  updateNode(node) {
    const el = this.node(node.id);
    if (!el) return null;
    el.data({ key: node.key, name: node.name, label: shortLabel(node.name) });
    return el;
  }

  /** The drawn edge with this internal id, or null. */
  edge(id) {
    const el = this.cy.getElementById(edgeElementId(id));
    return el.nonempty() ? el : null;
  }

  /** Applies an edge's new state (dates, weight) to its drawing; returns the element or null. */
  updateEdge(edge) {
    const el = this.edge(edge.id);
    if (!el) return null;
    el.data({ validFrom: edge.validFrom ?? '', validTo: edge.validTo ?? '', weight: edge.weight || 1 });
    el.toggleClass('ended', !!edge.validTo);
    return el;
  }

  /** Adds an edge (from the API) when both ends are drawn and it is not; returns it or null. */
  addEdge(edge) {
    const id = edgeElementId(edge.id);
    const existing = this.cy.getElementById(id);
    if (existing.nonempty()) return existing;
    if (!this.node(edge.fromId) || !this.node(edge.toId)) return null;
    const classes = [];
    if (this.symmetricTypes.has(edge.type)) classes.push('symmetric');
    if (edge.validTo) classes.push('ended');
    return this.cy.add({
      group: 'edges',
      classes,
      data: {
        id,
        edgeId: edge.id,
        source: nodeElementId(edge.fromId),
        target: nodeElementId(edge.toId),
        type: edge.type,
        validFrom: edge.validFrom ?? '',
        validTo: edge.validTo ?? '',
        weight: edge.weight || 1,
      },
    });
  }

  /** Draws or updates the aggregate node of `parentId`'s neighbours of `kind`. */
  setAggregate(parentId, kind, { remaining, total, pageToken, truncated }) {
    const id = aggregateElementId(parentId, kind);
    const more = remaining < total ? ' more' : '';
    const label = `${truncated ? '≥' : ''}${remaining.toLocaleString('en-US')}${more} ${kind}: expand`;
    let el = this.cy.getElementById(id);
    if (el.empty()) {
      const parent = this.node(parentId);
      el = this.cy.add({
        group: 'nodes',
        classes: 'aggregate',
        data: { id, aggregate: true, parentId, kind, color: kindStyle(kind).color, shape: 'round-rectangle' },
        position: parent ? jitter(parent.position(), 160) : { x: 0, y: 0 },
      });
      this.cy.add({
        group: 'edges',
        classes: 'aggregate-edge',
        data: { id: `${id}-link`, source: nodeElementId(parentId), target: id, aggregate: true },
      });
    }
    el.data({ label, width: labelWidth(label), remaining, total, pageToken: pageToken ?? '', truncated: !!truncated });
    return el;
  }

  removeAggregate(parentId, kind) {
    this.cy.getElementById(aggregateElementId(parentId, kind)).remove();
  }

  /** Re-arranges the drawing without animation; `fitTo` keeps these elements in view. */
  layout() {
    const nodes = this.cy.nodes();
    if (!nodes.length) return;
    const options =
      nodes.length <= COSE_MAX_NODES
        ? {
            name: 'cose',
            animate: false,
            randomize: false,
            fit: true,
            padding: 40,
            nodeDimensionsIncludeLabels: true,
            idealEdgeLength: () => 90,
            nodeRepulsion: () => 9000,
            numIter: 600,
          }
        : {
            name: 'concentric',
            animate: false,
            fit: true,
            padding: 30,
            minNodeSpacing: 6,
            concentric: (n) => (n.hasClass('root') ? 1e6 : n.degree()),
            levelWidth: () => 2,
          };
    this.cy.layout(options).run();
    this.#limitZoom();
  }

  /** Marks a path: its nodes and edges stand out, the rest fades. */
  highlight(nodeIds, edgeIds) {
    this.clearHighlight();
    const els = this.cy.collection();
    nodeIds.forEach((id) => els.merge(this.cy.getElementById(nodeElementId(id))));
    edgeIds.forEach((id) => els.merge(this.cy.getElementById(edgeElementId(id))));
    this.cy.elements().addClass('faded');
    els.removeClass('faded').addClass('path');
  }

  clearHighlight() {
    this.cy.elements().removeClass('faded path');
  }

  fit() {
    this.cy.fit(undefined, 40);
    this.#limitZoom();
  }

  // A small drawing fitted to the window would be blown up; keep it at a readable size.
  #limitZoom() {
    if (this.cy.zoom() > MAX_FIT_ZOOM) {
      this.cy.zoom(MAX_FIT_ZOOM);
      this.cy.center();
    }
  }
}

// About how wide a bold 11px label is drawn: CJK characters are twice as wide as Latin ones.
function labelWidth(text) {
  let width = 20;
  for (const ch of text) width += ch.codePointAt(0) > 0x2e80 ? 12 : 7;
  return width;
}

// A point near `p`, so new neighbours start around their parent rather than on top of it.
function jitter(p, radius = 110) {
  const a = Math.random() * 2 * Math.PI;
  const r = radius * (0.6 + 0.4 * Math.random());
  return { x: p.x + r * Math.cos(a), y: p.y + r * Math.sin(a) };
}
