/**
 * The plan pipeline shared by `plan` and `apply`: manifests -> desired state (offline), live state
 * through the API, then the pure diff. The first round trip (page 1 of both listings) depends on
 * nothing the manifests say, so it goes out first and the manifests are read while the server
 * answers; any error in them abandons it, unread, and stops the plan there.
 */
import { quoteText, visibleText } from '../core/visible-text.js';
import { createHash } from 'node:crypto';
import type { QualyticsClient } from '../api/client.js';
import type { FirstPages } from '../api/first-pages.js';
import { observe, readByIds } from '../api/observe.js';
import { hasErrors, type Diagnostic } from '../core/diagnostics.js';
import type { DesiredDatastore, DesiredRule } from '../model/desired.js';
import { expandRules, matchedSources } from '../plan/rules.js';
import { declaredIds, diffState } from '../plan/diff.js';
import { findUnmanaged } from '../plan/unmanaged.js';
import { describeRef } from '../model/describe.js';
import type { Plan, PlanWarning } from '../model/plan.js';
import type { Declaration } from '../render/findings.js';
import { interruptible, type Io } from './io.js';
import { prefetchSources, sendFirstPages } from './connect.js';
import { startProgress } from './progress.js';

export interface PlanRequest {
  paths: readonly string[];
  /** `--target`: names or ids as written in the manifests; empty plans everything. */
  targets: readonly string[];
  /** Also list configured datastores that no manifest declares (reads every datastore). */
  reportUnmanaged?: boolean;
}

export type Planned =
  | { ok: true; plan: Plan; warnings: Diagnostic[]; sources: ReadonlyMap<string, string> }
  /** Manifest or plan-time errors; `sources` lets the renderer show the offending lines; the declarations once the manifests were read. */
  | { ok: false; diagnostics: Diagnostic[]; sources: ReadonlyMap<string, string>; declarations?: Declaration[] };

/** The manifests' paths and contents, hashed in file order: what apply --plan checks has not changed. */
export function manifestDigest(sources: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const file of [...sources.keys()].sort()) hash.update(`${file}\u0000${sources.get(file)}\u0000`);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Reads the manifests without touching the network. Their reader (YAML, the schema's validator) is
 * loaded here, so that a plan loads it after its first requests are out. `parsed` is told how many
 * datastores the entries name once the YAML is parsed, before the checks (a plan sends requests then).
 */
export async function readDesired(paths: readonly string[], io: Io, parsed?: (declared: number) => Promise<void>): Promise<
  | { ok: true; datastores: DesiredDatastore[]; rules: DesiredRule[]; warnings: Diagnostic[]; sources: ReadonlyMap<string, string>; paths: string[] }
  | { ok: false; diagnostics: Diagnostic[]; sources: ReadonlyMap<string, string> }> {
  const { checkRead, declaredCount, readManifests } = await import('../manifest/load.js');
  const given = paths.length > 0 ? [...paths] : ['.'];
  const read = readManifests(given, io.cwd);
  if (parsed && !read.refused && !hasErrors([...read.pathDiagnostics, ...read.diagnostics])) {
    await parsed(declaredCount(read));
  }
  const load = checkRead(read);
  if (!load.state) return { ok: false, diagnostics: load.diagnostics, sources: load.sources };
  return { ok: true, datastores: load.state.datastores, rules: load.state.rules, warnings: load.diagnostics, sources: load.sources, paths: given };
}

/** `sent`: the first pages, when the caller sent them already (`sendFirstPages`). */
export async function makePlan(client: QualyticsClient, request: PlanRequest, io: Io, sent?: FirstPages): Promise<Planned> {
  const first = sent ?? await sendFirstPages(client);
  // Without --target, what the entries name is what the plan reads: enough of them, and the rest of
  // the source listing starts once page 1 is in, while the manifests are checked (api/first-pages.ts).
  const prefetch = request.targets.length > 0 ? undefined : (declared: number) => prefetchSources(first, request.reportUnmanaged ? Infinity : declared);
  let desired;
  try {
    desired = await readDesired(request.paths, io, prefetch);
  } finally {
    if (!desired?.ok) first.cancel();
  }
  if (!desired.ok) return desired;
  // --target as the manifest writes it narrows what is read; a target given another way (the id of a
  // datastore declared by name, or the reverse) is only known once everything declared is resolved.
  const wanted = new Set(request.targets);
  const written = desired.datastores.filter((d) => wanted.has(String(d.ref)));
  // The unmanaged report needs every declared datastore resolved, to know which are declared.
  const resolveAll = request.reportUnmanaged === true || request.targets.some((t) => !written.some((d) => String(d.ref) === t));
  const declared = wanted.size === 0 || resolveAll ? desired.datastores : written;

  const progress = startProgress(io, 'Reading live state');
  let observed;
  try {
    observed = await interruptible(observe(
      client,
      {
        sources: declared.map((d) => d.ref),
        targets: [...declared, ...desired.rules].flatMap((d) => (d.link.kind === 'ref' ? [d.link.ref] : [])),
        everything: request.reportUnmanaged === true,
        rules: desired.rules.map((r) => ({ ...(r.match.tags ? { tags: r.match.tags } : {}), ...(r.match.types ? { types: r.match.types } : {}) })),
      },
      { onProgress: progress.update, first },
    ), io.signal);
    // The datastores only rules declare, when their list items lacked the enrichment fields.
    const obs = observed.observation;
    const lacking = matchedSources(desired.rules, obs).filter((id) => obs.datastores.get(id)?.state === undefined);
    if (lacking.length > 0) await interruptible(readByIds(client, obs, lacking), io.signal);
  } finally {
    progress.stop();
  }
  const sources = desired.sources;
  let digest: string | undefined;
  // Every declaration goes in: the targets select among them (what was not read cannot be selected).
  const result = diffState(desired.datastores, observed.observation, {
    base_url: client.baseUrl,
    // Computed when first read (diffState keeps the accessor): only a saved or JSON plan shows it,
    // and a text plan need not load node:crypto (~12 M instructions).
    get manifest_digest() {
      return (digest ??= manifestDigest(sources));
    },
    manifest_paths: desired.paths,
  }, request.targets, desired.rules);
  if (!result.ok) {
    // With rules, what the manifests declare depends on the live state the failed plan did not finish
    // with: the entries alone would be a wrong count (a report leaves out what it did not measure).
    const declarations = desired.rules.length === 0 ? desired.datastores.map(declarationOf) : undefined;
    return { ok: false, diagnostics: result.diagnostics, sources: desired.sources, ...(declarations ? { declarations } : {}) };
  }
  const plan = result.plan;
  if (request.reportUnmanaged) {
    const declared = expandRules(desired.datastores, desired.rules, observed.observation).datastores;
    plan.unmanaged = findUnmanaged(observed.observation, declaredIds(declared, observed.observation));
  }
  const warnings = [...desired.warnings, ...result.warnings, ...(await unlinkRoleWarnings(client, plan))];
  plan.warnings = warnings.filter((w) => w.severity === 'warning').map(toPlanWarning);
  return { ok: true, plan, warnings, sources: desired.sources };
}

/**
 * Unlinking needs the Admin role. When the plan unlinks and the token's user is not an Admin, say so
 * now rather than after the other changes applied (one GET /users/me, only when the plan unlinks).
 */
async function unlinkRoleWarnings(client: QualyticsClient, plan: Plan): Promise<Diagnostic[]> {
  const unlinking = plan.changes.filter((c) => c.operations.some((o) => o.type === 'unlink'));
  if (unlinking.length === 0) return [];
  const me = await client.me().catch(() => undefined);
  if (!me || me.role === 'Admin') return [];
  const at = unlinking[0]!.declared_at;
  const names = unlinking.slice(0, 5).map((c) => describeRef(c.datastore)).join(', ') + (unlinking.length > 5 ? ` and ${unlinking.length - 5} more` : '');
  return [{
    severity: 'warning', file: at.file, start: { line: at.line, column: at.column }, code: 'unlink-needs-admin',
    message: `unlinking needs the Admin role, and the token used for this plan belongs to ${quoteText(me.name)}, a ${visibleText(me.role)}: applied with this token, the DELETE for ${names} would be refused (403) while the other changes apply`,
    hints: ['apply with an Admin token (a pipeline that plans with a read-only token and applies with an Admin one is fine), or leave enrichment_datastore out of those entries for now'],
  }];
}

/** A declaration as the manifest writes it (display: reports list the datastores a failed plan declared). */
export function declarationOf(d: DesiredDatastore): Declaration {
  return { name: String(d.ref), declared_at: { file: d.location.file, line: d.location.start.line, column: d.location.start.column } };
}

function toPlanWarning(d: Diagnostic): PlanWarning {
  return d.start ? { message: d.message, code: d.code, file: d.file, line: d.start.line, column: d.start.column } : { message: d.message, code: d.code, file: d.file };
}
