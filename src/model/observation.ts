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
