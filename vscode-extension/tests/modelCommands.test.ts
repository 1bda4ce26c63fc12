import { describe, expect, it } from 'vitest';
import { COMMAND_CALLS, JobFailed, ModelCommands, type ArtifactSource, type DaemonApi } from '../src/core/modelCommands';
import { DaemonError, type JobOutcome } from '../src/core/rpc';

const MODEL = 'f'.repeat(64);
const COMPILE = 'c'.repeat(32);
const model = { id: MODEL, name: 'tiny.mlir', bytes: 10, createdAt: '', inputs: [], outputs: [], opCount: 5 };
const compile = { id: COMPILE, model: MODEL, recipeName: 'default', recipeHash: MODEL, cacheKey: MODEL, cache: 'miss', compileMs: 12, opsBefore: 5, opsAfterGraphPasses: 4, passCount: 3, artifacts: {}, createdAt: '' };
const f32 = (values: number[]) => Buffer.from(new Float32Array(values).buffer).toString('base64');

interface Recorded {
  method: string;
  params: Record<string, unknown>;
}

/** A daemon that answers each method as the test says, recording the calls. */
function fakeApi(jobs: Record<string, JobOutcome<unknown>>, calls: Record<string, unknown> = {}): { api: DaemonApi; log: Recorded[] } {
  const log: Recorded[] = [];
  let n = 0;
  const api: DaemonApi = {
    call: (async (method: string, params: Record<string, unknown>) => {
      log.push({ method, params });
      if (!(method in calls)) throw new Error(`unexpected call ${method}`);
      return calls[method];
    }) as DaemonApi['call'],
    job: (async (method: string, params: Record<string, unknown>, onProgress?: (p: { job: string; kind: string; progress: number; message: string }) => void, options?: { onStarted?: (job: string) => void }) => {
      log.push({ method, params });
      const job = String(++n).padStart(32, '0');
      options?.onStarted?.(job);
      onProgress?.({ job, kind: method, progress: 0.5, message: 'half way' });
      const outcome = jobs[method];
      if (!outcome) throw new Error(`unexpected job ${method}`);
      return { ...outcome, started: { job } };
    }) as DaemonApi['job'],
  };
  return { api, log };
}

const noArtifacts: ArtifactSource = {
  text: async () => {
    throw new Error('no artifacts here');
  },
  bytes: async () => {
    throw new Error('no artifacts here');
  },
};

const source = { name: 'tiny.mlir', bytes: new TextEncoder().encode('func.func @main() { return }\n') };
const builtIn = { text: null, name: null };

describe('ModelCommands', () => {
  it('Run: imports the text as an .mlir model, compiles, runs; decodes the first output values', async () => {
    const { api, log } = fakeApi({
      'model/import': { state: 'done', result: { model, existing: false } },
      'compile/start': { state: 'done', result: { compile } },
      'run/start': { state: 'done', result: { outputs: [{ name: 'output', dtype: 'f32', shape: [1, 3], npy: { hash: MODEL, bytes: 140, mediaType: 'application/x-numpy' }, data: f32([0.5, -1, 2]) }], latencyMs: { median: 0.2, min: 0.1, p95: 0.3 }, iterations: 7 } },
    });
    const progress: string[] = [];
    const commands = new ModelCommands(api, noArtifacts, (subject, p) => progress.push(`${subject} ${p.kind} ${p.progress}`));
    const report = await commands.run(source, builtIn, 7);
    expect(log.map((c) => c.method)).toEqual(COMMAND_CALLS.run);
    expect(log[0]!.params).toEqual({ name: 'tiny.mlir', data: Buffer.from(source.bytes).toString('base64') });
    expect(log[1]!.params).toEqual({ model: MODEL });
    expect(log[2]!.params).toEqual({ compile: COMPILE, iterations: 7 });
    expect(report.values.get('output')).toEqual([0.5, -1, 2]);
    expect(progress).toEqual(['tiny.mlir model/import 0.5', 'tiny.mlir model/import 1', 'tiny.mlir compile/start 0.5', 'tiny.mlir compile/start 1', 'tiny.mlir run/start 0.5', 'tiny.mlir run/start 1']);
  });

  it('sends the recipe text and its name when one is chosen', async () => {
    const { api, log } = fakeApi({ 'model/import': { state: 'done', result: { model, existing: true } }, 'compile/start': { state: 'done', result: { compile } } });
    await new ModelCommands(api, noArtifacts).compile(source, { text: '{"target":{"kind":"cpu","threads":4}}', name: 'fast.recipe.json' });
    expect(log[1]!.params).toEqual({ model: MODEL, recipe: '{"target":{"kind":"cpu","threads":4}}', recipeName: 'fast.recipe.json' });
  });

  it('imports the same text once', async () => {
    const { api, log } = fakeApi({ 'model/import': { state: 'done', result: { model, existing: false } }, 'compile/start': { state: 'done', result: { compile } } });
    const commands = new ModelCommands(api, noArtifacts);
    await commands.compile(source, builtIn);
    await commands.compile(source, builtIn);
    await commands.compile({ ...source, bytes: new TextEncoder().encode('changed') }, builtIn);
    expect(log.map((c) => c.method)).toEqual(['model/import', 'compile/start', 'compile/start', 'model/import', 'compile/start']);
  });

  it('a model the daemon no longer knows is imported again', async () => {
    const { api, log } = fakeApi({ 'model/import': { state: 'done', result: { model, existing: false } }, 'compile/start': { state: 'done', result: { compile } } });
    const commands = new ModelCommands(api, noArtifacts);
    await commands.compile(source, builtIn);
    const job = api.job;
    let refused = false;
    api.job = (async (...args: Parameters<DaemonApi['job']>) => {
      if (args[0] === 'compile/start' && !refused) {
        refused = true;
        throw new DaemonError('rpc', 'compile/start: no model ffff…', -32602);
      }
      return job(...args);
    }) as DaemonApi['job'];
    await commands.compile(source, builtIn);
    expect(log.map((c) => c.method)).toEqual(['model/import', 'compile/start', 'model/import', 'compile/start']);
  });

  it('Show graph: the imported model\'s graph, no compile', async () => {
    const graph = { format: 'openopt-graph', version: 1, function: 'main', after: null, nodes: [], edges: [] };
    const { api, log } = fakeApi({ 'model/import': { state: 'done', result: { model, existing: false } } }, { 'model/graph': { graph } });
    const r = await new ModelCommands(api, noArtifacts).graph(source);
    expect(log.map((c) => c.method)).toEqual(COMMAND_CALLS.showGraph);
    expect(log[1]!.params).toEqual({ model: MODEL });
    expect(r.graph).toEqual(graph);
  });

  it('Show graph: a large graph comes as an artifact', async () => {
    const graph = { format: 'openopt-graph', version: 1, function: 'main', after: null, nodes: [], edges: [] };
    const { api } = fakeApi({ 'model/import': { state: 'done', result: { model, existing: false } } }, { 'model/graph': { artifact: { hash: MODEL, bytes: 9, mediaType: 'application/json' } } });
    const artifacts: ArtifactSource = { text: async () => JSON.stringify(graph), bytes: noArtifacts.bytes };
    expect((await new ModelCommands(api, artifacts).graph(source)).graph).toEqual(graph);
  });

  it('Show passes: the timeline rows, with the graph passes counted up to code generation', async () => {
    const pass = (index: number, argument: string, changed: boolean) => ({ index, pass: argument, argument, anchor: 'func.func @main', depth: 1, wallMs: 1, opsBefore: 5, opsAfter: changed ? 4 : 5, changed, failed: false });
    const passes = [pass(0, 'canonicalize', false), pass(1, 'openopt-fold-batchnorm', true), pass(2, 'canonicalize', true), pass(3, 'openopt-convert-nn-to-linalg', true), pass(4, 'cse', false)];
    const { api, log } = fakeApi({ 'model/import': { state: 'done', result: { model, existing: false } }, 'compile/start': { state: 'done', result: { compile } } }, {
      'compile/passes': { pipeline: 'p', passes },
      'compile/diff': { pass: 2, argument: 'canonicalize', changed: true, functions: [] },
      'model/graph': { graph: { nodes: [] } },
    });
    const commands = new ModelCommands(api, noArtifacts);
    const list = await commands.passes(source, builtIn);
    expect(log.map((c) => c.method)).toEqual(COMMAND_CALLS.showPasses);
    expect(list.graphPasses).toBe(3);
    expect(list.rows.map((r) => [r.delta, r.occurrence])).toEqual([[0, 1], [-1, 1], [-1, 2], [-1, 1], [0, 1]]);
    // The second canonicalize: the graph after "canonicalize#2".
    const detail = await commands.passDetail(list, 2, true);
    expect(log.slice(-2)).toEqual([
      { method: 'compile/diff', params: { compile: COMPILE, pass: 2 } },
      { method: 'model/graph', params: { model: MODEL, compile: COMPILE, after: 'canonicalize#2' } },
    ]);
    expect(detail.graphTitle).toBe('Graph after canonicalize#2');
    // A code generation pass: the graph after all graph passes.
    await commands.passDetail(list, 4, true);
    expect(log.at(-1)).toEqual({ method: 'model/graph', params: { model: MODEL, compile: COMPILE } });
  });

  it('a failed compile says what the compiler said', async () => {
    const { api, log } = fakeApi({
      'model/import': { state: 'done', result: { model, existing: false } },
      'compile/start': { state: 'failed', error: { code: -32014, message: 'tiny.mlir:7:10: Conv: weight has 4 input channels but the input has 3' } },
    });
    const e = await new ModelCommands(api, noArtifacts).run(source, builtIn, 10).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(JobFailed);
    expect((e as Error).message).toBe('Compile of tiny.mlir failed: tiny.mlir:7:10: Conv: weight has 4 input channels but the input has 3');
    expect(log.map((c) => c.method)).toEqual(['model/import', 'compile/start']);
  });

  it('an interrupted run says the daemon stopped', async () => {
    const { api } = fakeApi({
      'model/import': { state: 'done', result: { model, existing: false } },
      'compile/start': { state: 'done', result: { compile } },
      'run/start': { state: 'interrupted', error: { code: -32010, message: 'interrupted' } },
    });
    await expect(new ModelCommands(api, noArtifacts).run(source, builtIn, 10)).rejects.toThrow(/^Run of tiny\.mlir was interrupted: the daemon stopped while it ran/);
  });

  it('cancelling asks the daemon to cancel the running job', async () => {
    let cancelListener: (() => void) | null = null;
    const cancel = { cancelled: false, onCancel: (l: () => void) => (cancelListener = l) };
    const calls: Record<string, unknown> = { 'job/cancel': {} };
    const { api, log } = fakeApi({ 'model/import': { state: 'cancelled', error: { code: -32011, message: 'cancelled' } } }, calls);
    const origJob = api.job;
    api.job = (async (...args: Parameters<DaemonApi['job']>) => {
      const r = origJob(...args);
      cancelListener?.();
      return r;
    }) as DaemonApi['job'];
    const e = await new ModelCommands(api, noArtifacts).importModel(source, cancel).catch((x: unknown) => x);
    expect((e as JobFailed).state).toBe('cancelled');
    expect(log.map((c) => c.method)).toEqual(['model/import', 'job/cancel']);
    expect(log[1]!.params).toEqual({ job: '1'.padStart(32, '0') });
  });
});
