/**
 * Live datastores that carry enrichment configuration (a link, or a setting away from its default)
 * but appear in no manifest: what a drift job should flag, and what enrichctl must never touch.
 * Display only: apply ignores it. Pure.
 */
import { normalisePrefix } from '../core/prefix.js';
import { SETTINGS } from '../core/settings.js';
import { sortByRef } from '../model/describe.js';
import { differingFields } from '../model/state.js';
import type { Observation } from '../model/observation.js';
import type { EnrichmentState, UnmanagedDatastore } from '../model/plan.js';

/** What a datastore of this name holds before anyone configures it. */
export function defaultState(name: string): EnrichmentState {
  const state: Record<string, unknown> = { enrich_datastore: null };
  for (const spec of SETTINGS) state[spec.key] = spec.kind === 'prefix' ? normalisePrefix(name) : spec.default;
  return state as unknown as EnrichmentState;
}

export function findUnmanaged(observed: Observation, declared: ReadonlySet<number>): UnmanagedDatastore[] {
  const out: UnmanagedDatastore[] = [];
  for (const d of observed.datastores.values()) {
    if (d.enrichment_only || !d.state || declared.has(d.id)) continue;
    const defaults = defaultState(d.name);
    const nonDefault = differingFields(d.state, defaults);
    if (nonDefault.length > 0) out.push({ datastore: { id: d.id, name: d.name }, state: d.state, non_default: nonDefault });
  }
  return sortByRef(out, (u) => u.datastore);
}
