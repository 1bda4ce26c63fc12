// Messages between the app and the layout worker.
import type { LayoutInput } from './graphModel';
import type { Direction, LayoutResult } from './layoutCore';

export interface LayoutRequest {
  type: 'layout';
  id: number;
  input: LayoutInput;
  direction: Direction;
}

export type LayoutReply =
  | { type: 'progress'; id: number; phase: string; nodes: number }
  | { type: 'done'; id: number; result: LayoutResult; ms: number }
  | { type: 'error'; id: number; message: string };
