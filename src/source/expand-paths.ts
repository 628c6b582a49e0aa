/**
 * Turns the paths a user typed into the files to read: a file is taken as given; a directory
 * contributes every `*.yaml`/`*.yml` below it, sorted, skipping hidden entries and node_modules.
 * Symbolic links to files are followed while they stay inside the folder being expanded (by real
 * path): a link out of it (a manifest folder in a shared checkout pointing at `/etc/...` or another
 * team's files) is not followed, and one warning names such links. Links to directories are not
 * followed (no cycles). A path named on the command line is the user's choice: it is read even
 * when it is a link that leads elsewhere.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
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
    const outside: string[] = [];
    try {
      collectYamlFiles({ root: absolute, realRoot: realpathSync(absolute), found, outside }, '');
    } catch (err) {
      diagnostics.push({ severity: 'error', file: given, message: `cannot read directory: ${describeFsError(err)}`, code: 'unreadable' });
      continue;
    }
    if (outside.length > 0) diagnostics.push(outsideLinksWarning(given, outside));
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

interface Walk {
  root: string;
  /** The folder's real path: links are judged by where they really lead. */
  realRoot: string;
  found: string[];
  /** Links to YAML files outside the folder, not followed. */
  outside: string[];
}

function collectYamlFiles(walk: Walk, relative: string): void {
  for (const entry of readdirSync(path.join(walk.root, relative), { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      collectYamlFiles(walk, child);
    } else if (!YAML_FILE.test(entry.name)) {
      continue;
    } else if (entry.isFile()) {
      walk.found.push(child);
    } else if (entry.isSymbolicLink()) {
      const target = linkedFile(path.join(walk.root, child));
      if (target === undefined) continue;
      if (isInside(walk.realRoot, target)) walk.found.push(child);
      else walk.outside.push(child);
    }
  }
}

/** The real path of the regular file a link leads to; undefined for a dangling link or a non-file. */
function linkedFile(absolute: string): string | undefined {
  try {
    return statSync(absolute).isFile() ? realpathSync(absolute) : undefined;
  } catch {
    return undefined;
  }
}

function isInside(realRoot: string, real: string): boolean {
  const relative = path.relative(realRoot, real);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

const LISTED_LINKS = 10;

function outsideLinksWarning(given: string, links: string[]): Diagnostic {
  const sorted = [...links].sort(compareCodePoints);
  const shown = sorted.slice(0, LISTED_LINKS).map((link) => joinForDisplay(given, link));
  const more = sorted.length > LISTED_LINKS ? ` and ${sorted.length - LISTED_LINKS} more` : '';
  return {
    severity: 'warning',
    file: given,
    message: `not read: ${sorted.length === 1 ? 'a symbolic link leads' : `${sorted.length} symbolic links lead`} outside this folder: ${shown.join(', ')}${more}`,
    code: 'link-outside-folder',
    hints: ['name a linked file on the command line to read it anyway'],
  };
}

function joinForDisplay(dir: string, relative: string): string {
  if (dir === '.' || dir === './') return relative;
  return dir.endsWith('/') ? `${dir}${relative}` : `${dir}/${relative}`;
}

/** Plain code-point order: the same on every machine and locale. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
