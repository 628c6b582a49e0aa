/**
 * The plan pipeline shared by `plan` and `apply`: manifests -> desired state (offline, stops on any
 * error before a request), live state through the API, then the pure diff.
 */
import { createHash } from 'node:crypto';
import type { QualyticsClient } from '../api/client.js';
import { observe, type Strategy } from '../api/observe.js';
import type { Diagnostic } from '../core/diagnostics.js';
import type { DesiredDatastore } from '../manifest/desired-state.js';
import { loadManifests } from '../manifest/load.js';
import { diffState } from '../plan/diff.js';
import { findUnmanaged } from '../plan/unmanaged.js';
import type { Plan } from '../plan/types.js';
import { renderDiagnosticsText } from '../render/diagnostics.js';
import { interruptible, useColour, type Io } from './io.js';
import { startProgress } from './progress.js';

export interface PlanRequest {
  paths: readonly string[];
  /** `--target`: names or ids as written in the manifests; empty plans everything. */
  targets: readonly string[];
  /** Also list configured datastores that no manifest declares (reads every datastore). */
  reportUnmanaged?: boolean;
}

export type Planned =
  | { ok: true; plan: Plan; warnings: Diagnostic[]; sources: ReadonlyMap<string, string>; strategy: Strategy }
  /** Manifest or plan-time errors; `sources` lets the renderer show the offending lines. */
  | { ok: false; diagnostics: Diagnostic[]; sources: ReadonlyMap<string, string> };

/** The manifests' paths and contents, hashed in file order: what apply --plan checks has not changed. */
export function manifestDigest(sources: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const file of [...sources.keys()].sort()) hash.update(`${file}\u0000${sources.get(file)}\u0000`);
  return `sha256:${hash.digest('hex')}`;
}

/** Reads the manifests without touching the network. */
export function readDesired(request: PlanRequest, io: Io):
  | { ok: true; datastores: DesiredDatastore[]; warnings: Diagnostic[]; sources: ReadonlyMap<string, string>; digest: string; paths: string[] }
  | { ok: false; diagnostics: Diagnostic[]; sources: ReadonlyMap<string, string> } {
  const paths = request.paths.length > 0 ? [...request.paths] : ['.'];
  const load = loadManifests(paths, io.cwd);
  if (!load.state) return { ok: false, diagnostics: load.diagnostics, sources: load.sources };
  const selected = selectTargets(load.state.datastores, request.targets);
  if (!selected.ok) {
    return {
      ok: false,
      sources: load.sources,
      diagnostics: selected.unmatched.map((t) => ({
        severity: 'error', file: '--target', code: 'unknown-target',
        message: `--target ${JSON.stringify(t)} matches no datastore declared in ${paths.join(', ')}; give a name or id exactly as the manifest writes it`,
      })),
    };
  }
  return { ok: true, datastores: selected.datastores, warnings: load.diagnostics, sources: load.sources, digest: manifestDigest(load.sources), paths };
}

export async function makePlan(client: QualyticsClient, request: PlanRequest, io: Io): Promise<Planned> {
  const desired = readDesired(request, io);
  if (!desired.ok) return desired;
  const progress = startProgress(io, 'Reading live state');
  let observed;
  try {
    observed = await interruptible(observe(
      client,
      {
        sources: desired.datastores.map((d) => d.ref),
        targets: desired.datastores.flatMap((d) => (d.link.kind === 'ref' ? [d.link.ref] : [])),
        everything: request.reportUnmanaged === true,
      },
      { onProgress: progress.update },
    ), io.signal);
  } finally {
    progress.stop();
  }
  const result = diffState(desired.datastores, observed.observation, {
    base_url: client.baseUrl,
    manifest_digest: desired.digest,
    manifest_paths: desired.paths,
  });
  if (!result.ok) return { ok: false, diagnostics: result.diagnostics, sources: desired.sources };
  if (request.reportUnmanaged) {
    result.plan.unmanaged = findUnmanaged(observed.observation, new Set(result.plan.changes.map((c) => c.datastore.id)));
  }
  return { ok: true, plan: result.plan, warnings: [...desired.warnings, ...result.warnings], sources: desired.sources, strategy: observed.strategy };
}

/**
 * Tells the user what planning found on stderr: on failure every error (and that nothing changed),
 * on success the warnings and notes. Returns the plan, or undefined when there is none.
 */
export function reportPlanned(planned: Planned, io: Io, colourFlag: boolean): Plan | undefined {
  const colour = useColour(io.stderr, io.env, !colourFlag);
  if (!planned.ok) {
    io.stderr.write(renderDiagnosticsText(planned.diagnostics, { sources: planned.sources, colour }));
    const n = planned.diagnostics.filter((d) => d.severity === 'error').length;
    io.stderr.write(`Planning failed: ${n} ${n === 1 ? 'error' : 'errors'}; nothing was changed.\n`);
    return undefined;
  }
  if (planned.warnings.length > 0) io.stderr.write(renderDiagnosticsText(planned.warnings, { sources: planned.sources, colour }));
  return planned.plan;
}

function selectTargets(all: DesiredDatastore[], targets: readonly string[]):
  | { ok: true; datastores: DesiredDatastore[] }
  | { ok: false; unmatched: string[] } {
  if (targets.length === 0) return { ok: true, datastores: all };
  const wanted = new Set(targets);
  const datastores = all.filter((d) => wanted.has(String(d.ref)));
  const matched = new Set(datastores.map((d) => String(d.ref)));
  const unmatched = targets.filter((t) => !matched.has(t));
  return unmatched.length > 0 ? { ok: false, unmatched } : { ok: true, datastores };
}
