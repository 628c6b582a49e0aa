/**
 * Loads an emulator seed from YAML with the manifest's machinery: the same limits, schema
 * diagnostics and positions. Refuses, with every problem located, a seed the real API could never
 * be in (the same invariants `buildModel` enforces, but said at the line that breaks them).
 */
import * as path from 'node:path';
import type { Diagnostic } from '../core/diagnostics.js';
import { hasErrors } from '../core/diagnostics.js';
import { SETTINGS, STRATEGIES_NEEDING_LINK } from '../core/settings.js';
import { isSettingField } from './setting-rules.js';
import { settingValueProblem } from './validation.js';
import { locate } from '../source/locate.js';
import type { YamlDocument } from '../source/positions.js';
import { readSourceFile } from '../source/read-file.js';
import { checkAgainstSchema } from '../source/schema-diagnostics.js';
import { readYamlDocuments } from '../source/yaml-documents.js';
import { SEED_SCHEMA } from './seed-schema.js';
import type { Seed } from '../core/seed-types.js';

export interface SeedLoad {
  /** Absent when any diagnostic is an error. */
  seed?: Seed;
  diagnostics: Diagnostic[];
  /** File -> text, for rendering the diagnostics with their lines. */
  sources: ReadonlyMap<string, string>;
}

/** `file` is shown as given; relative paths resolve against `cwd`. */
export function loadSeedFile(file: string, cwd: string = process.cwd()): SeedLoad {
  const read = readSourceFile({ file, absolute: path.resolve(cwd, file) });
  if (!read.ok) return { diagnostics: [read.diagnostic], sources: new Map() };
  return loadSeedText(file, read.text);
}

/** A seed's text, `file` naming it in diagnostics (the built-in demo seed has no file of its own). */
export function loadSeedText(file: string, text: string): SeedLoad {
  const sources = new Map([[file, text]]);
  const yaml = readYamlDocuments(file, text);
  const diagnostics = [...yaml.diagnostics];
  const [document, ...extra] = yaml.documents;
  for (const more of extra) {
    diagnostics.push(at(more, [], 'error', 'seed-multiple-documents', 'a seed file holds one YAML document; this is another'));
  }
  if (!document || hasErrors(diagnostics)) return { diagnostics, sources };
  const checked = checkAgainstSchema<Seed>(document, SEED_SCHEMA, 'seed');
  if (!checked.value && isManifestLike(document.data)) {
    // The schema errors of a manifest read as a seed would only bury the one thing to say.
    return { diagnostics: [at(document, ['version'], 'error', 'not-a-seed', 'this looks like a manifest, not an emulator seed file')], sources };
  }
  diagnostics.push(...checked.diagnostics);
  if (!checked.value) return { diagnostics, sources };
  diagnostics.push(...checkSeed(document, checked.value));
  return hasErrors(diagnostics) ? { diagnostics, sources } : { seed: checked.value, diagnostics, sources };
}

function checkSeed(document: YamlDocument, seed: Seed): Diagnostic[] {
  const out: Diagnostic[] = [];
  const where = (p: string[]): string => {
    const { start } = locate(document, p);
    return `${document.file}:${start.line}:${start.column}`;
  };
  const tokens = new Map<string, number>();
  seed.users.forEach((user, i) => {
    const first = tokens.get(user.token);
    if (first === undefined) {
      tokens.set(user.token, i);
    } else {
      const other = seed.users[first]?.name ?? '';
      out.push(at(document, ['users', String(i), 'token'], 'error', 'seed-duplicate-token', `token already used by user ${JSON.stringify(other)} (${where(['users', String(first), 'token'])})`));
    }
  });
  const ids = new Map<number, number>();
  seed.datastores.forEach((ds, i) => {
    const first = ids.get(ds.id);
    if (first === undefined) ids.set(ds.id, i);
    else out.push(at(document, ['datastores', String(i), 'id'], 'error', 'seed-duplicate-id', `datastore id ${ds.id} appears twice; first at ${where(['datastores', String(first), 'id'])}`));
  });
  seed.datastores.forEach((ds, i) => {
    const p = (key: string): string[] => ['datastores', String(i), key];
    for (const spec of SETTINGS) {
      const value = ds[spec.key];
      const problem = value === undefined || !isSettingField(spec.key) ? undefined : settingValueProblem(spec.key, value);
      if (problem) out.push(at(document, p(spec.key), 'error', 'seed-invalid-setting', problem));
    }
    const link = ds.enrich_datastore ?? null;
    if (link === null) {
      const strategy = ds.enrichment_remediation_strategy;
      if (strategy !== undefined && STRATEGIES_NEEDING_LINK.includes(strategy)) {
        out.push(at(document, p('enrichment_remediation_strategy'), 'error', 'seed-strategy-needs-link', `enrichment_remediation_strategy "${strategy}" needs a linked enrichment datastore (enrich_datastore)`));
      }
      return;
    }
    if (link === ds.id) {
      out.push(at(document, p('enrich_datastore'), 'error', 'seed-self-link', `datastore id ${ds.id} cannot be its own enrichment datastore`));
    } else if (!ids.has(link)) {
      out.push(at(document, p('enrich_datastore'), 'error', 'seed-unknown-link', `enrich_datastore ${link} is not a datastore id of this seed`));
    } else if (seed.datastores[ids.get(link) ?? -1]?.enrichment_only !== true) {
      out.push(at(document, p('enrich_datastore'), 'error', 'seed-link-to-source', `enrich_datastore ${link} is not an enrichment-only datastore (set enrichment_only: true on it)`));
    }
    if (ds.enrichment_only === true) {
      out.push(at(document, p('enrich_datastore'), 'error', 'seed-enrichment-only-link', 'an enrichment-only datastore cannot have an enrichment datastore linked'));
    }
  });
  return out.sort((a, b) => (a.start?.line ?? 0) - (b.start?.line ?? 0) || (a.start?.column ?? 0) - (b.start?.column ?? 0));
}

function at(document: YamlDocument, p: string[], severity: Diagnostic['severity'], code: string, message: string): Diagnostic {
  return { severity, file: document.file, ...locate(document, p), message, code };
}

function isManifestLike(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'version' in data && !('users' in data);
}
