/** Small builders for planner tests (after changesets' FakeFullState): desired entries and observations. */
import type { DeclaredRef as DatastoreRef, DesiredDatastore, DesiredLink, DesiredRule, OriginatedSettings, RuleMatch, SourceLocation } from '../../src/model/desired.js';
import type { Settings } from '../../src/core/settings.js';
import type { Observation } from '../../src/model/observation.js';
import type { EnrichmentState } from '../../src/model/plan.js';

export function loc(line: number, column = 5, file = 'm.yaml'): SourceLocation {
  return { file, start: { line, column }, end: { line, column: column + 10 } };
}

export interface DeclareOptions {
  link?: DatastoreRef | null;
  settings?: Partial<Settings>;
  line?: number;
}

export function declare(ref: DatastoreRef, options: DeclareOptions = {}): DesiredDatastore {
  const line = options.line ?? 3;
  let link: DesiredLink = { kind: 'unmanaged' };
  if (options.link === null) link = { kind: 'none', location: loc(line + 1, 27), from: 'entry' };
  else if (options.link !== undefined) link = { kind: 'ref', ref: options.link, location: loc(line + 1, 27), from: 'entry' };
  const settings = options.settings ?? {};
  return {
    ref,
    location: loc(line),
    link,
    settings,
    origins: Object.fromEntries(Object.keys(settings).map((k, i) => [k, { from: 'entry', location: loc(line + 2 + i) }])),
  };
}

export function state(overrides: Partial<EnrichmentState> = {}): EnrichmentState {
  return {
    enrich_datastore: null,
    enrichment_prefix: '_source',
    enrichment_source_record_limit: 10,
    enrichment_remediation_strategy: 'none',
    high_count_rollup_threshold: 10,
    ...overrides,
  };
}

export interface LiveEntry {
  id: number;
  name: string;
  enrichment_only?: boolean;
  state?: Partial<EnrichmentState>;
  /** What rules match on (`details.type`, `details.tags`). */
  type?: string;
  tags?: string[];
}

/** An observation in which every entry was seen, with its name looked up. */
export function observed(entries: LiveEntry[], extra: Partial<Pick<Observation, 'denied' | 'missing'>> = {}): Observation {
  const obs: Observation = { datastores: new Map(), names: new Map(), denied: extra.denied ?? new Map(), missing: extra.missing ?? new Set() };
  for (const e of entries) {
    obs.datastores.set(e.id, {
      id: e.id,
      name: e.name,
      enrichment_only: e.enrichment_only ?? false,
      ...(e.enrichment_only ? {} : { state: state(e.state) }),
      ...(e.type !== undefined || e.tags !== undefined ? { details: { ...(e.type !== undefined ? { type: e.type } : {}), ...(e.tags !== undefined ? { tags: e.tags } : {}) } } : {}),
    });
    obs.names.set(e.name, [...(obs.names.get(e.name) ?? []), e.id]);
  }
  return obs;
}

export const META = { base_url: 'http://127.0.0.1:1/api', manifest_digest: `sha256:${'0'.repeat(64)}`, manifest_paths: ['m.yaml'] };

export interface RuleOptions {
  link?: DatastoreRef | null;
  settings?: Partial<Settings>;
  /** The rule's document's defaults. */
  defaults?: Partial<Settings>;
  line?: number;
  file?: string;
}

/** A rule at `line` (its `match:`), its link on the next line, then one line per setting; its defaults at lines 100+. */
export function rule(match: RuleMatch, options: RuleOptions = {}): DesiredRule {
  const line = options.line ?? 10;
  const file = options.file ?? 'm.yaml';
  let link: DesiredLink = { kind: 'unmanaged' };
  if (options.link === null) link = { kind: 'none', location: loc(line + 1, 27, file), from: 'rule' };
  else if (options.link !== undefined) link = { kind: 'ref', ref: options.link, location: loc(line + 1, 27, file), from: 'rule' };
  const originated = (settings: Partial<Settings>, from: 'rule' | 'defaults', first: number): OriginatedSettings => ({
    settings,
    origins: Object.fromEntries(Object.keys(settings).map((k, i) => [k, { from, location: loc(first + i, 5, file) }])),
  });
  return { match, location: loc(line, 5, file), link, own: originated(options.settings ?? {}, 'rule', line + 2), defaults: originated(options.defaults ?? {}, 'defaults', 100) };
}
