/**
 * What the planner needs of a manifest entry. `manifest/` produces these (placeholder until the
 * manifest loader lands; see ARCHITECTURE.md).
 */
import type { Settings } from '../core/settings.js';
import type { DeclaredAt } from './types.js';

/** A datastore as a manifest names it: by name or by id. */
export type DesiredRef = string | number;

export type DesiredLink =
  | { kind: 'unmanaged' }
  | { kind: 'none'; declared_at?: DeclaredAt }
  | { kind: 'ref'; ref: DesiredRef; declared_at?: DeclaredAt };

export interface DesiredDatastore {
  datastore: DesiredRef;
  link: DesiredLink;
  /** Managed settings only (defaults applied); a key absent here is never compared or changed. */
  settings: Partial<Settings>;
  declared_at: DeclaredAt;
}
