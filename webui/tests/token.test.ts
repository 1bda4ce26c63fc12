import { describe, expect, it } from 'vitest';
import { takeTokenFromUrl, wsUrl, type TokenStore } from '../src/api/token';

function memoryStore(initial: string | null = null): TokenStore & { value: string | null; sets: number } {
  const store = {
    value: initial,
    sets: 0,
    get: () => store.value,
    set: (t: string) => {
      store.value = t;
      store.sets++;
    },
    clear: () => {
      store.value = null;
    },
  };
  return store;
}

describe('takeTokenFromUrl', () => {
  it('moves the token into the store and drops it from the address', () => {
    const store = memoryStore();
    expect(takeTokenFromUrl('http://127.0.0.1:8765/?token=abc123', store)).toBe('/');
    expect(store.value).toBe('abc123');
  });

  it('keeps the other parameters, their order, and the hash', () => {
    const store = memoryStore();
    expect(takeTokenFromUrl('http://localhost:8765/app?view=graph&token=s3cr%2Bt&model=m1#passes', store)).toBe('/app?view=graph&model=m1#passes');
    expect(store.value).toBe('s3cr+t');
  });

  it('keeps the hash when the token was the only parameter', () => {
    const store = memoryStore();
    expect(takeTokenFromUrl('https://host/?token=t#runs', store)).toBe('/#runs');
  });

  it('returns null and stores nothing without a token', () => {
    const store = memoryStore('old');
    expect(takeTokenFromUrl('http://localhost:8765/?view=graph#x', store)).toBeNull();
    expect(takeTokenFromUrl('http://localhost:8765/?token=', store)).toBeNull();
    expect(store.value).toBe('old');
    expect(store.sets).toBe(0);
  });
});

describe('wsUrl', () => {
  it('uses ws: for http and wss: for https', () => {
    expect(wsUrl('http://127.0.0.1:8765', '/api', 'tok')).toBe('ws://127.0.0.1:8765/api?token=tok');
    expect(wsUrl('https://opt.example.com', '/lsp', 'tok')).toBe('wss://opt.example.com/lsp?token=tok');
  });

  it('encodes the token', () => {
    const url = wsUrl('http://localhost:8765', '/api', 'a+b/c=d&e f');
    expect(url.startsWith('ws://localhost:8765/api?token=')).toBe(true);
    expect(url).not.toContain('a+b/c=d&e f');
    expect(new URL(url).searchParams.get('token')).toBe('a+b/c=d&e f');
  });

  it('ignores any path of the origin', () => {
    expect(wsUrl('http://localhost:8765/some/page?x=1', '/api', 't')).toBe('ws://localhost:8765/api?token=t');
  });
});
