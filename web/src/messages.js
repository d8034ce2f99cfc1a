// The message area under the top bar: server errors and notices, never alert().
// Errors stay half a minute (or until dismissed, or pushed out by newer ones); notices a few seconds.

import { h } from './dom.js';

const MAX_SHOWN = 3;
const NOTICE_MS = 6000;
const ERROR_MS = 30000;

export class Messages {
  constructor(container) {
    this.container = container;
  }

  /** Shows an error; `context` says what the dashboard was doing ("Searching"). */
  error(err, context = '') {
    if (err?.name === 'AbortError') return;
    const status = err?.status ? ` (${err.status})` : '';
    const where = context ? `${context} failed${status}: ` : status ? `${status.trim()}: ` : '';
    console.warn(context, err);
    const item = this.#show('error', `${where}${err?.message ?? err}`);
    setTimeout(() => item.remove(), ERROR_MS);
  }

  /** Shows a notice that goes away by itself. */
  info(text) {
    const item = this.#show('info', text);
    setTimeout(() => item.remove(), NOTICE_MS);
  }

  clear() {
    this.container.replaceChildren();
  }

  #show(level, text) {
    const item = h(
      'div',
      { class: `message ${level}`, 'data-testid': `message-${level}`, role: level === 'error' ? 'alert' : 'status' },
      h('span', { class: 'message-text' }, text),
      h('button', { class: 'message-close', title: 'Dismiss', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×'),
    );
    this.container.append(item);
    while (this.container.children.length > MAX_SHOWN) this.container.firstElementChild.remove();
    return item;
  }
}
