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
  | { kind: 'none'; location: SourceLocation; from: LinkOrigin }
  | { kind: 'ref'; ref: DeclaredRef; location: SourceLocation; from: LinkOrigin };

/** What may set a value: an explicit entry, a rule, or a document's `defaults` (which never set the link). */
export type OriginKind = 'entry' | 'rule' | 'defaults';

/** Display only, like `SettingOrigin`: whether an entry or a rule declared the link. */
export type LinkOrigin = Exclude<OriginKind, 'defaults'>;

/** The managed settings, in the form the server stores (prefixes normalised). */
export type DesiredSettings = Partial<Settings>;

/** Where a managed setting's value came from. Display only: not for decisions. */
export interface SettingOrigin {
  from: OriginKind;
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

/** What a rule matches on, each criterion a list (any of it); absent criteria are not checked. */
export interface RuleMatch {
  /** Globs: `*` any run of characters, `?` one character, anything else itself. */
  names?: string[];
  tags?: string[];
  types?: string[];
}

/** Settings with where each was declared: a document's `defaults`, or what a rule sets. */
export interface OriginatedSettings {
  settings: DesiredSettings;
  origins: Partial<Record<SettingKey, SettingOrigin>>;
}

/**
 * A rule as checked offline: it becomes desired state only against an observation (`plan/rules.ts`
 * expands it for every source datastore it matches).
 */
export interface DesiredRule {
  match: RuleMatch;
  /** The rule's `match:` key: what messages and "rule at" name. */
  location: SourceLocation;
  /** `from` is always 'rule'. */
  link: DesiredLink;
  /**
   * The settings as the rule sets them, `origins` all 'rule'. `enrichment_prefix` is a template:
   * `{name}` and `{id}` are substituted per datastore, then normalised.
   */
  own: OriginatedSettings;
  /** The `defaults` of the rule's document: they fill, below every rule, a datastore no entry declares. */
  defaults: OriginatedSettings;
}

export interface DesiredState {
  /** In file order, then document order, then entry order. */
  datastores: DesiredDatastore[];
  /** In file order, then document order, then rule order. */
  rules: DesiredRule[];
  /** The manifest files read, as the user named them. */
  files: string[];
}
