/** How plan values read in every output format. */
import type { EnrichmentState } from '../model/plan.js';

/** `+` a link appears, `-` it goes, `~` anything else changes. */
export function fieldMarker(field: keyof EnrichmentState, before: EnrichmentState, after: EnrichmentState): '+' | '-' | '~' {
  if (field !== 'enrich_datastore') return '~';
  if (before.enrich_datastore === null) return '+';
  if (after.enrich_datastore === null) return '-';
  return '~';
}

export function summaryLine(s: { link: number; unlink: number; update: number; unchanged: number }): string {
  return `Plan: ${s.link} to link, ${s.unlink} to unlink, ${s.update} to update, ${s.unchanged} unchanged.`;
}

export const NO_CHANGES = 'No changes. Live enrichment settings match the manifests.';

export function unmanagedHeadline(count: number): string {
  return count === 0
    ? 'Unmanaged: none. Every datastore with enrichment configuration is declared in the manifests.'
    : `Unmanaged: ${count} ${count === 1 ? 'datastore has' : 'datastores have'} enrichment configuration but ${count === 1 ? 'appears' : 'appear'} in no manifest; enrichctl leaves ${count === 1 ? 'it' : 'them'} alone.`;
}
