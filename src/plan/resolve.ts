/**
 * Declared names and ids -> the observed datastores (pure, part of the planning core). Runs once per
 * declared datastore in a fresh process (cold code): the one-datastore case allocates only its answer.
 */
import type { DeclaredRef } from '../model/desired.js';
import { onlyOfKind, SEVERAL_OF_KIND, type Observation } from '../model/observation.js';
import type { DatastoreRef } from '../model/plan.js';

export type Resolution = { ok: true; ref: DatastoreRef } | { ok: false; problem: string };

const NO_IDS: readonly number[] = [];

/**
 * A declared name or id -> the datastore. Names are not unique across kinds: a source and an
 * enrichment datastore may share one, so a name resolves among the datastores of the kind its place
 * in the manifest asks for, and falls back to the other kind only when it has none (the caller then
 * refuses it with a precise message).
 */
export function resolve(ref: DeclaredRef, observed: Observation, kind: 'source' | 'enrichment'): Resolution {
  const what = kind === 'source' ? 'datastore' : 'enrichment datastore';
  if (typeof ref === 'number') {
    const denied = observed.denied.get(ref);
    if (denied !== undefined) return { ok: false, problem: `the token may not read ${what} id ${ref}: ${denied}` };
    const found = observed.datastores.get(ref);
    if (!found || observed.missing.has(ref)) return { ok: false, problem: `${what} id ${ref} not found` };
    return { ok: true, ref: { id: found.id, name: found.name } };
  }
  // Nearly every name is one datastore's: the ids of the kind asked for are listed apart only when there are several.
  const enrichment = kind === 'enrichment';
  const only = onlyOfKind(observed, ref, enrichment);
  if (only > 0) return { ok: true, ref: { id: only, name: ref } };
  const all = observed.names.get(ref) ?? NO_IDS;
  const ids = only === SEVERAL_OF_KIND ? idsOfKind(all, observed, enrichment) : all;
  if (ids.length === 0) {
    return {
      ok: false,
      problem: `${what} "${ref}" not found: no datastore of exactly that name is visible to this token (it does not exist, or the token lacks Reporter permission on it)`,
    };
  }
  if (ids.length > 1) {
    return {
      ok: false,
      problem: `${what} name "${ref}" is ambiguous: ids ${[...ids].sort((a, b) => a - b).join(', ')} share it; declare it by id instead`,
    };
  }
  return { ok: true, ref: { id: ids[0]!, name: ref } };
}

/** The ids among `all` of enrichment datastores, or of source datastores (a callback here would capture `resolve`'s arguments: a context at every call). */
function idsOfKind(all: readonly number[], observed: Observation, enrichment: boolean): number[] {
  const ids: number[] = [];
  for (const id of all) if (observed.datastores.get(id)?.enrichment_only === enrichment) ids.push(id);
  return ids;
}
