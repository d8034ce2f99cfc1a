// The overview tab: how many nodes of each kind and edges of each type (Stats), and the degree
// distribution (Rank MEASURE_DEGREE over up to 10,000 nodes) as an SVG bar chart.

import { call } from './api.js';
import { formatCount, h } from './dom.js';
import { swatch } from './palette.js';

const DEGREE_TOP_K = 10000;
const SVG_NS = 'http://www.w3.org/2000/svg';

export class OverviewPanel {
  constructor(container, { messages }) {
    this.messages = messages;
    this.container = h('div', { class: 'overview' });
    container.append(
      h('div', { class: 'button-row' }, h('button', { onclick: () => this.load() }, 'Refresh')),
      this.container,
    );
  }

  async load() {
    this.container.replaceChildren(h('p', { class: 'hint' }, 'Loading…'));
    let stats;
    let degrees;
    try {
      [stats, degrees] = await Promise.all([
        call('Stats', {}),
        call('Rank', { measure: 'MEASURE_DEGREE', topK: DEGREE_TOP_K }),
      ]);
    } catch (err) {
      this.container.replaceChildren();
      this.messages.error(err, 'Loading the overview');
      return;
    }
    const scores = (degrees.nodes ?? []).map((n) => Number(n.score));
    const partial = Number(degrees.graphNodes) > scores.length;
    this.container.replaceChildren(
      h('div', { class: 'totals', 'data-testid': 'overview-totals' },
        h('div', {}, h('strong', {}, formatCount(stats.nodes)), ' nodes'),
        h('div', {}, h('strong', {}, formatCount(stats.edges)), ' edges')),
      h('h4', {}, 'Degree distribution'),
      h('p', { class: 'hint' }, partial
        ? `Distinct neighbours per node, over the ${formatCount(scores.length)} best-connected of ${formatCount(degrees.graphNodes)} nodes.`
        : 'Distinct neighbours per node (all nodes, ignoring direction).'),
      degreeChart(scores),
      h('h4', {}, 'Nodes by kind'),
      countTable(stats.nodesByKind ?? [], 'overview-kinds', true),
      h('h4', {}, 'Edges by type'),
      countTable(stats.edgesByType ?? [], 'overview-types', false),
      h('p', { class: 'hint' }, `Server ${stats.serverVersion}, up ${formatCount(stats.uptimeSeconds)} s, ${formatCount(stats.diskBytes)} bytes on disk.`),
    );
  }
}

function countTable(rows, testid, withSwatch) {
  const max = Math.max(1, ...rows.map((r) => Number(r.count)));
  return h('table', { class: 'counts', 'data-testid': testid },
    h('tbody', {}, rows.map((r) =>
      h('tr', { class: Number(r.count) ? '' : 'zero', dataset: { name: r.name, count: r.count } },
        h('th', {}, withSwatch ? swatch(r.name) : null, ' ', r.name),
        h('td', { class: 'num' }, formatCount(r.count)),
        h('td', { class: 'bar-cell' },
          h('span', { class: 'count-bar', style: `width:${(100 * Number(r.count)) / max}%` }))))));
}

/** Bins: one per degree when the largest is small, else powers of two (0, 1, 2-3, 4-7, ...). */
export function degreeHistogram(scores) {
  const max = Math.max(0, ...scores);
  const bins = [];
  if (max <= 30) {
    for (let d = 0; d <= max; d++) bins.push({ lo: d, hi: d, label: String(d), count: 0 });
  } else {
    bins.push({ lo: 0, hi: 0, label: '0', count: 0 });
    for (let lo = 1; lo <= max; lo *= 2) {
      const hi = lo * 2 - 1;
      bins.push({ lo, hi, label: lo === hi ? String(lo) : `${lo}–${hi}`, count: 0 });
    }
  }
  for (const s of scores) {
    const d = Math.round(s);
    const bin = bins.find((b) => d >= b.lo && d <= b.hi);
    if (bin) bin.count++;
  }
  return bins;
}

function degreeChart(scores) {
  const bins = degreeHistogram(scores);
  const width = 330;
  const height = 170;
  const pad = { left: 34, right: 6, top: 10, bottom: 34 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const maxCount = Math.max(1, ...bins.map((b) => b.count));
  const barW = plotW / Math.max(1, bins.length);
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, class: 'degree-chart', 'data-testid': 'degree-chart', role: 'img',
    'aria-label': 'Degree distribution: number of nodes per degree' });
  svg.append(svgEl('line', { x1: pad.left, y1: pad.top + plotH, x2: pad.left + plotW, y2: pad.top + plotH, class: 'axis' }));
  svg.append(svgEl('line', { x1: pad.left, y1: pad.top, x2: pad.left, y2: pad.top + plotH, class: 'axis' }));
  svg.append(svgText(pad.left - 4, pad.top + 8, formatCount(maxCount), 'end'));
  svg.append(svgText(pad.left - 4, pad.top + plotH, '0', 'end'));
  const labelEvery = Math.ceil(bins.length / 12);
  bins.forEach((bin, i) => {
    const barH = (plotH * bin.count) / maxCount;
    const x = pad.left + i * barW;
    const rect = svgEl('rect', { x: x + 1, y: pad.top + plotH - barH, width: Math.max(1, barW - 2), height: barH, class: 'bar' });
    rect.append(svgEl('title', {}, `degree ${bin.label}: ${bin.count} node${bin.count === 1 ? '' : 's'}`));
    svg.append(rect);
    if (i % labelEvery === 0) svg.append(svgText(x + barW / 2, pad.top + plotH + 12, bin.label, 'middle'));
  });
  svg.append(svgText(pad.left + plotW / 2, height - 4, 'degree (distinct neighbours)', 'middle'));
  return svg;
}

function svgEl(tag, attrs, text) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function svgText(x, y, text, anchor) {
  return svgEl('text', { x, y, 'text-anchor': anchor }, text);
}
