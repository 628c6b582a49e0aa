/**
 * Reads manifests into one desired state: expand paths, read every YAML document, check each
 * against the schema, then check the rules that span entries and files. Every problem found on the
 * way is a diagnostic; the state exists only when none is an error.
 */
import { byPosition, hasErrors, type Diagnostic } from '../core/diagnostics.js';
import { expandPaths } from '../source/expand-paths.js';
import { locate } from '../source/locate.js';
import { checkTotalSize, readSourceFile, totalTooLarge } from '../source/read-file.js';
import { LIMITS } from '../source/limits.js';
import type { YamlDocument } from '../source/positions.js';
import { checkAgainstSchema, compileSchema } from '../source/schema-diagnostics.js';
import { readYamlDocuments } from '../source/yaml-documents.js';
import type { DesiredState } from '../model/desired.js';
import type { ManifestDocument, ManifestEntry, ManifestRule, ManifestSettings } from './manifest-types.js';
import { DEFAULTS_SCHEMA, ENTRY_SCHEMA, MANIFEST_SCHEMA, RULE_SCHEMA } from './schema-source.js';
import { checkManifests, type CheckedManifest } from './semantic.js';

export interface ManifestLoad {
  /** Undefined when any diagnostic is an error (or when not asked for). */
  state: DesiredState | undefined;
  /** How many datastores the manifests declare one by one; undefined when any diagnostic is an error. */
  declared: number | undefined;
  /** How many rules they hold; undefined when any diagnostic is an error. */
  rules: number | undefined;
  /** Sorted: by file in reading order, then by position. */
  diagnostics: Diagnostic[];
  /** The files read, as the user named them (directories expanded). */
  files: string[];
  /** File -> text, for showing the offending line. Files that could not be read are absent. */
  sources: ReadonlyMap<string, string>;
}

/**
 * `paths` may name files or directories; none means the current directory. `state: false` (what
 * validate needs) makes every check but builds no desired state: `state` is undefined, `declared`
 * counts.
 */
export function loadManifests(paths: readonly string[], cwd: string, options: { state?: boolean } = {}): ManifestLoad {
  return checkRead(readManifests(paths, cwd), options);
}

/**
 * The manifests read and parsed, not yet checked: the first half of `loadManifests`, for a caller
 * with something to do between the two (a plan starts the rest of its listing: `declaredCount`).
 */
export interface ManifestsRead {
  /** Set when the files are too large together: nothing was parsed, and this is the whole answer. */
  refused?: ManifestLoad;
  where: string;
  files: string[];
  sources: Map<string, string>;
  documents: YamlDocument[];
  /** About the paths given (one that does not exist). */
  pathDiagnostics: Diagnostic[];
  /** About each file as it was read and parsed, and the documents skipped as not manifests. */
  diagnostics: Diagnostic[];
}

/** Expands the paths, reads every file and parses its YAML documents (the check comes after: `checkRead`). */
export function readManifests(paths: readonly string[], cwd: string): ManifestsRead {
  const expanded = expandPaths(paths.length > 0 ? paths : ['.'], cwd);
  const where = paths.length > 0 ? paths.join(', ') : '.';
  const files = expanded.files.map((f) => f.file);
  const read: ManifestsRead = { where, files, sources: new Map(), documents: [], pathDiagnostics: expanded.diagnostics, diagnostics: [] };
  const tooLarge = checkTotalSize(expanded.files, where);
  if (tooLarge) return { ...read, refused: refused([...expanded.diagnostics, tooLarge], files) };
  let total = 0;
  let count = 0;
  for (const source of expanded.files) {
    const result = readSourceFile(source);
    if (!result.ok) {
      read.diagnostics.push(result.diagnostic);
      continue;
    }
    // stat can race with files that grow: what was read is what counts.
    total += result.bytes;
    count++;
    if (total > LIMITS.maxTotalBytes) return { ...read, refused: refused([...expanded.diagnostics, totalTooLarge(where, total, count)], files) };
    read.sources.set(source.file, result.text);
    const yaml = readYamlDocuments(source.file, result.text);
    read.diagnostics.push(...yaml.diagnostics);
    for (const document of yaml.documents) {
      const foreign = notAManifest(document.data);
      if (foreign && source.viaDirectory) {
        // A folder of manifests may sit beside other YAML (an emulator seed, CI pipelines): said, not fatal.
        read.diagnostics.push({ severity: 'note', file: document.file, message: `skipped: ${foreign}, not a manifest`, code: 'not-a-manifest-skipped' });
      } else {
        read.documents.push(document);
      }
    }
  }
  return read;
}

/**
 * How many different datastores the entries name (as written: a name, or an id), before any check.
 * For manifests that pass their checks, it is what they declare one by one; a plan uses it to start
 * reading before the checks end.
 */
export function declaredCount(read: ManifestsRead): number {
  const refs = new Set<unknown>();
  for (const document of read.documents) {
    const list = isObject(document.data) ? document.data.datastores : undefined;
    if (!Array.isArray(list)) continue;
    for (const entry of list) if (isObject(entry) && isRef(entry.datastore)) refs.add(entry.datastore);
  }
  return refs.size;
}

/** Checks what `readManifests` read: each document against the schema, then the rules across entries and files. */
export function checkRead(read: ManifestsRead, { state = true }: { state?: boolean } = {}): ManifestLoad {
  if (read.refused) return read.refused;
  const byFile = new Map<string, Diagnostic[]>();
  const add = (list: readonly Diagnostic[]): void => {
    for (const d of list) {
      const bucket = byFile.get(d.file);
      if (bucket) bucket.push(d);
      else byFile.set(d.file, [d]);
    }
  };
  add(read.pathDiagnostics);
  for (const file of read.files) byFile.set(file, byFile.get(file) ?? []);
  add(read.diagnostics);
  const checked: CheckedManifest[] = [];
  for (const document of read.documents) {
    if (notAManifest(document.data) === SEED) {
      add([
        {
          severity: 'error',
          file: document.file,
          ...locate(document, ['users'], 'key'),
          message: 'this looks like an emulator seed file (it has `users`), not a manifest',
          code: 'not-a-manifest',
          hints: ['seed files are read by `enrichctl emulator --seed`; give validate and plan the manifest folders only'],
        },
      ]);
      continue;
    }
    const result = checkAgainstSchema<ManifestDocument>(document, MANIFEST_SCHEMA, 'manifest');
    add(result.diagnostics);
    const value = result.value;
    if (value && value.datastores === undefined && value.rules === undefined) {
      add([{
        severity: 'error', file: document.file, ...locate(document, [], 'value'), code: 'missing-key',
        message: 'missing required key "datastores" (or "rules")',
        hints: ['a manifest declares datastores one by one (`datastores`), by rules (`rules`), or both'],
      }]);
    }
    checked.push(
      value
        ? {
          document,
          defaults: value.defaults ?? {},
          entries: (value.datastores ?? []).map((entry, index) => ({ entry, index })),
          rules: (value.rules ?? []).map((rule, index) => ({ rule, index })),
        }
        : salvage(document),
    );
  }
  const semantic = checkManifests(checked, { state });
  add(semantic.diagnostics);
  if (checked.length === 0 && read.files.length > 0 && !hasErrors([...byFile.values()].flat())) {
    add([{ severity: 'error', file: read.where, message: 'no manifests found: every YAML file here was skipped as not a manifest', code: 'no-manifests' }]);
  }
  const diagnostics = [...byFile.values()].flatMap((list) => list.sort(byPosition));
  const ok = !hasErrors(diagnostics);
  return {
    state: ok && state ? { datastores: semantic.datastores, rules: semantic.rules, files: read.files } : undefined,
    declared: ok ? semantic.declared : undefined,
    rules: ok ? semantic.rules.length : undefined,
    diagnostics,
    files: read.files,
    sources: read.sources,
  };
}

/** Nothing planned: the diagnostics so far and the one that stopped the run. */
function refused(diagnostics: Diagnostic[], files: string[]): ManifestLoad {
  return { state: undefined, declared: undefined, rules: undefined, diagnostics, files, sources: new Map() };
}

/**
 * The parts of a document that failed the schema that are valid on their own, so that the rules
 * across entries (duplicates, links) are reported in the same run as the schema errors.
 */
function salvage(document: YamlDocument): CheckedManifest {
  const data = document.data;
  const part = (key: string): unknown => (isObject(data) ? data[key] : undefined);
  const isEntry = compileSchema<ManifestEntry>(ENTRY_SCHEMA, 'manifest-entry');
  const isDefaults = compileSchema<ManifestSettings>(DEFAULTS_SCHEMA, 'manifest-defaults');
  const defaults = part('defaults');
  const list = part('datastores');
  const entries: CheckedManifest['entries'] = [];
  const isRule = compileSchema<ManifestRule>(RULE_SCHEMA, 'manifest-rule');
  const ruleList = part('rules');
  const rules: CheckedManifest['rules'] = [];
  if (Array.isArray(ruleList)) ruleList.forEach((rule: unknown, index) => { if (isRule(rule)) rules.push({ rule, index }); });
  if (Array.isArray(list)) {
    list.forEach((entry: unknown, index) => {
      if (isEntry(entry)) {
        entries.push({ entry, index });
      } else if (isObject(entry) && isRef(entry.datastore)) {
        entries.push({ entry: { datastore: entry.datastore }, index, partial: true });
      }
    });
  }
  return { document, defaults: isDefaults(defaults) ? defaults : {}, entries, rules };
}

const SEED = 'an emulator seed file (it has `users`)';

/**
 * Why a document is clearly something other than a manifest, or undefined. A mapping with neither
 * `version` nor `datastores` (a CI pipeline, a compose file) is skipped when a directory is expanded;
 * named explicitly, it gets the schema's errors like any broken manifest.
 */
function notAManifest(data: unknown): string | undefined {
  if (!isObject(data) || 'version' in data) return undefined;
  if ('users' in data) return SEED;
  return 'datastores' in data || 'rules' in data ? undefined : 'it has neither `version` nor `datastores`';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRef(value: unknown): value is string | number {
  return (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isInteger(value) && value >= 1);
}

