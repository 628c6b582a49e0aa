/** How plan values read in every output format. */
import { thousands } from '../core/format.js';
import type { EnrichmentState, Plan } from '../model/plan.js';

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
  const changing = plan.changes.filter((c) => c.action !== 'no-op').length;
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

export const NO_CHANGES = 'No changes. Live enrichment settings match the manifests.';

export function unmanagedHeadline(count: number): string {
  return count === 0
    ? 'Unmanaged: none. Every datastore with enrichment configuration is declared in the manifests.'
    : `Unmanaged: ${count} ${count === 1 ? 'datastore has' : 'datastores have'} enrichment configuration but ${count === 1 ? 'appears' : 'appear'} in no manifest; enrichctl leaves ${count === 1 ? 'it' : 'them'} alone.`;
}
