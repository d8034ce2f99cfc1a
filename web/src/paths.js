// "How are these connected?": two entity pickers, the k shortest paths between them (Paths,
// PATHS_MODE_K_SHORTEST, under the current filter), each link explained (type, direction,
// dates), drawn and highlighted in the graph.

import { call } from './api.js';
import { formatInterval, h } from './dom.js';
import { swatch } from './palette.js';
import { SearchBox } from './search.js';

export class PathsPanel {
  /**
   * @param {HTMLElement} container
   * @param {{schema: object, messages: object, filters: object,
   *          onPaths: (paths: object[]) => void, onHighlight: (path: object) => void}} options
   */
  constructor(container, { schema, messages, filters, onPaths, onHighlight }) {
    this.messages = messages;
    this.filters = filters;
    this.onPaths = onPaths;
    this.onHighlight = onHighlight;
    this.typeSpecs = new Map((schema.edgeTypes ?? []).map((t) => [t.name, t]));
    this.paths = [];
    this.sequence = 0;

    const fromSlot = h('div', { class: 'field' }, h('span', { class: 'field-label' }, 'From'));
    const toSlot = h('div', { class: 'field' }, h('span', { class: 'field-label' }, 'To'));
    this.from = new SearchBox(fromSlot, {
      testid: 'path-from-input', placeholder: 'e.g. 邹学校', label: 'Path from', messages,
    });
    this.to = new SearchBox(toSlot, {
      testid: 'path-to-input', placeholder: 'e.g. 陈晓红', label: 'Path to', messages,
    });
    this.k = h('select', { 'data-testid': 'path-k', 'aria-label': 'Number of paths' },
      [1, 2, 3, 4, 5].map((k) => h('option', { value: k, selected: k === 3 }, `${k} shortest`)));
    this.results = h('div', { class: 'path-results', 'data-testid': 'path-results' });
    container.append(
      h('p', { class: 'hint' }, 'Pick two entities to see the shortest chains of links between them, under the current filters.'),
      fromSlot,
      toSlot,
      h('div', { class: 'button-row' },
        this.k,
        h('button', { title: 'Swap', 'aria-label': 'Swap', onclick: () => this.#swap() }, '⇅'),
        h('button', { class: 'primary', 'data-testid': 'path-find', onclick: () => this.find() }, 'Find paths')),
      this.results,
    );
  }

  setFrom(node) {
    this.from.setNode(node);
  }

  setTo(node) {
    this.to.setNode(node);
  }

  /** Asks for the paths and shows them; the first one is highlighted. */
  async find() {
    const from = this.from.picked;
    const to = this.to.picked;
    if (!from || !to) {
      this.messages.info('Pick both ends of the path from the suggestions first.');
      return;
    }
    const mine = ++this.sequence;
    this.results.replaceChildren(h('p', { class: 'hint' }, 'Searching…'));
    let answer;
    try {
      answer = await call('Paths', {
        from: { id: from.id },
        to: { id: to.id },
        mode: 'PATHS_MODE_K_SHORTEST',
        k: Number(this.k.value),
        filter: this.filters.current(),
      });
    } catch (err) {
      if (mine === this.sequence) this.results.replaceChildren();
      this.messages.error(err, 'Finding paths');
      return;
    }
    if (mine !== this.sequence) return;
    this.paths = answer.paths ?? [];
    this.#render(answer, from, to);
    if (this.paths.length) {
      this.onPaths(this.paths);
      this.#select(0);
    }
  }

  /** Re-runs the last search (after a filter change), when there was one. */
  refresh() {
    if (this.paths.length || this.results.childElementCount) return this.find();
    return Promise.resolve();
  }

  #render(answer, from, to) {
    const when = this.filters.describeTime();
    if (!this.paths.length) {
      this.results.replaceChildren(
        h('p', { class: 'hint', 'data-testid': 'path-none' },
          `No path between ${from.name} and ${to.name} (${when})` +
            (answer.truncated ? '; the search hit a limit, a longer path may exist.' : ' within 6 links.')));
      return;
    }
    this.results.replaceChildren(
      h('p', { class: 'hint' }, `${this.paths.length} path${this.paths.length > 1 ? 's' : ''} (${when}). Click one to highlight it.`),
      ...this.paths.map((path, i) =>
        h('div', { class: 'path', 'data-testid': 'path-result', dataset: { index: i }, onclick: () => this.#select(i) },
          h('div', { class: 'path-title' }, `Path ${i + 1} · ${path.steps.length} link${path.steps.length === 1 ? '' : 's'}`),
          h('ol', { class: 'path-steps' }, path.steps.map((step, j) => this.#explain(path.nodes[j], step, path.nodes[j + 1]))))),
    );
  }

  // One link: "A —TYPE→ B" when the edge points along the walk, "A ←TYPE— B" when against it.
  #explain(a, step, b) {
    const spec = this.typeSpecs.get(step.edge.type);
    const type = step.edge.type;
    const link = spec?.symmetric ? `—${type}—` : step.forward ? `—${type}→` : `←${type}—`;
    const sentence = spec?.symmetric || step.forward ? `${a.name} ${type} ${b.name}` : `${b.name} ${type} ${a.name}`;
    return h('li', { class: 'path-step', title: spec?.description ?? '' },
      h('span', { class: 'path-node' }, swatch(a.kind), a.name),
      h('span', { class: 'path-link' }, link),
      h('span', { class: 'path-node' }, swatch(b.kind), b.name),
      h('div', { class: 'path-why' },
        `${sentence} · ${formatInterval(step.edge.validFrom, step.edge.validTo, spec?.temporal)}`));
  }

  #select(i) {
    this.results.querySelectorAll('.path').forEach((el, j) => el.classList.toggle('active', i === j));
    this.onHighlight(this.paths[i]);
  }

  #swap() {
    const a = this.from.picked;
    const b = this.to.picked;
    this.from.setNode(b);
    this.to.setNode(a);
  }
}
