// Read-only documents for the IR before and after a pass (scheme openopt-ir),
// opened side by side in VS Code's diff editor.
import * as vscode from 'vscode';

export const IR_SCHEME = 'openopt-ir';

export class IrDiffDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private texts = new Map<string, string>();
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(IR_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '// This IR is no longer kept; open the pass again from the passes view.\n';
  }

  async open(title: string, key: string, before: string, after: string): Promise<void> {
    const left = vscode.Uri.from({ scheme: IR_SCHEME, path: `/${key}/before.mlir` });
    const right = vscode.Uri.from({ scheme: IR_SCHEME, path: `/${key}/after.mlir` });
    this.texts.set(left.toString(), before);
    this.texts.set(right.toString(), after);
    // Keep the last few diffs only.
    while (this.texts.size > 16) this.texts.delete(this.texts.keys().next().value!);
    await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true });
  }

  dispose(): void {
    this.registration.dispose();
    this.texts.clear();
  }
}
