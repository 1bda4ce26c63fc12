// The daemon's token: taken once from the address the daemon prints
// (`/?token=...`, then dropped from the address bar) or asked for, and kept in
// this browser's local storage.
const storageKey = 'openopt.token';

export interface TokenStore {
  get(): string | null;
  set(token: string): void;
  clear(): void;
}

export function localTokenStore(storage: Storage = window.localStorage): TokenStore {
  return {
    get: () => storage.getItem(storageKey),
    set: (token) => storage.setItem(storageKey, token),
    clear: () => storage.removeItem(storageKey),
  };
}

/** Moves ?token= from the address into the store; returns the address without it. */
export function takeTokenFromUrl(href: string, store: TokenStore): string | null {
  const url = new URL(href);
  const token = url.searchParams.get('token');
  if (!token) return null;
  store.set(token);
  url.searchParams.delete('token');
  return url.pathname + (url.search === '?' ? '' : url.search) + url.hash;
}

/** Whether the daemon accepts the token (an authenticated, cheap HTTP route). */
export async function checkToken(origin: string, token: string): Promise<'ok' | 'refused' | 'unreachable'> {
  try {
    const res = await fetch(`${origin}/healthz`, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
    if (res.status === 401) return 'refused';
    return res.ok ? 'ok' : 'unreachable';
  } catch {
    return 'unreachable';
  }
}

export function wsUrl(origin: string, path: '/api' | '/lsp', token: string): string {
  const url = new URL(path, origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', token);
  return url.toString();
}
