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

/** What a rule matches on: every criterion given must hold, at least one is given. */
export interface ManifestRuleMatch {
  /** A glob (`*` any run of characters, `?` one character) on the datastore name, or a list of globs (any). */
  name?: string | string[];
  /** A tag name, or a list of tag names (any). */
  tag?: string | string[];
  /** The API's `datastore_type` (connection type), or a list of them (any). */
  type?: string | string[];
}

/** The keys of a rule that are not settings. */
export interface ManifestRuleBase {
  match: ManifestRuleMatch;
  /** As in an entry: a name, an id, or `null` (no link). */
  enrichment_datastore?: DeclaredRef | null;
}

/** A rule: settings for every source datastore it matches; `enrichment_prefix` may use `{name}` and `{id}`. */
export type ManifestRule = ManifestRuleBase & ManifestSettings;

/** One YAML document of a manifest, as the schema admits it. */
export interface ManifestDocument {
  version: 1;
  defaults?: ManifestSettings;
  /** Absent only when the document has `rules`. */
  datastores?: ManifestEntry[];
  rules?: ManifestRule[];
}
