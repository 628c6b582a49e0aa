/** Comparing enrichment states as the server would store them. Pure; shared by the planner, apply and the renderers. */
import { SETTINGS, settingEquals } from '../core/settings.js';
import type { Change, DatastoreRef, EnrichmentState } from './plan.js';

/** The fields of EnrichmentState in display order: the link, then the settings table's order. */
export const STATE_FIELDS: ReadonlyArray<keyof EnrichmentState> = ['enrich_datastore', ...SETTINGS.map((s) => s.key)];

/** The fields in which two states differ as the server would store them, in display order. */
export function differingFields(a: EnrichmentState, b: EnrichmentState): Array<keyof EnrichmentState> {
  // Once per planned datastore, in cold code: the fields are marked first, so that the result is
  // made at its size (an array grown by push holds room for 17).
  let differing = 0;
  let count = 0;
  for (let i = 0; i < STATE_FIELDS.length; i++) {
    const f = STATE_FIELDS[i]!;
    if (!stateFieldEquals(f, a[f], b[f])) {
      differing |= 1 << i;
      count++;
    }
  }
  const fields = new Array<keyof EnrichmentState>(count);
  for (let i = 0, n = 0; n < count; i++) if (differing & (1 << i)) fields[n++] = STATE_FIELDS[i]!;
  return fields;
}

/**
 * The fields a change manages, in display order: those it changes and those the manifests set
 * (`locations`). The others are left as they are, and not looked at: anyone may change them.
 */
export function managedFields(c: Pick<Change, 'changed_fields' | 'locations'>): Array<keyof EnrichmentState> {
  return STATE_FIELDS.filter((f) => c.changed_fields.includes(f) || c.locations?.[f] !== undefined);
}

/** `differingFields`, among `fields` only. */
export function differingIn(fields: ReadonlyArray<keyof EnrichmentState>, a: EnrichmentState, b: EnrichmentState): Array<keyof EnrichmentState> {
  return fields.filter((f) => !stateFieldEquals(f, a[f], b[f]));
}

/** Whether two values of a state field would be stored identically (links compare by id). */
export function stateFieldEquals(field: keyof EnrichmentState, a: unknown, b: unknown): boolean {
  if (field === 'enrich_datastore') {
    const x = a as DatastoreRef | null;
    const y = b as DatastoreRef | null;
    return (x?.id ?? null) === (y?.id ?? null);
  }
  return settingEquals(field, a, b);
}
