/** How plan values read in messages and every output format (pure; shared by plan, apply and render). */
import type { DatastoreRef, EnrichmentState } from './types.js';

export function describeRef(ref: DatastoreRef): string {
  return `${JSON.stringify(ref.name)} (id ${ref.id})`;
}

export function describeValue(field: keyof EnrichmentState, state: EnrichmentState): string {
  if (field === 'enrich_datastore') return state.enrich_datastore ? describeRef(state.enrich_datastore) : 'null';
  const value = state[field];
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
