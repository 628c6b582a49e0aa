/** How plan values read in messages and every output format (pure; shared by plan, apply and render). */
import { quoteText } from '../core/visible-text.js';
import type { DatastoreRef, EnrichmentState } from './plan.js';

export function describeRef(ref: DatastoreRef): string {
  // Names come from the server: quoted, with every control and bidi character escaped.
  return `${quoteText(ref.name)} (id ${ref.id})`;
}

/**
 * `describeRef` that remembers each datastore's text: the few enrichment datastores that thousands of
 * changes link to are quoted and escaped once per rendering, not once per change.
 */
export function refTexts(): (ref: DatastoreRef) => string {
  const known = new Map<number, { name: string; text: string }>();
  return (ref) => {
    const seen = known.get(ref.id);
    if (seen !== undefined && seen.name === ref.name) return seen.text;
    const text = describeRef(ref);
    known.set(ref.id, { name: ref.name, text });
    return text;
  };
}

/** `ref`: how a link reads (`describeRef`, or one of `refTexts`' to reuse the text of a datastore many changes link to). */
export function describeValue(field: keyof EnrichmentState, state: EnrichmentState, ref: (ref: DatastoreRef) => string = describeRef): string {
  if (field === 'enrich_datastore') return state.enrich_datastore ? ref(state.enrich_datastore) : 'null';
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
