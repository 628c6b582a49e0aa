/**
 * Whether a saved plan still describes the world: same API, same manifests, and every datastore
 * still in the state the plan observed. Pure; apply gathers the inputs.
 */
import type { Observation } from './observation.js';
import { STATE_FIELDS, stateFieldEquals } from './diff.js';
import { describeRef, describeValue } from './describe.js';
import type { Plan } from './types.js';

export interface Current {
  base_url: string;
  /** Undefined when the manifests could not be read at all. */
  manifest_digest: string | undefined;
  observation: Observation;
}

/** Each way the world moved since the plan was made; empty when the plan is current. */
export function staleness(plan: Plan, now: Current): string[] {
  const problems: string[] = [];
  if (plan.base_url !== now.base_url) {
    problems.push(`the plan was made against ${plan.base_url}, not ${now.base_url}`);
  }
  if (now.manifest_digest === undefined) {
    problems.push(`the manifests the plan was made from (${plan.manifest_paths.join(', ')}) cannot be read from here; run apply --plan in the directory where plan ran`);
  } else if (plan.manifest_digest !== now.manifest_digest) {
    problems.push(`the manifests (${plan.manifest_paths.join(', ')}) changed since the plan was made`);
  }
  for (const c of plan.changes) {
    const id = c.datastore.id;
    const label = describeRef(c.datastore);
    const denied = now.observation.denied.get(id);
    if (denied !== undefined) {
      problems.push(`${label} can no longer be read: ${denied}`);
      continue;
    }
    const state = now.observation.datastores.get(id)?.state;
    if (!state || now.observation.missing.has(id)) {
      problems.push(`${label} no longer exists`);
      continue;
    }
    for (const f of STATE_FIELDS) {
      if (!stateFieldEquals(f, c.before[f], state[f])) {
        problems.push(`${label}: ${f} was ${describeValue(f, c.before)} when planned, and is ${describeValue(f, state)} now`);
      }
    }
  }
  return problems;
}
