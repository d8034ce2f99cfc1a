// The filter column: a time slider (as_of, 1990 to today, or "any time") and checkbox lists of
// node kinds (with their legend swatches) and edge types, all built from the schema.
// `current()` gives the API's Filter message; `onChange` fires when it changes.

import { debounce, h } from './dom.js';
import { swatch } from './palette.js';

export const FIRST_YEAR = 1990;

function today() {
  return new Date().toISOString().slice(0, 10);
}

export class Filters {
  /**
   * @param {HTMLElement} container
   * @param {object} schema the GetSchema answer's schema
   * @param {{onChange: (filter: object) => void}} options
   */
  constructor(container, schema, { onChange }) {
    this.lastYear = Number(today().slice(0, 4));
    this.kinds = (schema.nodeKinds ?? []).map((k) => k.name);
    this.types = (schema.edgeTypes ?? []).map((t) => t.name);
    this.notify = debounce(() => this.#fire(), 200);
    this.onChange = onChange;
    this.container = container;

    container.append(
      this.#timeSection(),
      this.#checkList('Node kinds', 'kind', schema.nodeKinds ?? [], (k) => swatch(k.name)),
      this.#checkList('Edge types', 'type', schema.edgeTypes ?? [], null),
    );
    this.#updateTimeLabel();
    this.last = JSON.stringify(this.current());
  }

  /** The Filter message for traversals; empty lists and no as_of mean "all". */
  current() {
    const filter = {};
    if (!this.anyTime.checked) {
      const year = Number(this.slider.value);
      filter.asOf = year >= this.lastYear ? today() : `${year}-12-31`;
    }
    const kinds = this.#checked('kind');
    if (kinds.length < this.kinds.length) filter.nodeKinds = kinds;
    const types = this.#checked('type');
    if (types.length < this.types.length) filter.edgeTypes = types;
    return filter;
  }

  /** True when some kind and some type are selected (otherwise nothing can be drawn). */
  selectsSomething() {
    return this.#checked('kind').length > 0 && this.#checked('type').length > 0;
  }

  /** Words for the time setting, e.g. "as of 2010-12-31" or "any time". */
  describeTime() {
    const asOf = this.current().asOf;
    return asOf ? `as of ${asOf}` : 'any time';
  }

  #timeSection() {
    this.timeLabel = h('output', { class: 'time-label', 'data-testid': 'time-label' });
    this.anyTime = h('input', {
      type: 'checkbox',
      checked: true,
      'data-testid': 'time-any',
      onchange: () => {
        this.#updateTimeLabel();
        this.notify();
      },
    });
    this.slider = h('input', {
      type: 'range',
      min: FIRST_YEAR,
      max: this.lastYear,
      step: 1,
      value: this.lastYear,
      'aria-label': 'As of year',
      'data-testid': 'time-slider',
      oninput: () => {
        this.anyTime.checked = false;
        this.#updateTimeLabel();
        this.notify();
      },
      onchange: () => {
        this.anyTime.checked = false;
        this.#updateTimeLabel();
        this.notify.cancel();
        this.#fire();
      },
    });
    return h(
      'section',
      { class: 'filter-section' },
      h('h2', {}, 'Time'),
      this.timeLabel,
      this.slider,
      h('div', { class: 'slider-scale' }, h('span', {}, FIRST_YEAR), h('span', {}, 'today')),
      h('label', { class: 'check' }, this.anyTime, 'any time (ignore dates)'),
    );
  }

  #updateTimeLabel() {
    const year = Number(this.slider.value);
    this.timeLabel.textContent = this.anyTime.checked
      ? 'Any time'
      : year >= this.lastYear
        ? `Today (${today()})`
        : `End of ${year}`;
    this.slider.classList.toggle('inactive', this.anyTime.checked);
  }

  #checkList(title, name, specs, decorate) {
    const boxes = specs.map((spec) =>
      h(
        'label',
        { class: 'check', title: spec.description ?? '' },
        h('input', {
          type: 'checkbox',
          name,
          value: spec.name,
          checked: true,
          'data-testid': `${name}-filter-${spec.name}`,
          onchange: () => this.notify(),
        }),
        decorate ? decorate(spec) : null,
        h('span', {}, spec.name),
      ),
    );
    const setAll = (on) => {
      boxes.forEach((b) => (b.querySelector('input').checked = on));
      this.notify();
    };
    return h(
      'section',
      { class: 'filter-section' },
      h(
        'h2',
        {},
        title,
        h('span', { class: 'all-none' },
          h('button', { class: 'link', onclick: () => setAll(true) }, 'all'),
          h('button', { class: 'link', onclick: () => setAll(false) }, 'none')),
      ),
      h('div', { class: `check-list ${name}-list` }, boxes),
    );
  }

  #checked(name) {
    return [...this.container.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
  }

  #fire() {
    const key = JSON.stringify(this.current());
    if (key === this.last) return;
    this.last = key;
    this.onChange(this.current());
  }
}
