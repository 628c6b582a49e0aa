/**
 * The planning core: desired state + observation (+ the `--target` selection) -> Plan, or the
 * reasons there can be none. Pure: no I/O, no clock, no colour. Everything the server would store
 * identically compares equal (prefixes in normalised form); keys a manifest leaves out are not
 * compared.
 *
 * Per declared datastore, in named steps: resolve the source, plan the link, plan the settings,
 * check the invariants; each step either adds to the change or refuses the datastore with a located
 * diagnostic. Only the selected datastores are planned, and only their problems are reported.
 *
 * Cost: a plan runs once, in a fresh process, so this code runs in V8's interpreter and baseline
 * compiler, which allocate for what an optimised build would not (an iterator result per `for...of`
 * step, a closure per callback): the per-datastore loops are indexed and allocate only what the
 * plan keeps.
 */
import type { Diagnostic } from '../core/diagnostics.js';
import { canonicalSetting, SETTINGS, STRATEGIES_NEEDING_LINK, settingEquals } from '../core/settings.js';
import type { SettingsPatch } from '../core/api-types.js';
import type { DeclaredRef, DesiredDatastore, DesiredRule, SourceLocation } from '../model/desired.js';
import { expandRules } from './rules.js';
import { resolve, type Resolution } from './resolve.js';
import { describeRef, sortByRef } from '../model/describe.js';
import type { Observation } from '../model/observation.js';
import { inOperationOrder, type Change, type DatastoreRef, type DeclaredAt, type EnrichmentState, type MatchedOn, type Operation, type Plan, type PlanSummary } from '../model/plan.js';
import { differingFields, STATE_FIELDS } from '../model/state.js';

/** The plan's own fields; an accessor among them is kept as one (`diffState`). */
export interface PlanMeta {
  base_url: string;
  manifest_digest: string;
  manifest_paths: string[];
}

export type PlanResult =
  | { ok: true; plan: Plan; warnings: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

/**
 * `targets` (`--target`, names or ids as the user typed them) selects datastores: a target matches a
 * declaration written that way, or the datastore it resolves to (by name or id). Empty plans all.
 */
export function diffState(
  entries: readonly DesiredDatastore[],
  observed: Observation,
  meta: PlanMeta,
  targets: readonly string[] = [],
  rules: readonly DesiredRule[] = [],
): PlanResult {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const changes: Change[] = [];
  // Rules first: what they declare is planned like an entry (`plan/rules.ts`).
  const expansion = expandRules(entries, rules, observed);
  for (const d of expansion.diagnostics) (d.severity === 'error' ? errors : warnings).push(d);
  const desired = expansion.datastores;

  // sources[i]: what desired[i] resolves to.
  const sources = desired.map((decl) => resolve(decl.ref, observed, 'source'));
  for (const t of targets) {
    // The datastores this target selects, each once: by what it resolved to, or as written.
    const selected = new Map<string, string>();
    for (let i = 0; i < desired.length; i++) {
      const source = sources[i]!;
      if (!matchesTarget(desired[i]!, source, t)) continue;
      if (source.ok) selected.set(`id ${source.ref.id}`, describeRef(source.ref));
      else selected.set(`as written ${String(desired[i]!.ref)}`, JSON.stringify(String(desired[i]!.ref)));
    }
    if (selected.size === 0) {
      errors.push({
        severity: 'error', file: '--target', code: 'unknown-target',
        message: `${JSON.stringify(t)} is not a datastore the manifests in ${meta.manifest_paths.join(', ')} declare (by name or id)`,
      });
    } else if (selected.size > 1) {
      // A name that is another datastore's id, or one that several declared ids bear: apply would write them all.
      errors.push({
        severity: 'error', file: '--target', code: 'ambiguous-target',
        message: `${JSON.stringify(t)} names ${selected.size} declared datastores: ${[...selected.values()].join(', ')}`,
        hints: ['give each by the other of its name or id'],
      });
    }
  }
  const firstDeclaration = new Map<number, DesiredDatastore>();
  for (let i = 0; i < desired.length; i++) {
    const source = sources[i]!;
    if (source.ok && !firstDeclaration.has(source.ref.id)) firstDeclaration.set(source.ref.id, desired[i]!);
  }
  // Many entries name the same few link targets: each is resolved once.
  const targetsResolved = new Map<DeclaredRef, Resolution>();
  const target = (ref: DeclaredRef): Resolution => {
    let found = targetsResolved.get(ref);
    if (!found) targetsResolved.set(ref, (found = resolve(ref, observed, 'enrichment')));
    return found;
  };

  for (let i = 0; i < desired.length; i++) {
    if (targets.length > 0 && !isTargeted(desired[i]!, sources[i]!, targets)) continue;
    if (expansion.conflicted?.has(desired[i]!)) continue;
    const planned = planDatastore(desired[i]!, sources[i]!, observed, firstDeclaration, target);
    if (!planned.ok) {
      errors.push(planned.diagnostic);
      continue;
    }
    changes.push(planned.change);
    if (planned.warning) warnings.push(planned.warning);
  }

  sharedTableWarnings(changes, warnings);
  if (rules.length > 0) for (const c of changes) c.matched_on = matchedOn(observed, c.datastore.id);
  if (errors.length > 0) return { ok: false, diagnostics: errors };
  const sorted = sortByRef(changes, (c) => c.datastore);
  // meta's fields are copied as they are, an accessor as an accessor (a field that costs to compute,
  // as the manifests' digest, is computed when the plan's is read), in the plan's field order.
  const plan = Object.defineProperties({ format_version: 1 }, Object.getOwnPropertyDescriptors(meta)) as Plan;
  plan.changes = sorted;
  plan.summary = summarise(sorted);
  // Recorded so that apply --plan can recompute the same selection from the manifests.
  if (targets.length > 0) plan.targets = [...targets];
  return { ok: true, plan, warnings };
}

/** The ids the declarations resolve to (those that resolve): what the manifests manage, selected or not. */
export function declaredIds(desired: readonly DesiredDatastore[], observed: Observation): Set<number> {
  const ids = new Set<number>();
  for (const decl of desired) {
    const source = resolve(decl.ref, observed, 'source');
    if (source.ok) ids.add(source.ref.id);
  }
  return ids;
}

type Planned = { ok: true; change: Change; warning?: Diagnostic } | { ok: false; diagnostic: Diagnostic };

function refuse(location: SourceLocation, message: string, code: string): Planned {
  return { ok: false, diagnostic: error(location, message, code) };
}

function planDatastore(
  decl: DesiredDatastore,
  source: Resolution,
  observed: Observation,
  firstDeclaration: ReadonlyMap<number, DesiredDatastore>,
  target: (ref: DeclaredRef) => Resolution,
): Planned {
  // 1. The source: resolved, declared once, a source datastore with observed settings.
  if (!source.ok) return refuse(decl.location, source.problem, 'unresolved-datastore');
  const earlier = firstDeclaration.get(source.ref.id);
  if (earlier && earlier !== decl) {
    return refuse(decl.location, `${describeRef(source.ref)} is declared twice: here and at ${place(declaredAt(earlier.location))}`, 'duplicate-datastore');
  }
  const live = observed.datastores.get(source.ref.id);
  if (live?.enrichment_only) {
    return refuse(decl.location,
      `${describeRef(source.ref)} is an enrichment-only datastore: it cannot have an enrichment datastore or settings of its own (the server would answer 409); remove it from the manifest`,
      'enrichment-only-source');
  }
  if (!live?.state) return refuse(decl.location, `no enrichment settings were read for ${describeRef(source.ref)}`, 'unobserved-datastore');
  const before = live.state;

  // 2. The link.
  const link = planLink(decl, source.ref, before, observed, target);
  if (!link.ok) return { ok: false, diagnostic: link.diagnostic };
  const after: EnrichmentState = { ...before, enrich_datastore: link.enrich_datastore };
  const operations: Operation[] = link.operation ? [link.operation] : [];

  // 3. The settings (an unlink also resets the strategy, so a PUT for `none` would be a wasted write).
  const unlinks = link.operation?.type === 'unlink';
  const body = settingsBody(decl, before, unlinks);
  if (body) {
    Object.assign(after, body);
    operations.push({ type: 'update_settings', body });
  }
  if (unlinks) after.enrichment_remediation_strategy = 'none';

  // 4. Invariants. Only a declared strategy is checked: a server that already holds an inconsistent
  // state is not the manifest's fault.
  const declaredStrategy = decl.settings.enrichment_remediation_strategy;
  if (after.enrich_datastore === null && declaredStrategy !== undefined && STRATEGIES_NEEDING_LINK.includes(declaredStrategy)) {
    return refuse(decl.origins.enrichment_remediation_strategy?.location ?? decl.location,
      `enrichment_remediation_strategy "${declaredStrategy}" needs a linked enrichment datastore, and ${describeRef(source.ref)} would have none; declare enrichment_datastore, or set the strategy to "none"`,
      'strategy-needs-link');
  }

  const changed = differingFields(before, after);
  const change: Change = {
    datastore: source.ref,
    action: operations.length === 0 ? 'no-op' : 'update',
    before,
    after,
    changed_fields: changed,
    operations: operations.length > 1 ? inOperationOrder(operations) : operations,
    declared_at: declaredAt(decl.location),
  };
  const locations = fieldLocations(decl);
  if (locations) change.locations = locations;
  if (!changed.includes('enrichment_prefix') || before.enrich_datastore === null) return { ok: true, change };
  const where = decl.origins.enrichment_prefix?.location ?? decl.location;
  return {
    ok: true,
    change,
    warning: {
      severity: 'warning', file: where.file, start: where.start, end: where.end, code: 'prefix-change',
      message: `changing the prefix of ${describeRef(source.ref)} from ${before.enrichment_prefix} to ${after.enrichment_prefix} leaves the tables under the old prefix behind in the enrichment datastore`,
    },
  };
}

/** The link after, and the operation that gets it there (none when it stays). */
type PlannedLink =
  | { ok: true; enrich_datastore: DatastoreRef | null; operation?: Extract<Operation, { type: 'link' | 'unlink' }> }
  | { ok: false; diagnostic: Diagnostic };

function planLink(decl: DesiredDatastore, source: DatastoreRef, before: EnrichmentState, observed: Observation, resolveTarget: (ref: DeclaredRef) => Resolution): PlannedLink {
  switch (decl.link.kind) {
    case 'unmanaged':
      return unchanged(before);
    case 'none':
      return before.enrich_datastore === null ? unchanged(before) : { ok: true, enrich_datastore: null, operation: { type: 'unlink' } };
    case 'ref': {
      const at = decl.link.location;
      let target = resolveTarget(decl.link.ref);
      // Linked already, to a datastore this token may not read: nothing to do, and nothing to check.
      if (!target.ok && before.enrich_datastore !== null && before.enrich_datastore.id === decl.link.ref) {
        target = { ok: true, ref: before.enrich_datastore };
      }
      if (!target.ok) return { ok: false, diagnostic: error(at, target.problem, 'unresolved-enrichment-datastore') };
      if (target.ref.id === source.id) {
        return { ok: false, diagnostic: error(at, `${describeRef(source)} cannot be its own enrichment datastore`, 'self-link') };
      }
      if (before.enrich_datastore?.id === target.ref.id) return unchanged(before);
      // The server refuses a link to a source datastore (the user guide's enrichment FAQ).
      if (observed.datastores.get(target.ref.id)?.enrichment_only === false) {
        return {
          ok: false,
          diagnostic: error(at,
            `${describeRef(target.ref)} cannot be the enrichment datastore of ${describeRef(source)}: it is a source datastore, and only an enrichment datastore (enrichment_only) can receive enrichment data`,
            'link-target-not-enrichment'),
        };
      }
      return { ok: true, enrich_datastore: target.ref, operation: { type: 'link', enrich_datastore: target.ref } };
    }
    default: {
      const unreachable: never = decl.link;
      throw new Error(`unknown link kind ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The link stays as it is. */
function unchanged(before: EnrichmentState): PlannedLink {
  return { ok: true, enrich_datastore: before.enrich_datastore };
}

/** The declared settings that differ from the live ones, in canonical form (only those a PUT must carry); none when none differ. */
function settingsBody(decl: DesiredDatastore, before: EnrichmentState, unlinks: boolean): SettingsPatch | undefined {
  let body: Record<string, unknown> | undefined;
  for (let i = 0; i < SETTINGS.length; i++) {
    const key = SETTINGS[i]!.key;
    const wanted = decl.settings[key];
    if (wanted === undefined) continue;
    if (key === 'enrichment_remediation_strategy' && unlinks && wanted === 'none') continue;
    if (settingEquals(key, before[key], wanted)) continue;
    (body ??= {})[key] = canonicalSetting(key, wanted);
  }
  return body as SettingsPatch | undefined;
}

/** Whether a `--target` names this declaration (a function of its own: a callback would capture the loop's variables, a context per datastore). */
function isTargeted(decl: DesiredDatastore, source: Resolution, targets: readonly string[]): boolean {
  for (const t of targets) if (matchesTarget(decl, source, t)) return true;
  return false;
}

/** Whether a `--target` names this declaration: as written, or the datastore it resolved to. */
function matchesTarget(decl: DesiredDatastore, source: Resolution, target: string): boolean {
  if (String(decl.ref) === target) return true;
  return source.ok && (source.ref.name === target || String(source.ref.id) === target);
}

export function summarise(changes: readonly Change[]): PlanSummary {
  const summary: PlanSummary = { link: 0, unlink: 0, update: 0, unchanged: 0 };
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    if (c.action === 'no-op') summary.unchanged++;
    for (let j = 0; j < c.operations.length; j++) {
      const op = c.operations[j]!;
      switch (op.type) {
        case 'link': summary.link++; break;
        case 'unlink': summary.unlink++; break;
        case 'update_settings': summary.update++; break;
        default: {
          const unreachable: never = op;
          throw new Error(`unknown operation ${JSON.stringify(unreachable)}`);
        }
      }
    }
  }
  return summary;
}

/**
 * Two sources linked to one enrichment datastore with one prefix write into the same tables; the
 * server does not check. Adds a warning per such group to `out`, in the order of the groups' first
 * changes (a group is a list only once it has a second change: nearly every one has one).
 */
function sharedTableWarnings(changes: readonly Change[], out: Diagnostic[]): void {
  // By link target, then prefix: the index of the one change, or the indices once there are several.
  const groups = new Map<number, Map<string, number | number[]>>();
  const shared: number[][] = [];
  for (let i = 0; i < changes.length; i++) {
    const after = changes[i]!.after;
    if (!after.enrich_datastore) continue;
    let byPrefix = groups.get(after.enrich_datastore.id);
    if (!byPrefix) groups.set(after.enrich_datastore.id, (byPrefix = new Map()));
    const group = byPrefix.get(after.enrichment_prefix);
    if (group === undefined) byPrefix.set(after.enrichment_prefix, i);
    else if (typeof group !== 'number') group.push(i);
    else {
      const indices = [group, i];
      byPrefix.set(after.enrichment_prefix, indices);
      shared.push(indices);
    }
  }
  shared.sort((a, b) => a[0]! - b[0]!);
  for (const indices of shared) {
    const group = indices.map((i) => changes[i]!);
    const first = group[0]!;
    const at = first.declared_at;
    out.push({
      severity: 'warning', file: at.file, start: { line: at.line, column: at.column }, code: 'shared-enrichment-tables',
      message: `${listSome(group, (c) => describeRef(c.datastore))} would ${group.length === 2 ? 'both' : 'all'} write into ${describeRef(first.after.enrich_datastore!)} with the prefix ${first.after.enrichment_prefix}, so into the same tables`,
      hints: ['give each source its own enrichment_prefix'],
    });
  }
}

/** The first few of a long list, and how many more (only those few are described). */
function listSome<T>(items: readonly T[], describe: (item: T) => string, most = 5): string {
  const shown = items.slice(0, most).map(describe).join(', ');
  return items.length <= most ? shown : `${shown} and ${items.length - most} more`;
}

function declaredAt(location: SourceLocation): DeclaredAt {
  return { file: location.file, line: location.start.line, column: location.start.column };
}

/** Display only: where the manifests set each field they manage (see `Change.locations`); none when they set none. */
function fieldLocations(decl: DesiredDatastore): Change['locations'] {
  let locations: Change['locations'];
  for (let i = 0; i < STATE_FIELDS.length; i++) {
    const field = STATE_FIELDS[i]!;
    const origin = field === 'enrich_datastore' ? (decl.link.kind === 'unmanaged' ? undefined : decl.link) : decl.origins[field];
    if (!origin) continue;
    const where = origin.location;
    (locations ??= {})[field] = { file: where.file, line: where.start.line, column: where.start.column, end_line: where.end.line, end_column: where.end.column, from: origin.from };
  }
  return locations;
}

/** The observed type and tags of a datastore: what a saved plan must record for its rules to be recomputed. */
function matchedOn(observed: Observation, id: number): MatchedOn {
  const details = observed.datastores.get(id)?.details;
  return { ...(details?.type !== undefined ? { type: details.type } : {}), ...(details?.tags !== undefined ? { tags: [...details.tags] } : {}) };
}

function place(at: DeclaredAt): string {
  return `${at.file}:${at.line}:${at.column}`;
}

function error(location: SourceLocation, message: string, code: string): Diagnostic {
  return { severity: 'error', file: location.file, start: location.start, end: location.end, message, code };
}
