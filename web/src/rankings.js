// The rankings tab: top brokers (betweenness) and the most central entities (PageRank, degree)
// under the current filters; a click on a row focuses the entity.

import { call } from './api.js';
import { h } from './dom.js';
import { swatch } from './palette.js';

const MEASURES = [
  { value: 'MEASURE_BETWEENNESS', label: 'Brokers (betweenness)' },
  { value: 'MEASURE_PAGERANK', label: 'Most central (PageRank)' },
  { value: 'MEASURE_DEGREE', label: 'Most connected (degree)' },
];
const TOP_K = 25;
const BETWEENNESS_SAMPLES = 256;

export class RankingsPanel {
  /**
   * @param {HTMLElement} container
   * @param {{messages: object, filters: object, onPick: (node: object) => void}} options
   */
  constructor(container, { messages, filters, onPick }) {
    this.messages = messages;
    this.filters = filters;
    this.onPick = onPick;
    this.sequence = 0;
    this.loaded = null; // The filter+measure the table shows.

    this.measure = h('select', { 'data-testid': 'rank-measure', 'aria-label': 'Measure', onchange: () => this.load() },
      MEASURES.map((m) => h('option', { value: m.value }, m.label)));
    this.note = h('p', { class: 'hint' });
    this.body = h('tbody', {});
    this.table = h('table', { class: 'ranking', 'data-testid': 'rank-table' },
      h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'Entity'), h('th', {}, 'Kind'), h('th', { class: 'num' }, 'Score'))),
      this.body);
    container.append(
      h('div', { class: 'button-row' }, this.measure),
      this.table,
      this.note,
    );
  }

  /** Loads the table unless it already shows the current measure and filter. */
  async load({ force = false } = {}) {
    const filter = this.filters.current();
    const measure = this.measure.value;
    const key = JSON.stringify([measure, filter]);
    if (!force && key === this.loaded) return;
    const mine = ++this.sequence;
    this.note.textContent = 'Computing…';
    const request = { measure, filter, topK: TOP_K };
    let answer;
    try {
      try {
        answer = await call('Rank', request);
      } catch (err) {
        // Exact betweenness is refused on big views: sample instead.
        if (measure !== 'MEASURE_BETWEENNESS' || err.status !== 'RESOURCE_EXHAUSTED') throw err;
        answer = await call('Rank', { ...request, samples: BETWEENNESS_SAMPLES, seed: '1' });
      }
    } catch (err) {
      if (mine === this.sequence) this.note.textContent = '';
      this.messages.error(err, 'Ranking');
      return;
    }
    if (mine !== this.sequence) return;
    this.loaded = key;
    this.#render(answer, measure);
  }

  #render(answer, measure) {
    const nodes = answer.nodes ?? [];
    this.table.dataset.measure = measure;
    const digits = measure === 'MEASURE_DEGREE' ? 0 : 4;
    this.body.replaceChildren(
      ...nodes.map((scored, i) =>
        h('tr', { class: 'rank-row', 'data-testid': 'rank-row', dataset: { key: scored.node.key }, tabindex: 0,
          onclick: () => this.onPick(scored.node),
          onkeydown: (e) => e.key === 'Enter' && this.onPick(scored.node) },
          h('td', { class: 'num' }, i + 1),
          h('td', {}, swatch(scored.node.kind), ' ', scored.node.name),
          h('td', { class: 'kind' }, scored.node.kind),
          h('td', { class: 'num' }, Number(scored.score).toFixed(digits)))),
    );
    const sampled = answer.samplesUsed ? `, sampled from ${answer.samplesUsed} sources` : '';
    this.note.textContent =
      `${Number(answer.graphNodes).toLocaleString('en-US')} nodes, ${Number(answer.graphEdges).toLocaleString('en-US')} ` +
      `edges ranked (${this.filters.describeTime()}${sampled}) in ${(answer.seconds * 1000).toFixed(1)} ms.`;
  }
}
