// What both webviews share: the VS Code messaging API, and the layout worker.
// A webview may not start a worker from its resource origin, so the worker's
// script is fetched once and started from a blob: URL (the build replaces the
// web UI's `new URL('./layout.worker.ts', import.meta.url)` with workerUrl()).
import '../../../webui/src/styles.css';
import './webview.css';

interface VsCodeApi<T> {
  postMessage(message: T): void;
}
declare function acquireVsCodeApi<T>(): VsCodeApi<T>;

export function vscodeApi<T>(): VsCodeApi<T> {
  return acquireVsCodeApi<T>();
}

const workerUrls = new Map<string, string>();

/** Fetches the worker scripts the page names (data-worker-* on <body>). */
export async function prepareWorkers(): Promise<void> {
  const src = document.body.dataset.layoutWorker;
  if (!src) throw new Error('the page names no layout worker');
  const res = await fetch(src);
  if (!res.ok) throw new Error(`the layout worker could not be loaded: HTTP ${res.status}`);
  const code = await res.text();
  workerUrls.set('layout.worker', URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
}

(globalThis as { openoptWorkerUrl?: (name: string) => string }).openoptWorkerUrl = (name: string): string => {
  const url = workerUrls.get(name);
  if (!url) throw new Error(`worker ${name} is not loaded`);
  return url;
};

/** A line under the toolbar for what is going on (loading, errors). */
export function statusLine(): { root: HTMLElement; set(text: string, error?: boolean): void } {
  const root = document.createElement('p');
  root.className = 'webview-status';
  root.setAttribute('role', 'status');
  return {
    root,
    set(text: string, error = false) {
      root.textContent = text;
      root.hidden = !text;
      root.classList.toggle('error', error);
    },
  };
}
