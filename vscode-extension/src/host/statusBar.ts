// The status bar item: the daemon's state and the running job's progress.
import * as vscode from 'vscode';
import { statusText, type DaemonStatus } from '../core/format';
import type { LspStatus } from './lspService';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private daemon: DaemonStatus = { state: 'stopped' };
  private lsp: LspStatus = 'off';
  private jobs = new Map<string, string>();

  constructor() {
    this.item = vscode.window.createStatusBarItem('openopt.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'OpenOptimizer';
    this.item.command = 'openopt.showLog';
    this.render();
    this.item.show();
  }

  setDaemon(status: DaemonStatus): void {
    this.daemon = status;
    this.render();
  }

  setLsp(status: LspStatus): void {
    this.lsp = status;
    this.render();
  }

  /** A job's progress line (null: the job ended). */
  setJob(key: string, text: string | null): void {
    if (text === null) this.jobs.delete(key);
    else this.jobs.set(key, text);
    this.render();
  }

  private render(): void {
    const job = [...this.jobs.values()].pop() ?? null;
    const s = statusText(this.daemon, job);
    this.item.text = s.text;
    this.item.tooltip = `${s.tooltip}\nLanguage server: ${this.lsp}\nClick for the OpenOptimizer log.`;
    this.item.backgroundColor = s.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
