/** How plan values read in messages and every output format (pure; shared by plan, apply and render). */
import { quoteText } from '../core/visible-text.js';
import type { DatastoreRef, EnrichmentState } from './plan.js';

export function describeRef(ref: DatastoreRef): string {
  // Names come from the server: quoted, with every control and bidi character escaped.
  return `${quoteText(ref.name)} (id ${ref.id})`;
}

export function describeValue(field: keyof EnrichmentState, state: EnrichmentState): string {
  if (field === 'enrich_datastore') return state.enrich_datastore ? describeRef(state.enrich_datastore) : 'null';
  const value = state[field];
  return typeof value === 'string' ? quoteText(value) : String(value);
}

/**
 * The order datastores are listed in everywhere (plans, reports, exports): by name ignoring case,
 * then exactly, then by id. Code-point comparison, so the same on every machine and locale (and no
 * ICU collator to load).
 */
export function compareRefs(a: DatastoreRef, b: DatastoreRef): number {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.id - b.id;
}

/**
 * A state field as people read it in plans and findings: the link is the manifest's key,
 * `enrichment_datastore` (the JSON documents keep the API's `enrich_datastore`).
 */
export function fieldLabel(field: keyof EnrichmentState): string {
  return field === 'enrich_datastore' ? 'enrichment_datastore' : field;
}
