// The app's side of the layout worker: one layout at a time, cancellable.
import type { LayoutInput } from './graphModel';
import type { Direction, LayoutResult } from './layoutCore';
import type { LayoutReply, LayoutRequest } from './layoutProtocol';

export class LayoutCancelled extends Error {
  constructor() {
    super('layout cancelled');
  }
}

export type WorkerFactory = () => Worker;

export const defaultWorkerFactory: WorkerFactory = () => new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });

export class LayoutClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private current: { id: number; reject: (e: Error) => void } | null = null;

  constructor(private readonly factory: WorkerFactory = defaultWorkerFactory) {}

  layout(input: LayoutInput, direction: Direction, onProgress: (phase: string) => void = () => {}): Promise<{ result: LayoutResult; ms: number }> {
    this.cancel();
    const worker = (this.worker ??= this.factory());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.current = { id, reject };
      worker.onmessage = (event: MessageEvent<LayoutReply>) => {
        const reply = event.data;
        if (reply.id !== id) return;
        if (reply.type === 'progress') onProgress(reply.phase);
        else {
          this.current = null;
          if (reply.type === 'done') resolve({ result: reply.result, ms: reply.ms });
          else reject(new Error(reply.message));
        }
      };
      worker.onerror = (event) => {
        this.current = null;
        // A worker that failed may be dead: the next layout starts a new one.
        this.worker?.terminate();
        this.worker = null;
        reject(new Error(`the layout worker failed: ${event.message}`));
      };
      const request: LayoutRequest = { type: 'layout', id, input, direction };
      worker.postMessage(request);
    });
  }

  /** Stops the running layout, if any: its promise rejects with LayoutCancelled. */
  cancel(): boolean {
    if (!this.current) return false;
    this.worker?.terminate();
    this.worker = null;
    const { reject } = this.current;
    this.current = null;
    reject(new LayoutCancelled());
    return true;
  }

  get busy(): boolean {
    return this.current !== null;
  }
}
