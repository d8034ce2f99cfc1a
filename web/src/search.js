// A search box with suggestions: SearchNodes as you type (debounced), Chinese or English, each
// suggestion showing name, kind and key. Used for the main search and the two path pickers.

import { call } from './api.js';
import { debounce, h } from './dom.js';
import { swatch } from './palette.js';

const DEBOUNCE_MS = 180;
const SUGGESTIONS = 10;

export class SearchBox {
  /**
   * @param {HTMLElement} container where the box is drawn
   * @param {{testid: string, placeholder: string, label: string, messages: import('./messages.js').Messages,
   *          onPick: (node: object) => void}} options
   */
  constructor(container, { testid, placeholder, label, messages, onPick }) {
    this.messages = messages;
    this.onPick = onPick;
    this.picked = null;
    this.items = [];
    this.active = -1;
    this.sequence = 0;

    this.input = h('input', {
      type: 'search',
      class: 'search-input',
      placeholder,
      'aria-label': label,
      autocomplete: 'off',
      spellcheck: 'false',
      'data-testid': testid,
      oninput: () => this.#onInput(),
      onkeydown: (e) => this.#onKey(e),
      onblur: () => setTimeout(() => this.#close(), 150),
      onfocus: () => this.items.length && this.list.classList.add('open'),
    });
    this.list = h('ul', { class: 'suggestions', role: 'listbox', 'data-testid': `${testid}-suggestions` });
    container.append(h('div', { class: 'search-box' }, this.input, this.list));
    this.lookup = debounce((text) => this.#lookup(text), DEBOUNCE_MS);
  }

  /** Shows a node as the box's choice without searching. */
  setNode(node) {
    this.picked = node;
    this.input.value = node ? node.name : '';
    this.#close();
  }

  #onInput() {
    this.picked = null;
    const text = this.input.value.trim();
    if (!text) {
      this.lookup.cancel();
      this.sequence++;
      this.#render([]);
      return;
    }
    this.lookup(text);
  }

  async #lookup(text) {
    const mine = ++this.sequence;
    this.list.setAttribute('aria-busy', 'true');
    try {
      const answer = await call('SearchNodes', { query: text, limit: SUGGESTIONS });
      if (mine !== this.sequence) return; // A newer keystroke won.
      this.#render(answer.nodes ?? [], text);
    } catch (err) {
      if (mine !== this.sequence) return;
      this.#render([]);
      this.messages.error(err, 'Searching');
    } finally {
      if (mine === this.sequence) this.list.removeAttribute('aria-busy');
    }
  }

  #render(nodes, text = '') {
    this.items = nodes;
    this.active = nodes.length ? 0 : -1;
    this.list.replaceChildren(
      ...nodes.map((node, i) =>
        h(
          'li',
          {
            class: 'suggestion',
            role: 'option',
            'data-testid': 'suggestion-item',
            dataset: { key: node.key },
            onmousedown: (e) => {
              e.preventDefault(); // Keep focus; pick before blur closes the list.
              this.#pick(i);
            },
            onmouseenter: () => this.#setActive(i),
          },
          swatch(node.kind),
          h('span', { class: 'suggestion-name' }, node.name),
          node.aliases?.length ? h('span', { class: 'suggestion-alias' }, node.aliases[0]) : null,
          h('span', { class: 'suggestion-meta' }, `${node.kind} · ${node.key}`),
        ),
      ),
    );
    if (!nodes.length && text) {
      this.list.append(h('li', { class: 'suggestion empty' }, `No entity matches “${text}”`));
    }
    this.#setActive(this.active);
    this.list.classList.toggle('open', this.list.children.length > 0);
  }

  #setActive(i) {
    this.active = i;
    [...this.list.querySelectorAll('.suggestion')].forEach((li, j) => li.classList.toggle('active', j === i));
  }

  #onKey(e) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!this.items.length) return;
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      this.#setActive((this.active + step + this.items.length) % this.items.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (this.active >= 0) this.#pick(this.active);
    } else if (e.key === 'Escape') {
      this.#close();
    }
  }

  #pick(i) {
    const node = this.items[i];
    if (!node) return;
    this.setNode(node);
    this.onPick?.(node);
  }

  #close() {
    this.list.classList.remove('open');
  }
}
