// Reads the openopt.* settings and the machine's facts the checks need.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseSettings, planConnections, type ConnectionPlan, type Environment, type ParsedSettings, type RawSettings } from '../core/settings';

export function rawSettings(): RawSettings {
  const c = vscode.workspace.getConfiguration('openopt');
  return {
    compilerPath: c.get('compilerPath'),
    daemonPath: c.get('daemonPath'),
    remoteUrl: c.get('remoteUrl'),
    threads: c.get('threads'),
    recipe: c.get('recipe'),
    lspMode: c.get('lsp.mode'),
    iterations: c.get('run.iterations'),
  };
}

export function environment(): Environment {
  return {
    isExecutable: (file) => {
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    },
    isFile: (file) => {
      try {
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    },
    pathDirs: (process.env.PATH ?? '').split(path.delimiter),
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null,
    home: os.homedir(),
  };
}

export interface Configuration {
  parsed: ParsedSettings;
  plan: ConnectionPlan;
}

export function readConfiguration(): Configuration {
  const parsed = parseSettings(rawSettings(), environment());
  return { parsed, plan: planConnections(parsed) };
}
