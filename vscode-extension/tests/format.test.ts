import { describe, expect, it } from 'vitest';
import { decodeValues, formatLatency, formatMs, formatOutput, formatProgress, formatRunReport, statusText } from '../src/core/format';

describe('format', () => {
  it('job progress', () => {
    expect(formatProgress('tiny.mlir', { kind: 'compile', progress: 0.4, message: 'lowering to LLVM' })).toBe('Compile tiny.mlir: 40% lowering to LLVM');
    expect(formatProgress('tiny.mlir', { kind: 'run/start', progress: 1.7, message: '' })).toBe('Run tiny.mlir: 100%');
    expect(formatProgress('m', { kind: 'tune', progress: Number.NaN, message: ' x ' })).toBe('tune m: 0% x');
  });

  it('milliseconds with sensible digits', () => {
    expect(formatMs(0.000987)).toBe('0.99 µs');
    expect(formatMs(0.01234)).toBe('12.3 µs');
    expect(formatMs(0.1234)).toBe('0.123 ms');
    expect(formatMs(1.234)).toBe('1.23 ms');
    expect(formatMs(12.34)).toBe('12.3 ms');
    expect(formatMs(1234.5)).toBe('1235 ms');
  });

  it('latency', () => {
    expect(formatLatency({ latencyMs: { median: 1.5, min: 1.25, p95: 2 }, iterations: 10 })).toBe('median 1.50 ms (min 1.25 ms, p95 2.00 ms; 10 runs)');
    expect(formatLatency({ latencyMs: { median: 1, min: 1, p95: 1 }, iterations: 1 })).toMatch(/; 1 run\)$/);
  });

  it('decodes little-endian values of each dtype', () => {
    const b = (a: ArrayBufferView) => new Uint8Array(a.buffer);
    expect(decodeValues('f32', b(new Float32Array([1.5, -2, 3])), 2)).toEqual([1.5, -2]);
    expect(decodeValues('i64', b(new BigInt64Array([5n, -7n])), 8)).toEqual([5n, -7n]);
    expect(decodeValues('f16', new Uint8Array([0x00, 0x3c, 0x00, 0xc0]), 8)).toEqual([1, -2]);
    expect(decodeValues('bf16', new Uint8Array([0xc0, 0x3f]), 8)).toEqual([1.5]);
    expect(decodeValues('bool', new Uint8Array([0, 1]), 8)).toEqual([false, true]);
    expect(decodeValues('c64', new Uint8Array(8), 8)).toEqual([]);
  });

  it('an output line', () => {
    expect(formatOutput({ name: 'logits', dtype: 'f32', shape: [1, 10] }, [0.125, -3.5e-7, 123456.5], 10)).toBe('logits: 1×10 f32 [0.125, -3.5000e-7, 1.2346e+5, …]');
    expect(formatOutput({ name: 'y', dtype: 'i64', shape: [] }, null, 1)).toBe('y: scalar i64');
  });

  it('the run report', () => {
    const text = formatRunReport('tiny.mlir @main', {
      outputs: [{ name: 'output', dtype: 'f32', shape: [1, 2], npy: { hash: 'a'.repeat(64), bytes: 1, mediaType: 'x' } }],
      latencyMs: { median: 0.05, min: 0.04, p95: 0.06 }, iterations: 10, compileMs: 80, device: 'cpu',
    }, new Map([['output', [1, 2]]]));
    expect(text.split('\n')).toEqual([
      'Run of tiny.mlir @main on cpu: median 50.0 µs (min 40.0 µs, p95 60.0 µs; 10 runs)',
      '  code generation and JIT: 80.0 ms',
      '  outputs:',
      '    output: 1×2 f32 [1, 2]',
    ]);
  });

  it('the status bar', () => {
    expect(statusText({ state: 'stopped' }, null).text).toBe('$(circle-outline) openoptd: stopped');
    expect(statusText({ state: 'connected', target: 'ws://gpu-box:8787' }, null).text).toBe('$(check) openoptd: gpu-box:8787');
    expect(statusText({ state: 'connected', target: 'http://127.0.0.1:4000' }, 'Run tiny.mlir: 50%').text).toBe('$(sync~spin) openoptd: 127.0.0.1:4000 — Run tiny.mlir: 50%');
    const lost = statusText({ state: 'reconnecting', target: 'ws://h:1', reason: 'connection refused' }, null);
    expect(lost).toMatchObject({ text: '$(warning) openoptd: reconnecting', error: true });
    expect(lost.tooltip).toMatch(/connection refused/);
    expect(statusText({ state: 'error', message: 'openopt.remoteUrl: bad' }, null)).toMatchObject({ text: '$(error) openoptd: error', tooltip: 'OpenOptimizer: openopt.remoteUrl: bad', error: true });
  });
});
