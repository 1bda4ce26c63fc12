// An ARIA tab list: arrow keys move between tabs, Home/End jump.
import { h } from './dom';

export interface Tab {
  id: string;
  label: string;
  panel: HTMLElement;
}

export class Tabs {
  readonly list: HTMLElement;
  private buttons = new Map<string, HTMLButtonElement>();
  private listeners = new Set<(id: string) => void>();
  current = '';

  constructor(private readonly tabs: Tab[], label: string) {
    this.list = h('div', { role: 'tablist', 'aria-label': label, className: 'tabs' });
    for (const tab of tabs) {
      const button = h('button', { role: 'tab', id: `tab-${tab.id}`, 'aria-controls': `panel-${tab.id}`, type: 'button', text: tab.label });
      button.addEventListener('click', () => this.select(tab.id));
      button.addEventListener('keydown', (e) => this.onKey(e, tab.id));
      this.buttons.set(tab.id, button);
      this.list.append(button);
      tab.panel.id = `panel-${tab.id}`;
      tab.panel.setAttribute('role', 'tabpanel');
      tab.panel.setAttribute('aria-labelledby', `tab-${tab.id}`);
    }
    this.select(tabs[0]!.id, false);
  }

  onChange(listener: (id: string) => void): void {
    this.listeners.add(listener);
  }

  select(id: string, focus = false): void {
    this.current = id;
    for (const tab of this.tabs) {
      const on = tab.id === id;
      const button = this.buttons.get(tab.id)!;
      button.setAttribute('aria-selected', String(on));
      button.tabIndex = on ? 0 : -1;
      tab.panel.hidden = !on;
      if (on && focus) button.focus();
    }
    for (const l of this.listeners) l(id);
  }

  private onKey(e: KeyboardEvent, id: string): void {
    const ids = this.tabs.map((t) => t.id);
    const at = ids.indexOf(id);
    const to = e.key === 'ArrowRight' ? ids[(at + 1) % ids.length] : e.key === 'ArrowLeft' ? ids[(at - 1 + ids.length) % ids.length] : e.key === 'Home' ? ids[0] : e.key === 'End' ? ids[ids.length - 1] : undefined;
    if (!to) return;
    e.preventDefault();
    this.select(to, true);
  }
}
