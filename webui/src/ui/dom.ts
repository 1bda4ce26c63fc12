// Small DOM helpers: the app builds its views without a framework.
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string | number | boolean | EventListener | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'className') el.className = String(value);
    else if (key === 'text') el.textContent = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** A progress bar with a label, for jobs and layouts. */
export function progressBar(label: string): { root: HTMLElement; set(fraction: number | null, text?: string): void } {
  const bar = h('div', { className: 'bar-fill' });
  const text = h('span', { className: 'bar-text', text: label });
  const root = h('div', { className: 'progress', role: 'progressbar', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': 100 }, bar, text);
  return {
    root,
    set(fraction, message) {
      if (fraction === null) {
        root.classList.add('indeterminate');
        root.removeAttribute('aria-valuenow');
      } else {
        root.classList.remove('indeterminate');
        bar.style.width = `${Math.round(fraction * 100)}%`;
        root.setAttribute('aria-valuenow', String(Math.round(fraction * 100)));
      }
      text.textContent = message ?? label;
    },
  };
}

export function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
