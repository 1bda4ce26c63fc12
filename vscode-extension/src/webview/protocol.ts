// Messages between the extension host and its webviews (postMessage, JSON).
import type { CompileDiffResult, GraphDocument } from '../../../webui/src/generated/schemas';
import type { TimelineRow } from '../../../webui/src/passes/timeline';

export type HostToGraph =
  | { type: 'loading'; message: string }
  | { type: 'error'; message: string }
  | { type: 'graph'; graph: GraphDocument; title: string }
  /** The editor's cursor is on this op (null: on none): highlight its node. */
  | { type: 'reveal'; opId: string | null };

export type GraphToHost =
  | { type: 'ready' }
  | { type: 'drawn'; nodes: number }
  /** The user picked a node: show its line in the editor. */
  | { type: 'nodeSelected'; nodeId: string; memberIds: string[] };

export type HostToPasses =
  | { type: 'loading'; message: string }
  | { type: 'error'; message: string }
  | { type: 'passes'; title: string; rows: TimelineRow[]; graphPasses: number; pipeline: string; selected: number | null }
  | { type: 'passDetail'; index: number; diff: CompileDiffResult; graph: GraphDocument | null; graphTitle: string; graphError: string | null }
  | { type: 'passError'; index: number; message: string };

export type PassesToHost =
  | { type: 'ready' }
  | { type: 'selectPass'; index: number }
  /** Open the IR before and after the pass in the editor's diff view. */
  | { type: 'openDiff'; index: number }
  | { type: 'drawn'; nodes: number };
