/**
 * What the manifests ask for, after defaults and checks: the planner's input. Every managed value
 * is here; a setting or link not declared is absent (unmanaged) and must never be changed.
 */
import type { SourcePosition } from '../core/diagnostics.js';
import type { SettingKey, Settings } from '../core/settings.js';

/** A datastore as a manifest names it: by name (string) or by id (integer). Resolved by the planner into a `DatastoreRef`. */
export type DeclaredRef = string | number;

/** A place in a manifest, for messages (the planner's "declared at ..."). */
export interface SourceLocation {
  file: string;
  start: SourcePosition;
  end: SourcePosition;
}

/**
 * The enrichment link:
 * | kind        | declared as                         | planner                                  |
 * |-------------|-------------------------------------|------------------------------------------|
 * | `unmanaged` | key left out                        | never links, switches or unlinks         |
 * | `none`      | `enrichment_datastore: null`        | unlinks when linked                      |
 * | `ref`       | `enrichment_datastore: <name or id>`| links or switches to that datastore      |
 */
export type DesiredLink =
  | { kind: 'unmanaged' }
  | { kind: 'none'; location: SourceLocation }
  | { kind: 'ref'; ref: DeclaredRef; location: SourceLocation };

/** The managed settings, in the form the server stores (prefixes normalised). */
export type DesiredSettings = Partial<Settings>;

/** Where a managed setting's value came from. Display only: not for decisions. */
export interface SettingOrigin {
  from: 'entry' | 'defaults';
  location: SourceLocation;
}

export interface DesiredDatastore {
  /** The source datastore as written: a name or an id. Resolved against the live state by the planner. */
  ref: DeclaredRef;
  /** The entry's `datastore:` value. */
  location: SourceLocation;
  link: DesiredLink;
  settings: DesiredSettings;
  /** Display only: for each key of `settings`, where it was declared. */
  origins: Partial<Record<SettingKey, SettingOrigin>>;
}

export interface DesiredState {
  /** In file order, then document order, then entry order. */
  datastores: DesiredDatastore[];
  /** The manifest files read, as the user named them. */
  files: string[];
}
