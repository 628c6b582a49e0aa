/**
 * Turns the paths a user typed into the files to read: a file is taken as given; a directory
 * contributes every `*.yaml`/`*.yml` below it, sorted, skipping hidden entries and node_modules.
 * Symbolic links to files are followed, to directories not (no cycles).
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../core/diagnostics.js';
import { describeFsError, type SourceFile } from './read-file.js';

const YAML_FILE = /\.ya?ml$/i;

export interface ExpandedPaths {
  files: SourceFile[];
  diagnostics: Diagnostic[];
}

export function expandPaths(paths: readonly string[], cwd: string): ExpandedPaths {
  const files: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (file: string, absolute: string, viaDirectory: boolean): void => {
    // A file named twice (`dir dir/a.yaml`) would otherwise duplicate every datastore in it.
    if (seen.has(absolute)) return;
    seen.add(absolute);
    files.push(viaDirectory ? { file, absolute, viaDirectory } : { file, absolute });
  };
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    let isDirectory: boolean;
    try {
      isDirectory = statSync(absolute).isDirectory();
    } catch (err) {
      diagnostics.push({ severity: 'error', file: given, message: `cannot read: ${describeFsError(err)}`, code: 'unreadable' });
      continue;
    }
    if (!isDirectory) {
      add(given, absolute, false);
      continue;
    }
    const found: string[] = [];
    try {
      collectYamlFiles(absolute, '', found);
    } catch (err) {
      diagnostics.push({ severity: 'error', file: given, message: `cannot read directory: ${describeFsError(err)}`, code: 'unreadable' });
      continue;
    }
    if (found.length === 0) {
      diagnostics.push({
        severity: 'error',
        file: given,
        message: 'no manifests found: the directory has no *.yaml or *.yml files',
        code: 'no-manifests',
      });
      continue;
    }
    found.sort(compareCodePoints);
    for (const relative of found) add(joinForDisplay(given, relative), path.join(absolute, relative), true);
  }
  return { files, diagnostics };
}

function collectYamlFiles(root: string, relative: string, out: string[]): void {
  for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      collectYamlFiles(root, child, out);
    } else if (YAML_FILE.test(entry.name) && (entry.isFile() || isFileLink(path.join(root, child)))) {
      out.push(child);
    }
  }
}

function isFileLink(absolute: string): boolean {
  try {
    return statSync(absolute).isFile();
  } catch {
    return false;
  }
}

function joinForDisplay(dir: string, relative: string): string {
  if (dir === '.' || dir === './') return relative;
  return dir.endsWith('/') ? `${dir}${relative}` : `${dir}/${relative}`;
}

/** Plain code-point order: the same on every machine and locale. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
