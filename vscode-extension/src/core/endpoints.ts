// Addresses of a daemon's endpoints, from its base address (ws://host:port or
// http://host:port, with an optional path prefix). The token travels in the
// Authorization header where the client can set one (Node's ws); the browser
// (Open web UI) gets it as ?token=, which the web UI moves into its storage.

export interface Daemon {
  /** ws://, wss://, http:// or https://; no trailing slash. */
  base: string;
  token: string | null;
}

function parse(base: string): URL {
  const url = new URL(base);
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) throw new Error(`not a daemon address: ${base}`);
  return url;
}

function withPath(base: string, scheme: 'ws' | 'http', suffix: string): URL {
  const url = parse(base);
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  const prefix = url.pathname.replace(/\/+$/, '');
  const out = new URL(`${scheme}${secure ? 's' : ''}://${url.host}${prefix}${suffix}`);
  return out;
}

export function apiUrl(base: string): string {
  return withPath(base, 'ws', '/api').toString();
}

export function lspUrl(base: string): string {
  return withPath(base, 'ws', '/lsp').toString();
}

export function httpUrl(base: string, suffix = '/'): string {
  return withPath(base, 'http', suffix).toString();
}

/** The web UI's address with the token, for the user's browser. */
export function webUiUrl(daemon: Daemon): string {
  const url = withPath(daemon.base, 'http', '/');
  if (daemon.token) url.searchParams.set('token', daemon.token);
  return url.toString();
}

export function artifactUrl(base: string, hash: string): string {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`not an artifact hash: ${hash}`);
  return withPath(base, 'http', `/artifacts/${hash}`).toString();
}

export function authHeaders(token: string | null): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** An address fit for a log line or a message: any token replaced. */
export function redact(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/g, '$1…');
}
