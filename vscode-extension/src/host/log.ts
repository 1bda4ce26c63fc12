// The "OpenOptimizer" output channel: the extension's own messages, the local
// daemon's output and the language server's stderr (through the client).
import * as vscode from 'vscode';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('OpenOptimizer', { log: true });
  }

  line(text: string): void {
    for (const l of text.split('\n')) this.channel.info(l);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
