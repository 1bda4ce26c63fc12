// What the user reads: job progress, latencies, run outputs, the status bar's
// text. Plain strings, so the tests pin them.
import type { JobProgress, Schemas } from './rpc';

export type RunResult = Schemas.RunStartJobResult;
export type RunOutput = RunResult['outputs'][number];

const jobVerb: Record<string, string> = {
  'model/import': 'Import',
  import: 'Import',
  'compile/start': 'Compile',
  compile: 'Compile',
  'run/start': 'Run',
  run: 'Run',
  'profile/start': 'Profile',
  profile: 'Profile',
};

/** "Compile tiny.mlir: 40% lowering to LLVM" */
export function formatProgress(subject: string, p: Pick<JobProgress, 'kind' | 'progress' | 'message'>): string {
  const verb = jobVerb[p.kind] ?? (p.kind || 'Job');
  const pct = Number.isFinite(p.progress) ? Math.round(Math.min(1, Math.max(0, p.progress)) * 100) : 0;
  const message = p.message.trim();
  return `${verb} ${subject}: ${pct}%${message ? ` ${message}` : ''}`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  // Small models run in microseconds.
  if (ms > 0 && ms < 0.01) return `${(ms * 1000).toFixed(2)} µs`;
  if (ms > 0 && ms < 0.1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(3)} ms`;
}

/** "median 1.23 ms (min 1.10 ms, p95 1.50 ms; 10 runs)" */
export function formatLatency(result: Pick<RunResult, 'latencyMs' | 'iterations'>): string {
  const { median, min, p95 } = result.latencyMs;
  return `median ${formatMs(median)} (min ${formatMs(min)}, p95 ${formatMs(p95)}; ${result.iterations} run${result.iterations === 1 ? '' : 's'})`;
}

export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.map((d) => (d < 0 ? '?' : String(d))).join('×');
}

const elementBytes: Record<string, number> = { f16: 2, bf16: 2, f32: 4, f64: 8, i8: 1, i16: 2, i32: 4, i64: 8, u8: 1, u16: 2, u32: 4, u64: 8, bool: 1 };

/** The first `max` values of raw little-endian bytes of a tensor. */
export function decodeValues(dtype: string, bytes: Uint8Array, max: number): (number | bigint | boolean)[] {
  const size = elementBytes[dtype];
  if (!size) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = Math.min(max, Math.floor(bytes.byteLength / size));
  const out: (number | bigint | boolean)[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * size;
    switch (dtype) {
      case 'f32': out.push(view.getFloat32(at, true)); break;
      case 'f64': out.push(view.getFloat64(at, true)); break;
      case 'f16': out.push(halfToFloat(view.getUint16(at, true))); break;
      case 'bf16': out.push(new Float32Array(new Uint32Array([view.getUint16(at, true) << 16]).buffer)[0]!); break;
      case 'i8': out.push(view.getInt8(at)); break;
      case 'i16': out.push(view.getInt16(at, true)); break;
      case 'i32': out.push(view.getInt32(at, true)); break;
      case 'i64': out.push(view.getBigInt64(at, true)); break;
      case 'u8': out.push(view.getUint8(at)); break;
      case 'u16': out.push(view.getUint16(at, true)); break;
      case 'u32': out.push(view.getUint32(at, true)); break;
      case 'u64': out.push(view.getBigUint64(at, true)); break;
      case 'bool': out.push(view.getUint8(at) !== 0); break;
    }
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

export function formatValue(v: number | bigint | boolean): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(4) : v.toPrecision(6).replace(/\.?0+$/, '');
}

export function base64Bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** One line per output: "output: 1×10 f32 [0.12, -0.5, …]" */
export function formatOutput(output: Pick<RunOutput, 'name' | 'dtype' | 'shape'>, values: (number | bigint | boolean)[] | null, total: number): string {
  const head = `${output.name}: ${formatShape(output.shape)} ${output.dtype}`;
  if (!values) return head;
  const more = total > values.length ? ', …' : '';
  return `${head} [${values.map(formatValue).join(', ')}${more}]`;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * Math.max(0, b), 1);
}

/** The text of a run for the output channel and the run view. */
export function formatRunReport(subject: string, result: RunResult, values: Map<string, (number | bigint | boolean)[]>): string {
  const lines = [`Run of ${subject}${result.device ? ` on ${result.device}` : ''}: ${formatLatency(result)}`];
  if (result.compileMs !== undefined) lines.push(`  code generation and JIT: ${formatMs(result.compileMs)}`);
  lines.push('  outputs:');
  for (const o of result.outputs) lines.push(`    ${formatOutput(o, values.get(o.name) ?? null, elementCount(o.shape))}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------- status bar

export type DaemonStatus =
  | { state: 'stopped' }
  | { state: 'starting'; target: string }
  | { state: 'connected'; target: string }
  | { state: 'reconnecting'; target: string; reason: string }
  | { state: 'error'; message: string };

export interface StatusText {
  text: string;
  tooltip: string;
  /** Whether to draw it as an error. */
  error: boolean;
}

/** The status bar item: the daemon's state, and the running job's progress when there is one. */
export function statusText(status: DaemonStatus, job: string | null): StatusText {
  const tail = job ? ` — ${job}` : '';
  switch (status.state) {
    case 'stopped':
      return { text: `$(circle-outline) openoptd: stopped${tail}`, tooltip: 'OpenOptimizer: no daemon connected; one is started when a command needs it', error: false };
    case 'starting':
      return { text: `$(sync~spin) openoptd: starting${tail}`, tooltip: `OpenOptimizer: connecting to ${status.target}`, error: false };
    case 'connected':
      return { text: `$(${job ? 'sync~spin' : 'check'}) openoptd: ${hostOf(status.target)}${tail}`, tooltip: `OpenOptimizer: connected to ${status.target}`, error: false };
    case 'reconnecting':
      return { text: `$(warning) openoptd: reconnecting${tail}`, tooltip: `OpenOptimizer: ${status.target}: ${status.reason}`, error: true };
    case 'error':
      return { text: `$(error) openoptd: error${tail}`, tooltip: `OpenOptimizer: ${status.message}`, error: true };
  }
}

function hostOf(target: string): string {
  try {
    return new URL(target).host || target;
  } catch {
    return target;
  }
}
