/**
 * What the emulator is started with: users and datastores. `schemas/emulator-seed.schema.json`
 * describes the YAML form; `seed-file.ts` loads and checks it; tests and benchmarks may build one
 * in code.
 */
import type { Settings } from './settings.js';

/** Team permissions, lowest to highest. */
export const TEAM_PERMISSIONS = ['Reporter', 'Viewer', 'Drafter', 'Author', 'Editor'] as const;
export type TeamPermission = (typeof TEAM_PERMISSIONS)[number];

export const USER_ROLES = ['Admin', 'Manager', 'Member'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface SeedUser {
  name: string;
  role: UserRole;
  token: string;
  /** Team name -> the permission the user holds there. Every user is also in `Public` (as Reporter unless given here). */
  teams?: Record<string, TeamPermission>;
}

/** A datastore: these fields, and any setting of the table (left out: the server's default; the prefix's derives from the name). */
export type SeedDatastore = SeedDatastoreFields & Partial<Settings>;

interface SeedDatastoreFields {
  id: number;
  name: string;
  store_type?: string;
  type?: string;
  /** Default `[Public]`. */
  teams?: string[];
  enrichment_only?: boolean;
  /** Id of the linked enrichment datastore. */
  enrich_datastore?: number | null;
  /** True makes unlink answer 409 (active export or materialize operations). */
  active_export_or_materialize?: boolean;
  /** Tag names, answered as `global_tags: [{name}]`. Default none. */
  tags?: string[];
  /** The datastore's connection. Default: id = the datastore id, name `<datastore name> connection`. */
  connection?: SeedConnection;
}

export interface SeedConnection {
  id: number;
  name?: string;
}

/** How `PUT /api/datastores/{id}` treats a body: see src/emulator/README.md. */
export const PUT_MODES = ['partial', 'full'] as const;
export type PutMode = (typeof PUT_MODES)[number];

/** How the listing's `name` filter matches: see src/emulator/README.md. */
export const NAME_FILTERS = ['exact', 'substring'] as const;
export type NameFilter = (typeof NAME_FILTERS)[number];

export interface Seed {
  users: SeedUser[];
  datastores: SeedDatastore[];
  /** Default `exact`, as the user guide documents; `substring` (case-insensitive) is how older servers filtered. */
  name_filter?: NameFilter;
  /** Default `partial`: absent fields stay unchanged. `full` requires `name`, `connection_id` and `enrichment_only`. */
  put?: PutMode;
}
