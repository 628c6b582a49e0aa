/**
 * The TypeScript side of a manifest. These types and the SETTINGS table are the source of truth;
 * `schema-source.ts` builds the JSON Schema from them (`satisfies Record<keyof ...>` makes a key
 * missing on either side a compile error), and a test keeps the committed schema file equal to it.
 */
import type { Settings } from '../core/settings.js';
import type { DeclaredRef } from '../model/desired.js';

/** Every setting optional (`Settings` is the table's): a key left out is not managed. */
export type ManifestSettings = Partial<Settings>;

/** The keys of an entry that are not settings. */
export interface ManifestEntryBase {
  datastore: DeclaredRef;
  /** `null` declares "no link"; absent leaves the link unmanaged. */
  enrichment_datastore?: DeclaredRef | null;
}

export type ManifestEntry = ManifestEntryBase & ManifestSettings;

/** One YAML document of a manifest, as the schema admits it. */
export interface ManifestDocument {
  version: 1;
  defaults?: ManifestSettings;
  datastores: ManifestEntry[];
}
