/**
 * The live configuration as manifests (`enrichctl export`): pure, from an Observation to manifest
 * values, deterministic so that re-exporting an unchanged deployment gives a zero git diff, and
 * exact so that `plan` of the export against the same deployment has no changes.
 *
 * Datastores are named by name unless `byId`, or unless the name would not resolve to exactly that
 * datastore (shared by several, empty, or not visible to this token); then by id, with a comment
 * saying why.
 *
 * A live value that a manifest cannot hold is left out of its entry, with a comment saying why: a
 * server derives a new datastore's prefix from its name, which may give one a PUT would refuse
 * (empty for a name without a letter or digit, over 60 characters for a long name). Left out, the
 * setting stays unmanaged and the plan of the export still has no changes.
 */
import { SETTINGS, settingProblem, type SettingKey, type Settings } from '../core/settings.js';
import { compareRefs } from '../model/describe.js';
import type { Observation, ObservedDatastore } from '../model/observation.js';
import type { DatastoreRef, EnrichmentState } from '../model/plan.js';

export interface ExportEntry {
  datastore: string | number;
  /** Why `datastore` is an id, when it is one that a name could not replace. */
  datastoreNote?: string;
  enrichment_datastore: string | number | null;
  enrichmentNote?: string;
  /** Every setting but those `leftOut` names. */
  settings: Partial<Settings>;
  /** The live values left out because a manifest cannot hold them, each with why. */
  leftOut?: Array<{ key: SettingKey; value: unknown; problem: string }>;
}

export interface ExportGroup {
  /** The linked enrichment datastore shared by every entry, or null for unlinked datastores. */
  enrichment: DatastoreRef | null;
  entries: ExportEntry[];
}

export interface ExportSelection {
  byId: boolean;
  /** Only these datastore ids (from --datastore); all non-enrichment-only ones when absent. */
  only?: ReadonlySet<number>;
}

/** Every exported datastore, sorted by name then id. */
export function exportEntries(observed: Observation, options: ExportSelection): ExportEntry[] {
  return selectSources(observed, options).map((d) => toEntry(d, d.state!, observed, options.byId));
}

/** The same entries grouped by enrichment datastore (by name), the unlinked ones last. */
export function exportGroups(observed: Observation, options: ExportSelection): ExportGroup[] {
  const groups = new Map<number | null, ExportGroup>();
  for (const d of selectSources(observed, options)) {
    const link = d.state!.enrich_datastore;
    const key = link?.id ?? null;
    let group = groups.get(key);
    if (!group) {
      group = { enrichment: link, entries: [] };
      groups.set(key, group);
    }
    group.entries.push(toEntry(d, d.state!, observed, options.byId));
  }
  return [...groups.values()].sort((a, b) => {
    if (a.enrichment === null || b.enrichment === null) return a.enrichment === null ? 1 : -1;
    return compareRefs(a.enrichment, b.enrichment);
  });
}

function selectSources(observed: Observation, options: ExportSelection): ObservedDatastore[] {
  return [...observed.datastores.values()]
    .filter((d) => !d.enrichment_only && d.state !== undefined && (!options.only || options.only.has(d.id)))
    .sort(compareRefs);
}

function toEntry(d: ObservedDatastore, state: EnrichmentState, observed: Observation, byId: boolean): ExportEntry {
  const source = nameOrId(d, observed, byId);
  const settings: Record<string, unknown> = {};
  const leftOut: NonNullable<ExportEntry['leftOut']> = [];
  for (const spec of SETTINGS) {
    const value = state[spec.key];
    const problem = settingProblem(spec, value);
    if (problem === undefined) settings[spec.key] = value;
    else leftOut.push({ key: spec.key, value, problem });
  }
  const entry: ExportEntry = { datastore: source.ref, enrichment_datastore: null, settings: settings as Partial<Settings> };
  if (leftOut.length > 0) entry.leftOut = leftOut;
  if (source.note) entry.datastoreNote = source.note;
  if (state.enrich_datastore) {
    const target = nameOrId(state.enrich_datastore, observed, byId);
    entry.enrichment_datastore = target.ref;
    if (target.note) entry.enrichmentNote = target.note;
  }
  return entry;
}

function nameOrId(ref: DatastoreRef, observed: Observation, byId: boolean): { ref: string | number; note?: string } {
  if (byId) return { ref: ref.id };
  if (ref.name.trim() === '') return { ref: ref.id, note: 'its name is empty: exported by id' };
  const ids = observed.names.get(ref.name);
  if (ids === undefined || !ids.includes(ref.id)) {
    return { ref: ref.id, note: `${JSON.stringify(ref.name)} is not visible to this token by name: exported by id` };
  }
  if (ids.length > 1) {
    return { ref: ref.id, note: `${JSON.stringify(ref.name)} is not unique (ids ${[...ids].sort((a, b) => a - b).join(', ')}): exported by id` };
  }
  return { ref: ref.name };
}
