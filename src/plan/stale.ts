/**
 * Whether a saved plan may still be executed: same API, same manifests, and every datastore still
 * in the state the plan observed, or already in the state it leads to (an earlier apply of this
 * very plan got that far: applying again resumes it). Pure; apply gathers the inputs.
 */
import type { Observation } from './observation.js';
import { differingFields } from './diff.js';
import { describeRef, describeValue } from './describe.js';
import type { Change, Plan } from './types.js';

/** What can be checked without a request: refusals here need no read of the API at all. */
export function planMismatches(plan: Plan, baseUrl: string, manifestDigest: string | undefined): string[] {
  const problems: string[] = [];
  if (plan.base_url !== baseUrl) {
    problems.push(`the plan was made against ${plan.base_url}, not ${baseUrl}: give the same --url / QUALYTICS_URL as when planning`);
  }
  if (manifestDigest === undefined) {
    problems.push(`the manifests the plan was made from (${plan.manifest_paths.join(', ')}) cannot be read from here: run apply --plan in the directory where plan ran`);
  } else if (plan.manifest_digest !== manifestDigest) {
    problems.push(`the manifests (${plan.manifest_paths.join(', ')}) changed since the plan was made: plan again and review the new plan`);
  }
  return problems;
}

export interface DatastoreProgress {
  /** Datastores whose changes are already in place (an earlier apply of this plan). */
  done: Change[];
  /** Each datastore that moved since the plan observed it, and how. */
  problems: string[];
}

export function datastoreProgress(plan: Plan, observation: Observation): DatastoreProgress {
  const progress: DatastoreProgress = { done: [], problems: [] };
  for (const c of plan.changes) {
    const id = c.datastore.id;
    const label = describeRef(c.datastore);
    const denied = observation.denied.get(id);
    if (denied !== undefined) {
      progress.problems.push(`${label} can no longer be read: ${denied}`);
      continue;
    }
    const state = observation.datastores.get(id)?.state;
    if (!state || observation.missing.has(id)) {
      progress.problems.push(`${label} no longer exists`);
      continue;
    }
    const moved = differingFields(c.before, state);
    if (moved.length === 0) continue;
    if (c.action !== 'no-op' && differingFields(c.after, state).length === 0) {
      progress.done.push(c);
      continue;
    }
    for (const f of moved) {
      progress.problems.push(`${label}: ${f} was ${describeValue(f, c.before)} when planned, and is ${describeValue(f, state)} now`);
    }
  }
  return progress;
}
