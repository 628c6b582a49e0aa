/**
 * Whether a plan may still be executed against the live state: same API, same manifests, and every
 * datastore still in the state the plan observed, in the state it leads to (an earlier apply of this
 * very plan got that far), or part of the way there (an earlier apply stopped between two operations
 * of one datastore: the rest is recomputed from the live state, and applying again resumes). The
 * link, or a field the plan manages, at a third value, neither `before` nor `after`, means someone
 * else moved it: the plan is stale (a setting no manifest sets is anyone's to change).
 * Pure; apply gathers the inputs. The same check guards an interactive apply after its `yes`, with
 * resuming off: there, anything that moved while the prompt waited refuses the plan.
 */
import type { DesiredDatastore, DesiredLink, DesiredSettings } from '../model/desired.js';
import { SETTINGS } from '../core/settings.js';
import { quoteText, visibleText } from '../core/visible-text.js';
import type { DatastoreDetails, Observation } from '../model/observation.js';
import { emptyObservation, NONE_OF_KIND, onlyOfKind, SEVERAL_OF_KIND } from '../model/observation.js';
import { diffState } from './diff.js';
import { changeLinkTargets } from './verify.js';
import { differingIn, managedFields, STATE_FIELDS, stateFieldEquals } from '../model/state.js';
import { describeOperation } from '../model/routes.js';
import { describeRef, describeValue } from '../model/describe.js';
import type { Change, EnrichmentState, MatchedOn, Operation, Plan } from '../model/plan.js';

/** What can be checked without a request: refusals here need no read of the API at all. */
export function planMismatches(plan: Plan, baseUrl: string, manifestDigest: string | undefined): string[] {
  const problems: string[] = [];
  // The file's own texts, written raw into a message that keeps its line breaks (program.ts): any line break in them escaped here.
  const paths = visibleText(plan.manifest_paths.join(', '));
  if (plan.base_url !== baseUrl) {
    problems.push(`the plan was made against ${visibleText(plan.base_url)}, not ${baseUrl}: give the same --url / QUALYTICS_URL as when planning`);
  }
  if (manifestDigest === undefined) {
    problems.push(`the manifests the plan was made from (${paths}) cannot be read from here: run apply --plan in the directory where plan ran`);
  } else if (plan.manifest_digest !== manifestDigest) {
    problems.push(`the manifests (${paths}) changed since the plan was made: plan again and review the new plan`);
  }
  return problems;
}

/** Where one datastore of a plan stands, given its live state. */
export type ChangeProgress =
  /** Live equals `before`: the change runs as planned. */
  | { kind: 'untouched' }
  /** Live equals `after` (and the plan changes something): nothing left to do. */
  | { kind: 'done' }
  /** Every field at its `before` or its `after` value: `remaining` holds what is left, recomputed from the live state. */
  | { kind: 'in-progress'; remaining: Change }
  /** Something moved otherwise (or, without resuming, at all): the plan is stale. */
  | { kind: 'moved'; problems: string[] };

export function changeProgress(change: Change, live: EnrichmentState, resume: boolean): ChangeProgress {
  // A saved plan is held to the fields it manages and the link (settings depend on it: a strategy
  // needs one); the check after an interactive `yes`, to all.
  const fields = resume ? heldFields(change) : STATE_FIELDS;
  const moved = differingIn(fields, change.before, live);
  if (moved.length === 0) return { kind: 'untouched' };
  const label = describeRef(change.datastore);
  const movedProblems = (fields: ReadonlyArray<keyof EnrichmentState>): ChangeProgress => ({
    kind: 'moved',
    problems: fields.map((f) => `${label}: ${f} was ${describeValue(f, change.before)} when planned, and is ${describeValue(f, live)} now`),
  });
  if (!resume) return movedProblems(moved);
  const elsewhere = moved.filter((f) => !stateFieldEquals(f, change.after[f], live[f]));
  if (elsewhere.length > 0) return movedProblems(elsewhere);
  if (differingIn(fields, change.after, live).length === 0) return { kind: 'done' };
  const remaining = remainingChange(change, live);
  return Array.isArray(remaining)
    ? { kind: 'moved', problems: remaining.map((p) => `${label}: ${p}`) }
    : { kind: 'in-progress', remaining };
}

/** What a saved plan is held to: the link, and the fields it manages. */
function heldFields(change: Change): Array<keyof EnrichmentState> {
  const managed = managedFields(change);
  return managed.includes('enrich_datastore') ? managed : ['enrich_datastore', ...managed];
}

/**
 * The operations still needed to bring a half-applied datastore from `live` to the plan's `after`:
 * the same diff, from a declaration of exactly what the plan changes. They must be a part of the
 * planned operations (a resume never sends what was not reviewed), or the reasons they are not.
 */
export function remainingChange(change: Change, live: EnrichmentState): Change | string[] {
  const { before, after } = change;
  const at = { file: change.declared_at.file, start: { line: change.declared_at.line, column: change.declared_at.column }, end: { line: change.declared_at.line, column: change.declared_at.column } };
  let link: DesiredLink = { kind: 'unmanaged' };
  if (!stateFieldEquals('enrich_datastore', before.enrich_datastore, after.enrich_datastore)) {
    link = after.enrich_datastore === null ? { kind: 'none', location: at, from: 'entry' } : { kind: 'ref', ref: after.enrich_datastore.id, location: at, from: 'entry' };
  }
  const settings: Record<string, unknown> = {};
  for (const { key } of SETTINGS) if (!stateFieldEquals(key, before[key], after[key])) settings[key] = after[key];
  const decl: DesiredDatastore = { ref: change.datastore.id, location: at, link, settings: settings as DesiredSettings, origins: {} };

  const obs: Observation = emptyObservation();
  obs.datastores.set(change.datastore.id, { ...change.datastore, enrichment_only: false, state: live });
  for (const ref of [live.enrich_datastore, after.enrich_datastore]) {
    if (ref && ref.id !== change.datastore.id) obs.datastores.set(ref.id, { ...ref, enrichment_only: true });
  }
  const result = diffState([decl], obs, { base_url: '', manifest_digest: '', manifest_paths: [] });
  if (!result.ok) return result.diagnostics.map((d) => `cannot resume: ${d.message}`);
  const recomputed = result.plan.changes[0]!;
  const off = differingIn(managedFields(change), after, recomputed.after);
  if (off.length > 0) return off.map((f) => `cannot resume: from the live state, ${f} would end ${describeValue(f, recomputed.after)}, not ${describeValue(f, after)} as planned`);
  const unplanned = recomputed.operations.filter((op) => !change.operations.some((p) => covers(p, op)));
  if (unplanned.length > 0) return unplanned.map((op) => `cannot resume: finishing would need ${describeOperation(change.datastore.id, op)}, which the plan does not hold`);
  // Where things are declared is the plan's, not the stand-in declaration's (display only).
  const { locations: _stand_in, ...remaining } = recomputed;
  return { ...remaining, datastore: change.datastore, declared_at: change.declared_at, ...(change.locations ? { locations: change.locations } : {}) };
}

/** Whether a planned operation already holds this one (the same call, or a PUT with a part of its body). */
function covers(planned: Operation, op: Operation): boolean {
  switch (op.type) {
    case 'link':
      return planned.type === 'link' && planned.enrich_datastore.id === op.enrich_datastore.id;
    case 'update_settings':
      return planned.type === 'update_settings' &&
        Object.entries(op.body).every(([k, v]) => (planned.body as Record<string, unknown>)[k] === v);
    case 'unlink':
      return planned.type === 'unlink';
    default: {
      const unreachable: never = op;
      throw new Error(`unknown operation ${JSON.stringify(unreachable)}`);
    }
  }
}

export interface DatastoreProgress {
  /** The changes to execute: untouched ones as planned, half-applied ones with what remains. */
  changes: Change[];
  /** Datastores whose changes are already in place (an earlier apply of this plan). */
  done: Change[];
  /** Datastores an earlier apply left half-way (their remaining change is in `changes`). */
  resumed: Change[];
  /** Each datastore that moved since the plan observed it, and how. */
  problems: string[];
}

/**
 * Each datastore of the plan against the live `observation`, which holds the plan's datastores read
 * by id and every link target it names (`linkTargets`): each fact the plan recorded must still hold
 * (a source of that name, with the type and tags rules matched on; targets that are enrichment
 * datastores of those names), and each field be where the plan expects. `resume: false` refuses any
 * movement at all.
 */
export function datastoreProgress(plan: Plan, observation: Observation, options: { resume: boolean }): DatastoreProgress {
  const progress: DatastoreProgress = { changes: [], done: [], resumed: [], problems: [] };
  const targetsChecked = new Set<number>();
  for (const c of plan.changes) {
    const id = c.datastore.id;
    const label = describeRef(c.datastore);
    const denied = observation.denied.get(id);
    if (denied !== undefined) {
      progress.problems.push(`${label} can no longer be read: ${denied}`);
      continue;
    }
    const live = observation.datastores.get(id);
    if (!live?.state || observation.missing.has(id)) {
      progress.problems.push(`${label} no longer exists`);
      continue;
    }
    if (live.name !== c.datastore.name) progress.problems.push(`${label} is named ${JSON.stringify(live.name)} now`);
    if (live.enrichment_only) progress.problems.push(`${label} is an enrichment datastore, not a source`);
    if (c.matched_on) progress.problems.push(...matchedOnProblems(label, c.matched_on, live.details));
    // Every link target the change names, in `before` and `after` too (the recomputed plan read them by
    // these names); one many datastores link to is checked, and its problems said, once.
    for (const t of changeLinkTargets(c)) {
      if (targetsChecked.has(t.id)) continue;
      targetsChecked.add(t.id);
      progress.problems.push(...targetProblems(t, observation));
    }
    const p = changeProgress(c, live.state, options.resume);
    switch (p.kind) {
      case 'untouched': progress.changes.push(c); break;
      case 'done': progress.done.push(c); break;
      case 'in-progress': progress.resumed.push(c); progress.changes.push(p.remaining); break;
      case 'moved': progress.problems.push(...p.problems); break;
      default: {
        const unreachable: never = p;
        throw new Error(`unknown progress ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return progress;
}

/**
 * What rules matched on (the recorded type and tags, from which apply --plan recomputed the rules'
 * expansion) must still be the datastore's: else the file could have a rule match a datastore it
 * does not match.
 */
function matchedOnProblems(label: string, recorded: MatchedOn, live: DatastoreDetails | undefined): string[] {
  const out: string[] = [];
  const type = (text: string | undefined): string => (text === undefined ? 'not given' : quoteText(text));
  if (recorded.type !== live?.type) out.push(`${label}: its type was ${type(recorded.type)} when planned, and is ${type(live?.type)} now (rules match on it)`);
  const tags = (list: readonly string[] | undefined): string => `[${[...(list ?? [])].sort().map(quoteText).join(',')}]`;
  if (tags(recorded.tags) !== tags(live?.tags)) out.push(`${label}: its tags were ${tags(recorded.tags)} when planned, and are ${tags(live?.tags)} now (rules match on them)`);
  return out;
}

/**
 * The names the manifests wrote that the plan's datastores and link targets were resolved by, each
 * with the id the file says it named (`namesToCheck`): the datastore of that name and kind, read
 * live now, must be that one alone. A saved plan records names and ids as it found them, and a
 * file could bind a name two datastores bear (which plan refuses as ambiguous) to either.
 */
export interface NamesUsed {
  sources: ReadonlyMap<string, number>;
  targets: ReadonlyMap<string, number>;
}

/** The names of `desired` (entries, and entries' and rules' links) by which the plan's datastores were found. */
export function namesToCheck(plan: Plan, entries: readonly DesiredDatastore[], links: readonly DesiredLink[]): NamesUsed {
  const byName = (refs: Iterable<{ id: number; name: string }>): Map<string, number> => new Map([...refs].map((r) => [r.name, r.id]));
  const changed = byName(plan.changes.map((c) => c.datastore));
  const targets = byName(plan.changes.flatMap(changeLinkTargets));
  const sources = new Map<string, number>();
  for (const e of entries) if (typeof e.ref === 'string' && changed.has(e.ref)) sources.set(e.ref, changed.get(e.ref)!);
  const linked = new Map<string, number>();
  for (const l of links) if (l.kind === 'ref' && typeof l.ref === 'string' && targets.has(l.ref)) linked.set(l.ref, targets.get(l.ref)!);
  return { sources, targets: linked };
}

/** Each name of `names` against the live observation (which looked each of them up). */
export function nameProblems(names: NamesUsed, observation: Observation): string[] {
  const out: string[] = [];
  const check = (name: string, id: number, enrichment: boolean): void => {
    const found = onlyOfKind(observation, name, enrichment);
    const kind = enrichment ? 'enrichment datastore' : 'source datastore';
    if (found === id) return;
    if (found === SEVERAL_OF_KIND) out.push(`the manifests' ${quoteText(name)} names several ${kind}s now (the file says id ${id}): a plan would refuse it as ambiguous`);
    else out.push(`the manifests' ${quoteText(name)} names ${found === NONE_OF_KIND ? `no ${kind}` : `the ${kind} id ${found}`} now, not id ${id} as the file says`);
  };
  for (const [name, id] of names.sources) check(name, id, false);
  for (const [name, id] of names.targets) check(name, id, true);
  return out;
}

/** A link target must still be the enrichment datastore of that id and name the plan links to. */
function targetProblems(target: { id: number; name: string }, observation: Observation): string[] {
  const label = `link target ${describeRef(target)}`;
  const denied = observation.denied.get(target.id);
  if (denied !== undefined) return [`${label} can no longer be read: ${denied}`];
  const live = observation.datastores.get(target.id);
  if (!live || observation.missing.has(target.id)) return [`${label} no longer exists`];
  const out: string[] = [];
  if (live.name !== target.name) out.push(`${label} is named ${JSON.stringify(live.name)} now`);
  if (!live.enrichment_only) out.push(`${label} is not an enrichment datastore`);
  return out;
}
