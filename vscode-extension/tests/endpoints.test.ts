import { describe, expect, it } from 'vitest';
import { apiUrl, artifactUrl, authHeaders, httpUrl, lspUrl, redact, webUiUrl } from '../src/core/endpoints';

describe('endpoints', () => {
  it('from a ws base', () => {
    expect(apiUrl('ws://gpu-box:8787')).toBe('ws://gpu-box:8787/api');
    expect(lspUrl('ws://gpu-box:8787')).toBe('ws://gpu-box:8787/lsp');
    expect(httpUrl('ws://gpu-box:8787')).toBe('http://gpu-box:8787/');
  });

  it('TLS stays TLS', () => {
    expect(apiUrl('https://h:1')).toBe('wss://h:1/api');
    expect(httpUrl('wss://h:1', '/healthz')).toBe('https://h:1/healthz');
  });

  it('a path prefix is kept', () => {
    expect(lspUrl('ws://proxy/openopt')).toBe('ws://proxy/openopt/lsp');
    expect(artifactUrl('http://proxy/openopt', 'a'.repeat(64))).toBe(`http://proxy/openopt/artifacts/${'a'.repeat(64)}`);
  });

  it('the web UI address carries the token; logs do not', () => {
    const url = webUiUrl({ base: 'http://127.0.0.1:4000', token: 's3cret' });
    expect(url).toBe('http://127.0.0.1:4000/?token=s3cret');
    expect(redact(url)).toBe('http://127.0.0.1:4000/?token=…');
    expect(webUiUrl({ base: 'ws://h:1', token: null })).toBe('http://h:1/');
  });

  it('refuses what is not an address or a hash', () => {
    expect(() => apiUrl('ftp://h')).toThrow(/not a daemon address/);
    expect(() => artifactUrl('http://h', '../etc/passwd')).toThrow(/not an artifact hash/);
  });

  it('auth headers', () => {
    expect(authHeaders('t')).toEqual({ Authorization: 'Bearer t' });
    expect(authHeaders(null)).toEqual({});
  });
});
