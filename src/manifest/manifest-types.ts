/**
 * The TypeScript side of a manifest. These types and the SETTINGS table are the source of truth;
 * `schema-source.ts` builds the JSON Schema from them (`satisfies Record<keyof ...>` makes a key
 * missing on either side a compile error), and a test keeps the committed schema file equal to it.
 */
import type { SETTINGS, Settings, SettingSpec } from '../core/settings.js';
import type { DeclaredRef } from '../model/desired.js';

/** The value type a setting's kind implies: enum settings get the union of their values. */
type SettingValue<S extends SettingSpec> = S extends { kind: 'integer' }
  ? number
  : S extends { kind: 'enum'; values: readonly (infer V)[] }
    ? V
    : string;

/** Every setting optional: a key left out is not managed. */
export type ManifestSettings = { [S in (typeof SETTINGS)[number] as S['key']]?: SettingValue<S> };

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

// The table-derived settings type must stay the same as the hand-written `Settings` (partial).
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const settingsTypesAgree: Same<ManifestSettings, Partial<Settings>> = true;
void settingsTypesAgree;
