import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { loadSeedFile } from '../../src/emulator/seed-file.js';
import { loadManifests } from '../../src/manifest/load.js';
import { run } from '../helpers/cli.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLES = [
  { path: 'examples/small-team', datastores: 4 },
  { path: 'examples/environments/dev', datastores: 2 },
  { path: 'examples/environments/staging', datastores: 1 },
  { path: 'examples/environments/prod', datastores: 4 },
  { path: 'examples/unlink', datastores: 2 },
  // Two entries (overrides.yaml) beside two rules.
  { path: 'examples/rules', datastores: 2, rules: 2 },
];

describe('examples', () => {
  it.each(EXAMPLES)('$path validates clean', ({ path, datastores, rules = 0 }) => {
    const load = loadManifests([path], repo);
    expect(load.diagnostics.filter((d) => d.severity !== 'note')).toStrictEqual([]);
    expect(load.state?.datastores.length).toBe(datastores);
    expect(load.state?.rules.length).toBe(rules);
  });

  it('validate counts the rules beside the datastores (a rules-only folder is not "0 datastores")', async () => {
    const r = await run(['validate', 'examples/rules'], { cwd: repo });
    expect(r.stdout.split('\n').filter((l) => l.startsWith('valid: '))).toStrictEqual(['valid: 2 datastores and 2 rules in 3 files']);
  });

  it('every example folder is in this list', () => {
    const folders = (dir: string): string[] => readdirSync(join(repo, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => (readdirSync(join(repo, dir, e.name)).some((f) => /\.ya?ml$/.test(f)) ? [`${dir}/${e.name}`] : folders(`${dir}/${e.name}`)));
    const skipped = ['examples/ci', 'examples/emulator'];
    expect(folders('examples').filter((f) => !skipped.some((s) => f.startsWith(s))).sort()).toStrictEqual(EXAMPLES.map((e) => e.path).sort());
  });

  it('examples/rules plans against the seed with no warning: each rule matches, the entries override them, no other example\'s datastore is matched', async () => {
    const seed = loadSeedFile('examples/emulator/seed.yaml', repo);
    const em = await startEmulator({ seed: seed.seed! });
    try {
      const r = await run(['plan', 'examples/rules', '--format', 'json'], { cwd: repo, env: { QUALYTICS_URL: em.url, QUALYTICS_TOKEN: 'admin-token' } });
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { warnings?: unknown[]; changes: Array<{ datastore: { name: string }; after: Record<string, unknown> }> };
      expect(doc.warnings ?? []).toStrictEqual([]);
      expect(r.stderr).not.toMatch(/warning|error/);
      expect(doc.changes.map((c) => [c.datastore.name, (c.after.enrich_datastore as { name: string } | null)?.name, c.after.enrichment_prefix, c.after.enrichment_remediation_strategy, c.after.high_count_rollup_threshold])).toStrictEqual([
        ['Customer Profiles', 'PII Enrichment', '_pii_customer_profiles', 'none', 10],
        ['HR Records', 'PII Enrichment', '_pii_hr_records', 'none', 42],
        ['Sales EU', 'PII Enrichment', '_sales_eu_pii', 'append', 42],
        ['Sales US', 'Sales Enrichment', '_sales_sales_us', 'append', 10],
      ]);
    } finally {
      await em.close();
    }
  });

  it('the seed matches every datastore the examples name', () => {
    const seed = loadSeedFile('examples/emulator/seed.yaml', repo);
    expect(seed.diagnostics).toStrictEqual([]);
    const names = new Set(seed.seed?.datastores.map((d) => d.name));
    const ids = new Set(seed.seed?.datastores.map((d) => d.id));
    for (const { path } of EXAMPLES) {
      for (const ds of loadManifests([path], repo).state?.datastores ?? []) {
        const known = (ref: string | number): boolean => (typeof ref === 'number' ? ids.has(ref) : names.has(ref));
        expect(known(ds.ref), `${path}: ${String(ds.ref)}`).toBe(true);
        if (ds.link.kind === 'ref') expect(known(ds.link.ref), `${path}: ${String(ds.link.ref)}`).toBe(true);
      }
      for (const rule of loadManifests([path], repo).state?.rules ?? []) {
        if (rule.link.kind === 'ref') expect(names.has(String(rule.link.ref)), `${path}: ${String(rule.link.ref)}`).toBe(true);
      }
    }
  });

  it('the seed is refused as a manifest with one clear error', () => {
    const load = loadManifests(['examples/emulator/seed.yaml'], repo);
    expect(load.diagnostics.map((d) => [d.severity, d.code, d.message])).toStrictEqual([
      ['error', 'not-a-manifest', 'this looks like an emulator seed file (it has `users`), not a manifest'],
    ]);
  });
});
