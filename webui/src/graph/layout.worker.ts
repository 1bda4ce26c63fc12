// Web Worker: lays graphs out with elkjs off the main thread. Cancelling a
// layout terminates this worker (ELK cannot be interrupted).
import ELK from 'elkjs/lib/elk.bundled.js';
import { handleLayoutRequest } from './layoutWorkerCore';
import type { LayoutRequest } from './layoutProtocol';

const elk = new ELK();
self.onmessage = (event: MessageEvent<LayoutRequest>) => {
  void handleLayoutRequest(elk, event.data, (reply) => self.postMessage(reply));
};
