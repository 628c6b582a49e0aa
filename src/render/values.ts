/** How plan values read in every output format. */
import { thousands } from '../core/format.js';
import type { Change, EnrichmentState, Plan } from '../model/plan.js';
import { managedFields, STATE_FIELDS } from '../model/state.js';

/** `+` a link appears, `-` it goes, `~` anything else changes. */
export function fieldMarker(field: keyof EnrichmentState, before: EnrichmentState, after: EnrichmentState): '+' | '-' | '~' {
  if (field !== 'enrich_datastore') return '~';
  if (before.enrich_datastore === null) return '+';
  if (after.enrich_datastore === null) return '-';
  return '~';
}

/**
 * Datastores and operations counted apart (one datastore may be linked and updated):
 * `Plan: 13 datastores to change (6 links, 1 unlink, 8 settings updates), 4 unchanged.`
 */
export function summaryLine(plan: Pick<Plan, 'changes' | 'summary'>): string {
  const s = plan.summary;
  let changing = 0;
  for (let i = 0; i < plan.changes.length; i++) if (plan.changes[i]!.action !== 'no-op') changing++;
  const operations = [
    ...(s.link > 0 ? [counted(s.link, 'link')] : []),
    ...(s.unlink > 0 ? [counted(s.unlink, 'unlink')] : []),
    ...(s.update > 0 ? [counted(s.update, 'settings update')] : []),
  ];
  return `Plan: ${counted(changing, 'datastore')} to change${operations.length > 0 ? ` (${operations.join(', ')})` : ''}, ${thousands(s.unchanged)} unchanged.`;
}

/** `1 link`, `2 links`, with thousands separators. */
export function counted(n: number, noun: string): string {
  return `${thousands(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * The values a change block leaves out: `2 unchanged, 2 not managed` (managed by the manifests and
 * equal, or not managed at all); empty when every value is shown.
 */
export function hiddenFields(c: Pick<Change, 'changed_fields' | 'locations'>): string {
  const all = managedFields(c).length;
  const managed = all - c.changed_fields.length;
  const unmanaged = STATE_FIELDS.length - all;
  if (managed > 0 && unmanaged > 0) return `${managed} unchanged, ${unmanaged} not managed`;
  return managed > 0 ? `${managed} unchanged` : unmanaged > 0 ? `${unmanaged} not managed` : '';
}

/**
 * Where a changed value comes from, when not from the datastore's own entry (which the block's
 * "declared at" names): `rule at pii.yaml:3`, `defaults at m.yaml:2`. Display only.
 */
export function valueOrigin(c: Pick<Change, 'locations'>, field: keyof Change['before']): string | undefined {
  const span = c.locations?.[field];
  if (!span || span.from === undefined || span.from === 'entry') return undefined;
  return `${span.from} at ${span.file}:${span.line}`;
}

export const NO_CHANGES = 'No changes. Live enrichment settings match the manifests.';

export function unmanagedHeadline(count: number): string {
  return count === 0
    ? 'Unmanaged: none. Every datastore with enrichment configuration is declared in the manifests.'
    : `Unmanaged: ${count} ${count === 1 ? 'datastore has' : 'datastores have'} enrichment configuration but ${count === 1 ? 'appears' : 'appear'} in no manifest; enrichctl leaves ${count === 1 ? 'it' : 'them'} alone.`;
}
