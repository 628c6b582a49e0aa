/**
 * `--target`: which changes of a plan a selection keeps. Shared by planning and by the recomputation
 * of a saved plan, so both select alike. Pure.
 */
import type { Change } from './types.js';

/**
 * A declared name resolves to a datastore of exactly that name, and a declared id to that id, so
 * matching the resolved name or id covers targets written either way.
 */
export function matchesTarget(change: Change, target: string): boolean {
  return change.datastore.name === target || String(change.datastore.id) === target;
}

/** The targets no change matches (each is an error: a typo must not silently plan nothing). */
export function unmatchedTargets(changes: readonly Change[], targets: readonly string[]): string[] {
  return targets.filter((t) => !changes.some((c) => matchesTarget(c, t)));
}

export function selectTargets(changes: readonly Change[], targets: readonly string[]): Change[] {
  return changes.filter((c) => targets.some((t) => matchesTarget(c, t)));
}
