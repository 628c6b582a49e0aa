/**
 * A saved plan is data, never instructions: `apply --plan` executes what the reviewed manifests
 * imply, recomputed here with the same `diffState` from the states the plan recorded, and refuses
 * the file unless it says exactly that. A file edited after review (another PUT body, an operation
 * moved to another datastore or added, a datastore renamed, an `after` changed) is refused with what
 * differs. Pure; needs no request: the live state is checked afterwards (`stale.ts`).
 *
 * What the file is trusted for: the observation (`before`, the names and ids of the datastores it
 * mentions, and their kinds). What is recomputed: everything else. The observation is in turn
 * checked against the live state before anything is written.
 */
import type { Diagnostic } from '../core/diagnostics.js';
import type { DesiredDatastore, DesiredRule } from '../model/desired.js';
import { describeValue } from '../model/describe.js';
import { diffState } from './diff.js';
import { differingFields, STATE_FIELDS } from '../model/state.js';
import { describeOperation } from '../model/routes.js';
import { emptyObservation, type Observation } from '../model/observation.js';
import type { Change, DatastoreRef, EnrichmentState, Operation, Plan } from '../model/plan.js';

/**
 * The observation a saved plan was made from, as far as the diff needs it: each declared source with
 * its `before` (sources are not enrichment-only), and every link target the plan names in `before`,
 * `after` or an operation (link targets are enrichment-only), each under its recorded name.
 */
export function observationFromPlan(plan: Plan): Observation {
  const obs = emptyObservation();
  const name = (ref: DatastoreRef): void => {
    const ids = obs.names.get(ref.name) ?? [];
    if (!ids.includes(ref.id)) obs.names.set(ref.name, [...ids, ref.id]);
  };
  for (const c of plan.changes) {
    obs.datastores.set(c.datastore.id, {
      id: c.datastore.id, name: c.datastore.name, enrichment_only: false, state: c.before,
      ...(c.matched_on ? { details: { ...c.matched_on } } : {}),
    });
    name(c.datastore);
  }
  for (const ref of linkTargets(plan)) {
    // A datastore both declared as a source and named as a link target stays a source (as the live state would say).
    if (!obs.datastores.has(ref.id)) obs.datastores.set(ref.id, { id: ref.id, name: ref.name, enrichment_only: true });
    name(ref);
  }
  return obs;
}

/** Every link target a plan mentions, in `before`, `after` or a link operation. */
export function linkTargets(plan: Plan): DatastoreRef[] {
  return plan.changes.flatMap(changeLinkTargets);
}

/** The link targets one change mentions, in `before`, `after` or a link operation. */
export function changeLinkTargets(c: Change): DatastoreRef[] {
  return [
    ...(c.before.enrich_datastore ? [c.before.enrich_datastore] : []),
    ...(c.after.enrich_datastore ? [c.after.enrich_datastore] : []),
    ...c.operations.flatMap((op) => (op.type === 'link' ? [op.enrich_datastore] : [])),
  ];
}

export type Recomputed = { ok: true; plan: Plan } | { ok: false; problems: string[] };

/**
 * The plan the manifests imply from the plan's recorded observation, with its recorded `--target`
 * selection, or why the saved plan is not it.
 */
export function recomputePlan(saved: Plan, desired: readonly DesiredDatastore[], rules: readonly DesiredRule[] = []): Recomputed {
  const observation = observationFromPlan(saved);
  // With a selection the file records only the selected datastores; the same selection, made by the
  // same diff, leaves the other declarations out (they cannot resolve against what was recorded).
  const result = diffState(desired, observation, {
    base_url: saved.base_url,
    manifest_digest: saved.manifest_digest,
    manifest_paths: saved.manifest_paths,
  }, saved.targets ?? [], rules);
  if (!result.ok) {
    return { ok: false, problems: result.diagnostics.filter((d) => d.severity === 'error').map((d) => `the manifests do not plan against the datastores the saved plan records: ${where(d)}${d.message}`) };
  }
  const plan: Plan = result.plan;
  const problems = planDifferences(saved, plan);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, plan };
}

/** What the saved plan says that the recomputed one does not, datastore by datastore. */
export function planDifferences(saved: Plan, recomputed: Plan): string[] {
  const problems: string[] = [];
  const mine = new Map(recomputed.changes.map((c) => [c.datastore.id, c]));
  const theirs = new Set<number>();
  for (const s of saved.changes) {
    const label = `datastore id ${s.datastore.id}`;
    if (theirs.has(s.datastore.id)) {
      problems.push(`${label}: the saved plan lists it twice`);
      continue;
    }
    theirs.add(s.datastore.id);
    const r = mine.get(s.datastore.id);
    if (!r) {
      problems.push(`${label}: the saved plan changes it, and the manifests do not declare it`);
      continue;
    }
    problems.push(...changeDifferences(s, r).map((p) => `${label}: ${p}`));
  }
  for (const r of recomputed.changes) {
    if (!theirs.has(r.datastore.id)) problems.push(`datastore id ${r.datastore.id}: the manifests declare it, and the saved plan leaves it out`);
  }
  if (problems.length === 0 && JSON.stringify(saved.summary) !== JSON.stringify(recomputed.summary)) {
    problems.push('the saved plan\'s summary differs from the manifests\'');
  }
  return problems;
}

function changeDifferences(s: Change, r: Change): string[] {
  const out: string[] = [];
  if (s.datastore.name !== r.datastore.name) out.push(`the saved plan names it ${JSON.stringify(s.datastore.name)}, the manifests ${JSON.stringify(r.datastore.name)}`);
  out.push(...stateDifferences('before', s.before, r.before), ...stateDifferences('after', s.after, r.after));
  out.push(...operationDifferences(s.datastore.id, s.operations, r.operations));
  if (out.length > 0) return out;
  // Whatever else (action, changed_fields, declared_at): the file is not what planning wrote.
  const rest = (['action', 'changed_fields', 'declared_at'] as const).filter((k) => JSON.stringify(s[k]) !== JSON.stringify(r[k]));
  return rest.map((k) => `the saved plan's ${k} is ${JSON.stringify(s[k])}, the manifests imply ${JSON.stringify(r[k])}`);
}

function stateDifferences(which: 'before' | 'after', s: EnrichmentState, r: EnrichmentState): string[] {
  const fields = new Set(differingFields(s, r));
  // Links compare by id for the diff; a plan must also not rename what it links to.
  if (s.enrich_datastore && r.enrich_datastore && s.enrich_datastore.name !== r.enrich_datastore.name) fields.add('enrich_datastore');
  return STATE_FIELDS.filter((f) => fields.has(f))
    .map((f) => `the saved plan's ${which} has ${f} ${describeValue(f, s)}, the manifests say ${describeValue(f, r)}`);
}

function operationDifferences(datastoreId: number, saved: readonly Operation[], mine: readonly Operation[]): string[] {
  const out: string[] = [];
  const types = new Set([...saved, ...mine].map((o) => o.type));
  for (const type of types) {
    const s = saved.find((o) => o.type === type);
    const r = mine.find((o) => o.type === type);
    if (saved.filter((o) => o.type === type).length > 1) out.push(`the saved plan has more than one ${type} operation`);
    if (!s) out.push(`the saved plan leaves out the ${describeOperation(datastoreId, r!)} the manifests imply`);
    else if (!r) out.push(`the saved plan has a ${describeOperation(datastoreId, s)} the manifests do not imply`);
    else out.push(...sameOperation(s, r));
  }
  if (out.length === 0 && JSON.stringify(saved.map((o) => o.type)) !== JSON.stringify(mine.map((o) => o.type))) {
    out.push(`the saved plan orders its operations ${saved.map((o) => o.type).join(', ')}, the manifests imply ${mine.map((o) => o.type).join(', ')}`);
  }
  return out;
}

function sameOperation(s: Operation, r: Operation): string[] {
  const out: string[] = [];
  if (s.type === 'link' && r.type === 'link' && (s.enrich_datastore.id !== r.enrich_datastore.id || s.enrich_datastore.name !== r.enrich_datastore.name)) {
    out.push(`the saved plan links to ${JSON.stringify(s.enrich_datastore)}, the manifests to ${JSON.stringify(r.enrich_datastore)}`);
  }
  if (s.type === 'update_settings' && r.type === 'update_settings') {
    const keys = [...new Set([...Object.keys(r.body), ...Object.keys(s.body)])] as Array<keyof typeof s.body>;
    for (const k of keys) {
      const a = s.body[k];
      const b = r.body[k];
      if (a === b) continue;
      if (a === undefined) out.push(`the saved plan's PUT body leaves out ${k}, the manifests set it to ${JSON.stringify(b)}`);
      else if (b === undefined) out.push(`the saved plan's PUT body sets ${k} to ${JSON.stringify(a)}, the manifests leave it alone`);
      else out.push(`the saved plan's PUT body sets ${k} to ${JSON.stringify(a)}, the manifests say ${JSON.stringify(b)}`);
    }
  }
  return out;
}

function where(d: Diagnostic): string {
  return d.start ? `${d.file}:${d.start.line}:${d.start.column}: ` : `${d.file}: `;
}
