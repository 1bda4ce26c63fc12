// Entry point: get the token (from the address the daemon printed, from
// this browser's storage, or by asking), connect to WS /api and start the app.
import './styles.css';
import { App } from './app/App';
import { RpcClient } from './api/rpc';
import { checkToken, localTokenStore, takeTokenFromUrl, wsUrl } from './api/token';
import { h } from './ui/dom';

declare global {
  interface Window {
    /** For tests and benchmarks: the running app. */
    openopt?: App;
  }
}

const store = localTokenStore();
const origin = location.origin;

function askForToken(reason: string): Promise<string> {
  return new Promise((resolve) => {
    const input = h('input', { type: 'password', id: 'token-input', autocomplete: 'off', required: true, 'aria-describedby': 'token-help' }) as HTMLInputElement;
    const error = h('p', { className: 'message', role: 'alert', text: reason });
    const form = h('form', { className: 'token-form' },
      h('h1', { text: 'OpenOptimizer' }),
      h('label', { for: 'token-input', text: 'Access token' }), input,
      h('p', { id: 'token-help', className: 'muted', text: 'openoptd printed an admin token when it started (or create one with token/create). It is kept in this browser.' }),
      error,
      h('button', { type: 'submit', className: 'primary', text: 'Connect' }));
    const dialog = h('div', { className: 'token-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'token-title' }, form);
    form.querySelector('h1')!.id = 'token-title';
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const token = input.value.trim();
      const verdict = await checkToken(origin, token);
      if (verdict === 'refused') {
        error.textContent = 'openoptd refused this token.';
        return;
      }
      if (verdict === 'unreachable') {
        error.textContent = 'openoptd is not reachable; is it running?';
        return;
      }
      store.set(token);
      dialog.remove();
      resolve(token);
    });
    document.body.append(dialog);
    input.focus();
  });
}

async function main(): Promise<void> {
  const cleaned = takeTokenFromUrl(location.href, store);
  if (cleaned !== null) history.replaceState(null, '', cleaned);
  let token = store.get();
  if (!token) token = await askForToken('');
  else if ((await checkToken(origin, token)) === 'refused') {
    store.clear();
    token = await askForToken('The stored token is no longer accepted.');
  }
  const current = token;
  const client = new RpcClient({ url: wsUrl(origin, '/api', current) });
  const app = new App({ client, origin, token: () => current, lspUrl: () => wsUrl(origin, '/lsp', current) });
  document.body.append(app.root);
  window.openopt = app;
  await app.start();
  document.body.dataset.ready = 'true';
}

void main().catch((e) => {
  document.body.append(h('p', { className: 'message', role: 'alert', text: `The app failed to start: ${(e as Error).message}` }));
});
