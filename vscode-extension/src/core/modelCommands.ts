// What each command asks of the daemon, in order. The document's text is the
// model (`model/import` under its .mlir name; an .onnx file as its bytes),
// compiled with the chosen recipe; then:
//   Run          → run/start, outputs and latency
//   Show graph   → model/graph of the imported model (no compile)
//   Show passes  → compile/passes; per selected pass compile/diff and model/graph {after}
//   Profile      → profile/start, the per-op table
// Calls go through an interface so the tests can record them.
import type { GraphDocument, ProfileDocument } from '../../../webui/src/generated/schemas';
import { parseNpy } from '../../../webui/src/runs/npy';
import { graphAfterArgument, timelineRows, type TimelineRow } from '../../../webui/src/passes/timeline';
import { base64Bytes, decodeValues } from './format';
import type { RecipeChoice } from './recipe';
import { createHash } from 'node:crypto';
import { DaemonError, type JobOutcome, type JobProgress, type JobResults, type Method, type Params, type Result, type Schemas } from './rpc';

export interface DaemonApi {
  call<M extends Method>(method: M, params: Params<M>, options?: { timeoutMs?: number }): Promise<Result<M>>;
  job<M extends Method & keyof JobResults>(
    method: M,
    params: Params<M>,
    onProgress?: (p: JobProgress) => void,
    options?: { timeoutMs?: number; callTimeoutMs?: number; onStarted?: (job: string) => void },
  ): Promise<JobOutcome<JobResults[M]> & { started: Schemas.CommonJobStarted }>;
}

export interface ArtifactSource {
  text(ref: Schemas.CommonArtifactRef): Promise<string>;
  bytes(ref: Schemas.CommonArtifactRef): Promise<Uint8Array>;
}

export interface ModelSource {
  /** The file name (ends in .mlir for IR text, .onnx for a model file). */
  name: string;
  bytes: Uint8Array;
}

export type CommandName = 'run' | 'showGraph' | 'showPasses' | 'profile' | 'compile';

/** The daemon calls each command makes, in order (compile/start is skipped on a cache hit by the daemon, not here). */
export const COMMAND_CALLS: Record<CommandName, Method[]> = {
  run: ['model/import', 'compile/start', 'run/start'],
  showGraph: ['model/import', 'model/graph'],
  showPasses: ['model/import', 'compile/start', 'compile/passes'],
  profile: ['model/import', 'compile/start', 'profile/start'],
  compile: ['model/import', 'compile/start'],
};

export class JobFailed extends Error {
  constructor(message: string, readonly state: string, readonly code?: number) {
    super(message);
    this.name = 'JobFailed';
  }
}

export interface Progress {
  (subject: string, p: JobProgress): void;
}

export interface Cancellation {
  readonly cancelled: boolean;
  onCancel(listener: () => void): void;
}

export interface CompileRef {
  model: Schemas.CommonModelSummary;
  compile: Schemas.CommonCompileSummary;
}

export interface RunReport extends CompileRef {
  result: Schemas.RunStartJobResult;
  /** The first values of each output (inline data, else the .npy artifact when small). */
  values: Map<string, (number | bigint | boolean)[]>;
}

export interface PassList extends CompileRef {
  rows: TimelineRow[];
  pipeline: string;
  /** Rows before code generation: the recipe's graph passes. */
  graphPasses: number;
}

export interface PassDetail {
  index: number;
  diff: Schemas.CompileDiffResult;
  /** The graph after this graph pass, or after all graph passes for code generation's. */
  graph: GraphDocument | null;
  graphTitle: string;
  /** Why the graph could not be had (the diff is still shown). */
  graphError: string | null;
}

const VALUES_SHOWN = 8;

function importKey(source: ModelSource): string {
  return `${source.name}\0${createHash('sha256').update(source.bytes).digest('hex')}`;
}
const NPY_FETCH_LIMIT = 4 << 20;

export class ModelCommands {
  /** content key → model id: the same text is not imported twice. */
  private imported = new Map<string, Schemas.CommonModelSummary>();

  constructor(
    private readonly api: DaemonApi,
    private readonly artifacts: ArtifactSource,
    private readonly progress: Progress = () => {},
    private readonly jobTimeoutMs = 15 * 60_000,
  ) {}

  async importModel(source: ModelSource, cancel?: Cancellation): Promise<Schemas.CommonModelSummary> {
    const key = importKey(source);
    const known = this.imported.get(key);
    if (known) return known;
    const outcome = await this.job('model/import', { name: source.name, data: Buffer.from(source.bytes).toString('base64') }, `Import of ${source.name}`, source.name, cancel);
    this.imported.set(key, outcome.model);
    if (this.imported.size > 32) this.imported.delete(this.imported.keys().next().value!);
    return outcome.model;
  }

  async compile(source: ModelSource, recipe: RecipeChoice, cancel?: Cancellation): Promise<CompileRef> {
    const cached = this.imported.has(importKey(source));
    const model = await this.importModel(source, cancel);
    const params: Params<'compile/start'> = { model: model.id };
    if (recipe.text !== null) {
      params.recipe = recipe.text;
      if (recipe.name) params.recipeName = recipe.name;
    }
    try {
      const outcome = await this.job('compile/start', params, `Compile of ${source.name}`, source.name, cancel);
      return { model, compile: outcome.compile };
    } catch (e) {
      // A daemon at the same address with another database does not know the
      // model imported earlier: import it again, once.
      if (!cached || !(e instanceof DaemonError) || e.kind !== 'rpc') throw e;
      this.imported.delete(importKey(source));
      const again = await this.importModel(source, cancel);
      const outcome = await this.job('compile/start', { ...params, model: again.id }, `Compile of ${source.name}`, source.name, cancel);
      return { model: again, compile: outcome.compile };
    }
  }

  async run(source: ModelSource, recipe: RecipeChoice, iterations: number, cancel?: Cancellation): Promise<RunReport> {
    const ref = await this.compile(source, recipe, cancel);
    const result = await this.job('run/start', { compile: ref.compile.id, iterations }, `Run of ${source.name}`, source.name, cancel);
    const values = new Map<string, (number | bigint | boolean)[]>();
    for (const o of result.outputs) {
      try {
        if (o.data !== undefined) values.set(o.name, decodeValues(o.dtype, base64Bytes(o.data), VALUES_SHOWN));
        else if (o.npy.bytes <= NPY_FETCH_LIMIT) {
          const npy = parseNpy(await this.artifacts.bytes(o.npy), `${o.name}.npy`);
          values.set(o.name, decodeValues(npy.dtype, npy.data, VALUES_SHOWN));
        }
      } catch {
        // values are a nicety; the shapes and the latency are the report
      }
    }
    return { ...ref, result, values };
  }

  async graph(source: ModelSource, cancel?: Cancellation): Promise<{ model: Schemas.CommonModelSummary; graph: GraphDocument }> {
    const model = await this.importModel(source, cancel);
    return { model, graph: await this.fetchGraph({ model: model.id }) };
  }

  async passes(source: ModelSource, recipe: RecipeChoice, cancel?: Cancellation): Promise<PassList> {
    const ref = await this.compile(source, recipe, cancel);
    const { passes, pipeline } = await this.api.call('compile/passes', { compile: ref.compile.id });
    const rows = timelineRows(passes);
    const codegen = rows.findIndex((r) => r.argument.startsWith('openopt-convert-nn-to-linalg'));
    return { ...ref, rows, pipeline, graphPasses: codegen < 0 ? rows.length : codegen };
  }

  /** The diff of one pass and the graph after it (graph passes) or after all graph passes. */
  async passDetail(list: Pick<PassList, 'model' | 'compile' | 'rows' | 'graphPasses'>, index: number, withGraph: boolean): Promise<PassDetail> {
    const row = list.rows.find((r) => r.index === index);
    if (!row) throw new Error(`no pass #${index} in this compile`);
    const diff = await this.api.call('compile/diff', { compile: list.compile.id, pass: index });
    let graph: GraphDocument | null = null;
    let graphError: string | null = null;
    const graphPass = list.rows.indexOf(row) < list.graphPasses;
    const graphTitle = graphPass ? `Graph after ${graphAfterArgument(row)}` : 'Graph after all graph passes';
    if (withGraph) {
      try {
        graph = await this.fetchGraph(graphPass ? { model: list.model.id, compile: list.compile.id, after: graphAfterArgument(row) } : { model: list.model.id, compile: list.compile.id });
      } catch (e) {
        graphError = `${graphTitle}: ${(e as Error).message}`;
      }
    }
    return { index, diff, graph, graphTitle, graphError };
  }

  /** The IR before and after a pass (for the editor's side-by-side diff). */
  async passIr(compile: string, index: number): Promise<{ before: string; after: string }> {
    const [before, after] = await Promise.all([this.irText(compile, index - 1), this.irText(compile, index)]);
    return { before, after };
  }

  async profile(source: ModelSource, recipe: RecipeChoice, iterations: number, cancel?: Cancellation): Promise<CompileRef & { profile: ProfileDocument; result: Schemas.ProfileStartJobResult }> {
    const ref = await this.compile(source, recipe, cancel);
    const result = await this.job('profile/start', { compile: ref.compile.id, iterations }, `Profile of ${source.name}`, source.name, cancel);
    return { ...ref, result, profile: result.profile as unknown as ProfileDocument };
  }

  private async irText(compile: string, pass: number): Promise<string> {
    const r = await this.api.call('compile/ir', { compile, pass });
    return r.ir ?? (r.artifact ? await this.artifacts.text(r.artifact) : '');
  }

  private async fetchGraph(params: Params<'model/graph'>): Promise<GraphDocument> {
    const result = await this.api.call('model/graph', params, { timeoutMs: 120_000 });
    if (result.graph) return result.graph as unknown as GraphDocument;
    if (result.artifact) return JSON.parse(await this.artifacts.text(result.artifact)) as GraphDocument;
    throw new Error('model/graph returned neither a graph nor an artifact');
  }

  /** Starts a job, reports its progress, cancels it on request; its result or a JobFailed saying why. */
  private async job<M extends Method & keyof JobResults>(method: M, params: Params<M>, what: string, subject: string, cancel?: Cancellation): Promise<JobResults[M]> {
    if (cancel?.cancelled) throw new JobFailed(`${what} was cancelled`, 'cancelled');
    let jobId: string | null = null;
    let cancelAsked = false;
    cancel?.onCancel(() => {
      cancelAsked = true;
      if (jobId) void this.api.call('job/cancel', { job: jobId }).catch(() => {});
    });
    let outcome: JobOutcome<JobResults[M]> & { started: Schemas.CommonJobStarted };
    try {
      outcome = await this.api.job(
        method,
        params,
        (p) => this.progress(subject, p),
        {
          timeoutMs: this.jobTimeoutMs,
          callTimeoutMs: method === 'model/import' ? 120_000 : undefined,
          onStarted: (job) => {
            jobId = job;
            if (cancelAsked) void this.api.call('job/cancel', { job }).catch(() => {});
          },
        },
      );
    } finally {
      // The job is over (or never started): whoever shows progress stops.
      if (jobId) this.progress(subject, { job: jobId, kind: method, progress: 1, message: '' });
    }
    if (outcome.state === 'done' && outcome.result !== undefined) return outcome.result;
    const message = outcome.error?.message ?? '';
    if (outcome.state === 'cancelled' || cancelAsked) throw new JobFailed(`${what} was cancelled`, 'cancelled', outcome.error?.code);
    if (outcome.state === 'interrupted') throw new JobFailed(`${what} was interrupted: the daemon stopped while it ran${message ? ` (${message})` : ''}`, 'interrupted', outcome.error?.code);
    throw new JobFailed(`${what} failed: ${message || outcome.state}`, outcome.state, outcome.error?.code);
  }
}
