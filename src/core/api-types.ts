/**
 * The slice of the Qualytics API's data that enrichctl reads and writes, shared by the client and the
 * emulator. See ../shared/reference/qualytics-api.md (kept beside the repository) for the contract.
 */
import type { Settings } from './settings.js';

/** The linked enrichment datastore as embedded in a source datastore. */
export interface EnrichDatastoreRef {
  id: number;
  name: string;
  store_type?: string;
  type?: string;
  enrichment_only?: boolean;
}

export interface TeamRef {
  id: number;
  name: string;
  permission?: string;
}

/**
 * A datastore as `GET /api/datastores/{id}` answers it (fields enrichctl does not use are left open):
 * these fields, and every setting of the table.
 */
export type ApiDatastore = ApiDatastoreFields & Settings;

interface ApiDatastoreFields {
  id: number;
  name: string;
  store_type?: string;
  type?: string;
  enrichment_only: boolean;
  enrich_datastore: EnrichDatastoreRef | null;
  teams?: TeamRef[];
  /** Tags, as the user guide's GET example shows them. */
  global_tags?: Array<{ name: string }>;
  /** On the single GET only. */
  connection?: { id: number; name?: string; type?: string };
  [other: string]: unknown;
}

/** The list envelope of `GET /api/datastores`. List items may lack fields the single GET has. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
  pages: number;
}

export type ListDatastoreItem = Partial<ApiDatastore> & { id: number; name: string };

export interface ApiUser {
  id?: number;
  name: string;
  role: string;
  [other: string]: unknown;
}

/** The body of `PUT /api/datastores/{id}` as enrichctl sends it: only the fields that change. */
export type SettingsPatch = Partial<Settings>;

/** The largest page the list endpoint serves. */
export const MAX_PAGE_SIZE = 100;
