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
  return compareLowered(a.name.toLowerCase(), a, b.name.toLowerCase(), b);
}

/**
 * `items` in `compareRefs`' order (a stable sort), each name lowered once, not at every comparison
 * (plans and reports sort up to 100,000 datastores, and `toLowerCase` makes a new string each time).
 */
export function sortByRef<T>(items: readonly T[], refOf: (item: T) => DatastoreRef): T[] {
  const lowered = new Array<string>(items.length);
  const order = new Array<number>(items.length);
  for (let i = 0; i < items.length; i++) {
    lowered[i] = refOf(items[i]!).name.toLowerCase();
    order[i] = i;
  }
  order.sort((i, j) => compareLowered(lowered[i]!, refOf(items[i]!), lowered[j]!, refOf(items[j]!)));
  const sorted = new Array<T>(items.length);
  for (let i = 0; i < order.length; i++) sorted[i] = items[order[i]!]!;
  return sorted;
}

/** `x` and `y`: the names of `a` and `b` lowered. */
function compareLowered(x: string, a: DatastoreRef, y: string, b: DatastoreRef): number {
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
