/**
 * What the API showed: the input of the pure diff beside the desired state. Produced by
 * `api/observe.ts`; plain data, so tests build it by hand.
 */
import type { EnrichmentState } from './plan.js';

export interface ObservedDatastore {
  id: number;
  name: string;
  enrichment_only: boolean;
  /** The five managed values; present for every datastore the manifests declare as a source. */
  state?: EnrichmentState;
  /** What else the API said about it, where it said it (export --format seed). Not used for planning. */
  details?: DatastoreDetails;
}

export interface DatastoreDetails {
  type?: string;
  store_type?: string;
  /** Team names, as the API listed them. */
  teams?: string[];
  /** Tag names (`global_tags`). */
  tags?: string[];
  connection?: { id: number; name?: string };
}

export interface Observation {
  /** Every datastore seen, by id. */
  datastores: Map<number, ObservedDatastore>;
  /** Exact name -> ids of the visible datastores with that name, for every name looked up. */
  names: Map<string, number[]>;
  /** Ids the token may not read, with the server's detail (403). */
  denied: Map<number, string>;
  /** Ids the server does not know (404). */
  missing: Set<number>;
}

export function emptyObservation(): Observation {
  return { datastores: new Map(), names: new Map(), denied: new Map(), missing: new Set() };
}

/** `onlyOfKind`'s answers when it finds no datastore, or several (ids are positive). */
export const NONE_OF_KIND = 0;
export const SEVERAL_OF_KIND = -1;

/**
 * Of the datastores named `name`, the one that is enrichment-only (`enrichment`) or a source: its id,
 * or NONE_OF_KIND, or SEVERAL_OF_KIND. It runs once per declared name, in cold code, and allocates
 * nothing: the planner resolves names by it, observe finds the sources it must read.
 */
export function onlyOfKind(obs: Observation, name: string, enrichment: boolean): number {
  const ids = obs.names.get(name);
  let found = NONE_OF_KIND;
  for (let i = 0; ids !== undefined && i < ids.length; i++) {
    if (obs.datastores.get(ids[i]!)?.enrichment_only !== enrichment) continue;
    if (found !== NONE_OF_KIND) return SEVERAL_OF_KIND;
    found = ids[i]!;
  }
  return found;
}
