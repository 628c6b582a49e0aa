/**
 * A datastore as an answer shows it (a list item, or GET /datastores/{id}), turned into what the
 * observation keeps: its kind, its enrichment state when the answer carries all of it, and the
 * details rules match on. A listing of 2,000 datastores comes through here once per item, in a
 * process that runs it once (cold code): indexed loops, and nothing allocated that is not kept.
 */
import type { ApiDatastore, ListDatastoreItem } from '../core/api-types.js';
import { hasSettingType, SETTINGS } from '../core/settings.js';
import type { DatastoreDetails, Observation, ObservedDatastore } from '../model/observation.js';
import type { EnrichmentState } from '../model/plan.js';

/**
 * Keeps the richest view of a datastore, merged across the answers that mention it. A list item may leave out `enrichment_only` (the user
 * guide's examples do): the listing it came from says which kind it is.
 */
export function mergeDatastore(obs: Observation, item: ListDatastoreItem | ApiDatastore, listedAs?: 'source' | 'enrichment'): void {
  const observed: ObservedDatastore = {
    id: item.id,
    name: item.name,
    enrichment_only: typeof item.enrichment_only === 'boolean' ? item.enrichment_only : listedAs === 'enrichment',
  };
  const state = enrichmentState(item);
  if (state) observed.state = state;
  const details = datastoreDetails(item);
  if (details) observed.details = details;
  // A later answer (a GET after the listing) is fresher, but may say less.
  const earlier = obs.datastores.get(item.id);
  if (earlier?.state && !observed.state) observed.state = earlier.state;
  if (earlier?.details) observed.details = { ...earlier.details, ...observed.details };
  obs.datastores.set(item.id, observed);
}

/** Type, teams, tags and connection, each only when the answer carries it in the documented shape. */
function datastoreDetails(item: ListDatastoreItem | ApiDatastore): DatastoreDetails | undefined {
  let details: DatastoreDetails | undefined;
  if (typeof item.type === 'string') (details ??= {}).type = item.type;
  if (typeof item.store_type === 'string') (details ??= {}).store_type = item.store_type;
  const teams = namesOf(item.teams);
  if (teams) (details ??= {}).teams = teams;
  const tags = namesOf(item.global_tags);
  if (tags) (details ??= {}).tags = tags;
  const connection = item.connection;
  if (typeof connection === 'object' && connection !== null && Number.isSafeInteger(connection.id)) {
    (details ??= {}).connection = typeof connection.name === 'string' ? { id: connection.id, name: connection.name } : { id: connection.id };
  }
  return details;
}

/** The `name` of each item, or undefined when one has none. */
function namesOf(list: unknown): string[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const names: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const x: unknown = list[i];
    const name: unknown = typeof x === 'object' && x !== null ? (x as { name?: unknown }).name : undefined;
    if (typeof name !== 'string') return undefined;
    names.push(name);
  }
  return names;
}

/** The link and every setting of the table, when the item carries all of them in their types. */
export function enrichmentState(item: ListDatastoreItem | ApiDatastore): EnrichmentState | undefined {
  const link = item.enrich_datastore;
  if (link === undefined) return undefined;
  const state: Record<string, unknown> = { enrich_datastore: link === null ? null : { id: link.id, name: link.name } };
  for (let i = 0; i < SETTINGS.length; i++) {
    const spec = SETTINGS[i]!;
    const value: unknown = item[spec.key];
    if (!hasSettingType(spec, value)) return undefined;
    state[spec.key] = value;
  }
  // Every setting of the table was checked to have its kind's type just above.
  return state as EnrichmentState;
}
