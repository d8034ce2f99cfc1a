// Tabs of the side panel. Buttons are `[data-tab=name]` inside the tab bar, panels
// `[data-panel=name]`; the first tab is shown at start.

export class Tabs {
  constructor(bar, panels, { onShow }) {
    this.bar = bar;
    this.panels = panels;
    this.onShow = onShow;
    this.current = null;
    for (const button of bar.querySelectorAll('[data-tab]')) {
      button.addEventListener('click', () => this.show(button.dataset.tab));
    }
    this.#activate(bar.querySelector('[data-tab]').dataset.tab);
  }

  panel(name) {
    return this.panels.querySelector(`[data-panel="${name}"]`);
  }

  show(name) {
    if (name === this.current) return;
    this.#activate(name);
    this.onShow?.(name);
  }

  #activate(name) {
    this.current = name;
    for (const button of this.bar.querySelectorAll('[data-tab]')) {
      const on = button.dataset.tab === name;
      button.classList.toggle('active', on);
      button.setAttribute('aria-selected', String(on));
    }
    for (const panel of this.panels.querySelectorAll('[data-panel]')) {
      panel.hidden = panel.dataset.panel !== name;
    }
  }
}
