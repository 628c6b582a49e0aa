/**
 * The rules a schema cannot express, checked across every document of every file planned together,
 * and the construction of the desired state from entries that pass them.
 */
import type { Diagnostic, Severity } from '../core/diagnostics.js';
import { normalisePrefix } from '../core/prefix.js';
import { SETTINGS, settingProblem, STRATEGIES_NEEDING_LINK, type SettingKey } from '../core/settings.js';
import { childNode, findNode, locate } from '../source/locate.js';
import type { YamlDocument } from '../source/positions.js';
import type { DesiredDatastore, DesiredLink, DesiredRule, DesiredSettings, SettingOrigin, SourceLocation } from '../model/desired.js';
import type { DeclaredRef } from '../model/desired.js';
import type { ManifestEntry, ManifestRule, ManifestSettings } from './manifest-types.js';
import { checkRules, declaredLink, originatedDefaults, type Report } from './rules.js';

/** A document's parts that passed the schema (all of them, or the valid entries of a broken document). */
export interface CheckedManifest {
  document: YamlDocument;
  defaults: ManifestSettings;
  /**
   * `index` is the entry's position in `datastores`, for locating it. A `partial` entry failed the
   * schema but names its datastore: it counts for duplicates only.
   */
  entries: Array<{ entry: ManifestEntry; index: number; partial?: true }>;
  /** The rules that passed the schema, with their position in `rules`. */
  rules: Array<{ rule: ManifestRule; index: number }>;
}

/**
 * With `state: false` (validate), the checks are the same but the desired datastores are only
 * counted: their settings and locations, a tenth of the work for 100,000 entries, are never built.
 */
export function checkManifests(
  manifests: readonly CheckedManifest[],
  { state = true }: { state?: boolean } = {},
): { datastores: DesiredDatastore[]; declared: number; rules: DesiredRule[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const datastores: DesiredDatastore[] = [];
  let count = 0;
  const rules: DesiredRule[] = [];
  // By the ref itself: a name and an id are told apart by their type (`42` is not `"42"`).
  // Each first declaration's entry, its `datastore:` value found and located only when a second one is.
  const declared = new Map<DeclaredRef, { document: YamlDocument; entryNode: number }>();
  for (const { document, defaults, entries, rules: documentRules } of manifests) {
    const report = (severity: Severity, code: string, path: string[], message: string, hints?: string[]): void => {
      const range = locate(document, path, 'value');
      diagnostics.push({ severity, file: document.file, ...range, message, code, ...(hints ? { hints } : {}) });
    };
    checkPrefix(defaults, ['defaults'], report);
    const defaultsLocations = new Map<string, SourceLocation>();
    const defaultsWhere = (key: string): SourceLocation => {
      let location = defaultsLocations.get(key);
      if (!location) {
        location = locationOf(document, ['defaults', key]);
        defaultsLocations.set(key, location);
      }
      return location;
    };
    if (documentRules.length > 0) {
      rules.push(...checkRules(document, documentRules, originatedDefaults(defaults, defaultsWhere), report, locationOf));
    }
    const list = findNode(document, ['datastores']);
    for (const { entry, index, partial } of entries) {
      const at = ['datastores', String(index)];
      // Found once per entry: a 10,000-entry manifest asks for ~6 locations per entry.
      const entryNode = childNode(document, list, String(index));
      const where = state ? (key: string): SourceLocation => document.nodes.location(document.file, childNode(document, entryNode, key)) : nowhere;
      const first = declared.get(entry.datastore);
      if (first) {
        const firstAt = first.document.nodes.location(first.document.file, childNode(first.document, first.entryNode, 'datastore'));
        report('error', 'duplicate-datastore', [...at, 'datastore'], `${describeDeclared(entry.datastore)} is declared twice; first at ${formatLocation(firstAt)}`, [
          'declare each datastore once: merge the two entries',
        ]);
      } else {
        declared.set(entry.datastore, { document, entryNode });
      }
      if (partial) continue;
      checkPrefix(entry, at, report);

      const link = linkOf(document, entry, at, where, report);
      const strategy = entry.enrichment_remediation_strategy ?? defaults.enrichment_remediation_strategy;
      if (link.kind === 'none' && strategy !== undefined && STRATEGIES_NEEDING_LINK.includes(strategy)) {
        if (entry.enrichment_remediation_strategy !== undefined) {
          report(
            'error',
            'strategy-needs-link',
            [...at, 'enrichment_remediation_strategy'],
            `enrichment_remediation_strategy "${strategy}" needs a linked enrichment datastore, but enrichment_datastore is null`,
            ['unlinking resets the strategy to "none": declare "none", or link an enrichment datastore'],
          );
        } else {
          report(
            'error',
            'strategy-needs-link',
            [...at, 'enrichment_datastore'],
            `enrichment_datastore is null, but defaults sets enrichment_remediation_strategy to "${strategy}", which needs a link`,
            ['add `enrichment_remediation_strategy: none` to this entry'],
          );
        }
      }
      count++;
      if (state) {
        const { settings, origins } = effectiveSettings(entry, defaults, where, defaultsWhere);
        datastores.push({ ref: entry.datastore, location: where('datastore'), link, settings, origins });
      }
    }
  }
  return { datastores, declared: count, rules, diagnostics };
}

/** Where a value is said to be when no one will ask (`state: false`). */
const NOWHERE: SourceLocation = { file: '', start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
const nowhere = (): SourceLocation => NOWHERE;

const PREFIX_SPEC = SETTINGS.find((s) => s.kind === 'prefix');

/** Reports a prefix that is invalid or will be stored otherwise. */
function checkPrefix(settings: ManifestSettings, at: string[], report: Report): void {
  const prefix = settings.enrichment_prefix;
  if (prefix === undefined) return;
  const problem = PREFIX_SPEC ? settingProblem(PREFIX_SPEC, prefix) : undefined;
  const stored = normalisePrefix(prefix);
  if (problem) {
    report('error', 'invalid-prefix', [...at, 'enrichment_prefix'], problem);
  } else if (stored !== prefix) {
    report('note', 'prefix-normalised', [...at, 'enrichment_prefix'], `enrichment_prefix ${JSON.stringify(prefix)} will be stored as ${JSON.stringify(stored)}`);
  }
}

function linkOf(document: YamlDocument, entry: ManifestEntry, at: string[], where: (key: string) => SourceLocation, report: Report): DesiredLink {
  const link = declaredLink(document, entry.enrichment_datastore, at, where, report, 'entry');
  // By id only: a source and an enrichment datastore may share a name, and each name resolves among
  // its own kind (the planner refuses a datastore resolved as its own link target).
  if (link.kind === 'ref' && typeof link.ref === 'number' && link.ref === entry.datastore) {
    report('error', 'self-link', [...at, 'enrichment_datastore'], `${describeDeclared(entry.datastore)} cannot be its own enrichment datastore`);
  }
  return link;
}

function effectiveSettings(
  entry: ManifestEntry,
  defaults: ManifestSettings,
  where: (key: string) => SourceLocation,
  defaultsWhere: (key: string) => SourceLocation,
): { settings: DesiredSettings; origins: Partial<Record<SettingKey, SettingOrigin>> } {
  const settings: Record<string, unknown> = {};
  const origins: Partial<Record<SettingKey, SettingOrigin>> = {};
  for (const { key } of SETTINGS) {
    const own = entry[key];
    const value = own ?? defaults[key];
    if (value === undefined) continue;
    settings[key] = key === 'enrichment_prefix' && typeof value === 'string' ? normalisePrefix(value) : value;
    origins[key] = own !== undefined ? { from: 'entry', location: where(key) } : { from: 'defaults', location: defaultsWhere(key) };
  }
  return { settings: settings as DesiredSettings, origins };
}

function locationOf(document: YamlDocument, path: string[]): SourceLocation {
  return document.nodes.location(document.file, findNode(document, path));
}

export function describeDeclared(ref: DeclaredRef, noun = 'datastore'): string {
  return typeof ref === 'number' ? `${noun} id ${ref}` : `${noun} ${JSON.stringify(ref)}`;
}

export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.start.line}:${location.start.column}`;
}
