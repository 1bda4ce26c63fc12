// Progress bars of the running jobs (imports, compiles, runs, profiles), fed
// by job/progress notifications.
import type { JobProgress } from '../api/rpc';
import { h, progressBar } from '../ui/dom';

export class JobsBar {
  readonly root = h('div', { className: 'jobs', role: 'status', 'aria-live': 'polite', 'aria-label': 'Running jobs' });

  /** A bar for a job about to start; returns its progress callback and a finisher. */
  track(label: string): { progress: (p: JobProgress) => void; done: () => void } {
    const bar = progressBar(label);
    bar.set(0, `${label}: starting`);
    bar.root.dataset.job = label;
    this.root.append(bar.root);
    return {
      progress: (p) => bar.set(p.progress, `${label}: ${p.message} (${Math.round(p.progress * 100)}%)`),
      done: () => {
        bar.root.remove();
      },
    };
  }
}
