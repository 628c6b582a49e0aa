/**
 * The planning core: desired state + observation -> Plan, or the reasons there can be none.
 * Pure: no I/O, no clock, no colour. Everything the server would store identically compares equal
 * (prefixes in normalised form); keys a manifest leaves out are not compared.
 */
import type { Diagnostic } from '../core/diagnostics.js';
import { canonicalSetting, SETTINGS, STRATEGIES_NEEDING_LINK, settingEquals, type SettingKey } from '../core/settings.js';
import type { SettingsPatch } from '../core/api-types.js';
import type { DatastoreRef as DesiredRef, DesiredDatastore, SourceLocation } from '../manifest/desired-state.js';
import { compareRefs, describeRef } from './describe.js';
import type { Observation } from './observation.js';
import type { Change, DatastoreRef, DeclaredAt, EnrichmentState, Operation, Plan, PlanSummary } from './types.js';

export interface PlanMeta {
  base_url: string;
  manifest_digest: string;
  manifest_paths: string[];
}

export type PlanResult =
  | { ok: true; plan: Plan; warnings: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

/** The fields of EnrichmentState in display order: the link, then the settings table's order. */
export const STATE_FIELDS: ReadonlyArray<keyof EnrichmentState> = ['enrich_datastore', ...SETTINGS.map((s) => s.key)];

export function diffState(desired: readonly DesiredDatastore[], observed: Observation, meta: PlanMeta): PlanResult {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const changes: Change[] = [];
  const seen = new Map<number, DesiredDatastore>();

  for (const decl of desired) {
    const at = declaredAt(decl.location);
    const source = resolve(decl.ref, observed, 'source');
    if (!source.ok) {
      errors.push(error(decl.location, source.problem, 'unresolved-datastore'));
      continue;
    }
    const earlier = seen.get(source.ref.id);
    if (earlier) {
      errors.push(error(decl.location, `${describeRef(source.ref)} is declared twice: here and at ${place(declaredAt(earlier.location))}`, 'duplicate-datastore'));
      continue;
    }
    seen.set(source.ref.id, decl);
    const live = observed.datastores.get(source.ref.id);
    if (live?.enrichment_only) {
      errors.push(error(decl.location,
        `${describeRef(source.ref)} is an enrichment-only datastore: it cannot have an enrichment datastore or settings of its own (the server would answer 409); remove it from the manifest`,
        'enrichment-only-source'));
      continue;
    }
    if (!live?.state) {
      errors.push(error(decl.location, `no enrichment settings were read for ${describeRef(source.ref)}`, 'unobserved-datastore'));
      continue;
    }

    const before = live.state;
    const after: EnrichmentState = { ...before };
    const operations: Operation[] = [];
    const path = `/datastores/${source.ref.id}`;

    let unlink = false;
    switch (decl.link.kind) {
      case 'unmanaged':
        break;
      case 'none':
        if (before.enrich_datastore !== null) {
          unlink = true;
          after.enrich_datastore = null;
        }
        break;
      case 'ref': {
        let target = resolve(decl.link.ref, observed, 'enrichment');
        // Linked already, to a datastore this token may not read: nothing to do, and nothing to check.
        if (!target.ok && before.enrich_datastore !== null && before.enrich_datastore.id === decl.link.ref) {
          target = { ok: true, ref: before.enrich_datastore };
        }
        if (!target.ok) {
          errors.push(error(decl.link.location, target.problem, 'unresolved-enrichment-datastore'));
          continue;
        }
        if (target.ref.id === source.ref.id) {
          errors.push(error(decl.link.location, `${describeRef(source.ref)} cannot be its own enrichment datastore`, 'self-link'));
          continue;
        }
        if (before.enrich_datastore?.id !== target.ref.id) {
          // The server refuses a link to a source datastore (the user guide's enrichment FAQ).
          if (observed.datastores.get(target.ref.id)?.enrichment_only === false) {
            errors.push(error(decl.link.location,
              `${describeRef(target.ref)} cannot be the enrichment datastore of ${describeRef(source.ref)}: it is a source datastore, and only an enrichment datastore (enrichment_only) can receive enrichment data`,
              'link-target-not-enrichment'));
            continue;
          }
          after.enrich_datastore = target.ref;
          operations.push({ type: 'link', method: 'PATCH', path: `${path}/enrichment/${target.ref.id}`, enrich_datastore: target.ref });
        }
        break;
      }
      default: {
        const unreachable: never = decl.link;
        throw new Error(`unknown link kind ${JSON.stringify(unreachable)}`);
      }
    }

    const body: SettingsPatch = {};
    for (const spec of SETTINGS) {
      const key: SettingKey = spec.key;
      const wanted = decl.settings[key];
      if (wanted === undefined) continue;
      // Unlinking resets the strategy to `none` by itself; a PUT for it would be a wasted write.
      if (key === 'enrichment_remediation_strategy' && unlink && wanted === 'none') continue;
      if (settingEquals(key, before[key], wanted)) continue;
      (body as Record<string, unknown>)[key] = canonicalSetting(key, wanted);
      (after as unknown as Record<string, unknown>)[key] = canonicalSetting(key, wanted);
    }
    if (Object.keys(body).length > 0) operations.push({ type: 'update_settings', method: 'PUT', path, body });
    if (unlink) {
      after.enrichment_remediation_strategy = 'none';
      operations.push({ type: 'unlink', method: 'DELETE', path: `${path}/enrichment` });
    }

    // Only a declared strategy is checked: a server that already holds an inconsistent state is not the manifest's fault.
    const declaredStrategy = decl.settings.enrichment_remediation_strategy;
    if (after.enrich_datastore === null && declaredStrategy !== undefined && STRATEGIES_NEEDING_LINK.includes(declaredStrategy)) {
      errors.push(error(decl.origins.enrichment_remediation_strategy?.location ?? decl.location,
        `enrichment_remediation_strategy "${declaredStrategy}" needs a linked enrichment datastore, and ${describeRef(source.ref)} would have none; declare enrichment_datastore, or set the strategy to "none"`,
        'strategy-needs-link'));
      continue;
    }

    const changed = differingFields(before, after);
    changes.push({
      datastore: source.ref,
      action: operations.length === 0 ? 'no-op' : 'update',
      before,
      after,
      changed_fields: changed,
      operations,
      declared_at: at,
    });
    if (changed.includes('enrichment_prefix') && before.enrich_datastore !== null) {
      const where = decl.origins.enrichment_prefix?.location ?? decl.location;
      warnings.push({
        severity: 'warning', file: where.file, start: where.start, end: where.end, code: 'prefix-change',
        message: `changing the prefix of ${describeRef(source.ref)} from ${before.enrichment_prefix} to ${after.enrichment_prefix} leaves the tables under the old prefix behind in the enrichment datastore`,
      });
    }
  }

  warnings.push(...sharedTableWarnings(changes));
  if (errors.length > 0) return { ok: false, diagnostics: errors };
  changes.sort((a, b) => compareRefs(a.datastore, b.datastore));
  return {
    ok: true,
    plan: { format_version: 1, ...meta, changes, summary: summarise(changes) },
    warnings,
  };
}

export function summarise(changes: readonly Change[]): PlanSummary {
  const summary: PlanSummary = { link: 0, unlink: 0, update: 0, unchanged: 0 };
  for (const c of changes) {
    if (c.action === 'no-op') summary.unchanged++;
    for (const op of c.operations) {
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

/** The fields in which two states differ as the server would store them, in display order. */
export function differingFields(a: EnrichmentState, b: EnrichmentState): Array<keyof EnrichmentState> {
  return STATE_FIELDS.filter((f) => !stateFieldEquals(f, a[f], b[f]));
}

/** Whether two values of a state field would be stored identically (links compare by id). */
export function stateFieldEquals(field: keyof EnrichmentState, a: unknown, b: unknown): boolean {
  if (field === 'enrich_datastore') {
    const x = a as DatastoreRef | null;
    const y = b as DatastoreRef | null;
    return (x?.id ?? null) === (y?.id ?? null);
  }
  return settingEquals(field, a, b);
}

type Resolution = { ok: true; ref: DatastoreRef } | { ok: false; problem: string };

/**
 * A declared name or id -> the datastore. Names are not unique across kinds: a source and an
 * enrichment datastore may share one, so a name resolves among the datastores of the kind its place
 * in the manifest asks for, and falls back to the other kind only when it has none (the caller then
 * refuses it with a precise message).
 */
function resolve(ref: DesiredRef, observed: Observation, kind: 'source' | 'enrichment'): Resolution {
  const what = kind === 'source' ? 'datastore' : 'enrichment datastore';
  if (typeof ref === 'number') {
    const denied = observed.denied.get(ref);
    if (denied !== undefined) return { ok: false, problem: `the token may not read ${what} id ${ref}: ${denied}` };
    const found = observed.datastores.get(ref);
    if (!found || observed.missing.has(ref)) return { ok: false, problem: `${what} id ${ref} not found` };
    return { ok: true, ref: { id: found.id, name: found.name } };
  }
  const all = observed.names.get(ref) ?? [];
  const ofKind = all.filter((id) => observed.datastores.get(id)?.enrichment_only === (kind === 'enrichment'));
  const ids = ofKind.length > 0 ? ofKind : all;
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

/** Two sources linked to one enrichment datastore with one prefix write into the same tables; the server does not check. */
function sharedTableWarnings(changes: readonly Change[]): Diagnostic[] {
  const groups = new Map<string, Change[]>();
  for (const c of changes) {
    if (!c.after.enrich_datastore) continue;
    const key = `${c.after.enrich_datastore.id}\u0000${c.after.enrichment_prefix}`;
    const group = groups.get(key);
    if (group) group.push(c);
    else groups.set(key, [c]);
  }
  const out: Diagnostic[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const [first] = group;
    const at = first!.declared_at;
    out.push({
      severity: 'warning', file: at.file, start: { line: at.line, column: at.column }, code: 'shared-enrichment-tables',
      message: `${listSome(group.map((c) => describeRef(c.datastore)))} would ${group.length === 2 ? 'both' : 'all'} write into ${describeRef(first!.after.enrich_datastore!)} with the prefix ${first!.after.enrichment_prefix}, so into the same tables`,
      hints: ['give each source its own enrichment_prefix'],
    });
  }
  return out;
}

/** The first few of a long list, and how many more. */
function listSome(items: string[], most = 5): string {
  return items.length <= most ? items.join(', ') : `${items.slice(0, most).join(', ')} and ${items.length - most} more`;
}

function declaredAt(location: SourceLocation): DeclaredAt {
  return { file: location.file, line: location.start.line, column: location.start.column };
}

function place(at: DeclaredAt): string {
  return `${at.file}:${at.line}:${at.column}`;
}

function error(location: SourceLocation, message: string, code: string): Diagnostic {
  return { severity: 'error', file: location.file, start: location.start, end: location.end, message, code };
}
