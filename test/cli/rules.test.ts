/**
 * Rules end to end against the emulator: what plan reads for them (the request counts), plan, apply,
 * a saved plan that verifies, and a datastore created after the first apply that the next plan picks up.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { Seed, SeedDatastore } from '../../src/core/seed-types.js';
import type { ApiDatastore } from '../../src/core/api-types.js';
import { SETTINGS } from '../../src/core/settings.js';
import { run, workspace } from '../helpers/cli.js';
import { ADMIN_TOKEN } from './world.js';

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function emulator(seed: Seed): Promise<RunningEmulator> {
  const e = await startEmulator({ seed });
  running.push(e);
  return e;
}
const env = (e: RunningEmulator): NodeJS.ProcessEnv => ({ QUALYTICS_URL: e.url, QUALYTICS_TOKEN: ADMIN_TOKEN });

function seed(extra: SeedDatastore[] = []): Seed {
  return {
    users: [{ name: 'Ada Admin', role: 'Admin', token: ADMIN_TOKEN }],
    datastores: [
      { id: 1, name: 'Sales EU', type: 'snowflake', tags: ['pii'] },
      { id: 2, name: 'Sales US', type: 'postgresql', tags: ['pii'] },
      { id: 3, name: 'Marketing', type: 'snowflake' },
      { id: 100, name: 'PII Enrichment', enrichment_only: true, tags: ['pii'] },
      ...extra,
    ],
  };
}

const RULES = [
  'version: 1',
  'rules:',
  '  - match:',
  '      tag: pii',
  '    enrichment_datastore: PII Enrichment',
  '    enrichment_prefix: "pii {name}"',
  '    high_count_rollup_threshold: 42',
  '',
].join('\n');

type PlanDoc = {
  changes: Array<{ datastore: { id: number; name: string }; after: Record<string, unknown>; locations?: Record<string, { from?: string; line: number }>; matched_on?: unknown }>;
  summary: Record<string, number>;
};

/** The state an apply left, as the seed of a second emulator (the emulator has no create endpoint). */
function afterApply(before: Seed, snapshot: ApiDatastore[], extra: SeedDatastore[]): Seed {
  const live = new Map(snapshot.map((d) => [d.id, d]));
  return {
    ...before,
    datastores: [
      ...before.datastores.map((d) => {
        const now = live.get(d.id)!;
        if (d.enrichment_only) return d;
        const settings = Object.fromEntries(SETTINGS.map((s) => [s.key, now[s.key]]));
        return { ...d, ...settings, ...(now.enrich_datastore ? { enrich_datastore: now.enrich_datastore.id } : {}) };
      }),
      ...extra,
    ],
  };
}

describe('rules against the emulator', () => {
  it('plans every source datastore a rule matches, with each value\'s origin, from one listing page per kind', async () => {
    const e = await emulator(seed());
    const dir = await workspace({ 'pii.yaml': RULES });
    const r = await run(['plan', 'pii.yaml', '--format', 'json'], { cwd: dir, env: env(e) });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as PlanDoc;
    expect(doc.changes.map((c) => [c.datastore.name, c.after.enrichment_prefix, c.after.high_count_rollup_threshold])).toStrictEqual([
      ['Sales EU', '_pii_sales_eu', 42],
      ['Sales US', '_pii_sales_us', 42],
    ]);
    expect(doc.changes[0]!.locations).toMatchObject({
      enrich_datastore: { from: 'rule', line: 5 }, enrichment_prefix: { from: 'rule', line: 6 }, high_count_rollup_threshold: { from: 'rule', line: 7 },
    });
    expect(doc.changes[0]!.matched_on).toStrictEqual({ type: 'snowflake', tags: ['pii'] });
    // One page of sources is cheaper than any filtered listing: page 1 of each kind, nothing else.
    expect(e.calls().map((c) => `${c.method} ${c.path}?${c.query}`).sort()).toStrictEqual([
      'GET /api/datastores?page=1&size=100&enrichment_only=false',
      'GET /api/datastores?page=1&size=100&enrichment_only=true',
    ]);
  });

  it('an entry in another file overriding one key keeps the rest of what the rule\'s document gives, so drift in it is reported', async () => {
    // Sales EU's limit drifted to 33 and Sales US's to 34: the rule's document's defaults say 10 for both.
    const drifted = seed();
    drifted.datastores[0] = { ...drifted.datastores[0]!, enrichment_source_record_limit: 33 };
    drifted.datastores[1] = { ...drifted.datastores[1]!, enrichment_source_record_limit: 34 };
    const e = await emulator(drifted);
    const dir = await workspace({
      'pii.yaml': RULES.replace('rules:', 'defaults:\n  enrichment_source_record_limit: 10\nrules:'),
      'overrides.yaml': 'version: 1\ndatastores:\n  - datastore: Sales EU\n    high_count_rollup_threshold: 7\n',
    });
    const r = await run(['plan', '.', '--format', 'json'], { cwd: dir, env: env(e) });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as PlanDoc;
    expect(doc.changes.map((c) => [c.datastore.name, c.after.enrichment_source_record_limit, c.after.high_count_rollup_threshold, c.locations?.enrichment_source_record_limit?.line])).toStrictEqual([
      ['Sales EU', 10, 7, 3],
      ['Sales US', 10, 42, 3],
    ]);
  });

  it('reads the tag-filtered listing instead of the remaining pages when that is fewer requests', async () => {
    const many: SeedDatastore[] = Array.from({ length: 250 }, (_, i) => ({ id: 1000 + i, name: `Other ${i}`, type: 'mysql' }));
    const e = await emulator(seed(many));
    const dir = await workspace({ 'pii.yaml': RULES });
    const r = await run(['plan', 'pii.yaml', '--format', 'json'], { cwd: dir, env: env(e) });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as PlanDoc).changes.map((c) => c.datastore.id)).toStrictEqual([1, 2]);
    expect(e.calls().map((c) => `${c.method} ${c.path}?${c.query}`).sort()).toStrictEqual([
      'GET /api/datastores?page=1&size=100&enrichment_only=false',
      'GET /api/datastores?page=1&size=100&enrichment_only=false&tag=pii',
      'GET /api/datastores?page=1&size=100&enrichment_only=true',
    ]);
  });

  it('a rule on names alone reads the whole source listing', async () => {
    const many: SeedDatastore[] = Array.from({ length: 150 }, (_, i) => ({ id: 1000 + i, name: `Other ${i}` }));
    const e = await emulator(seed(many));
    const dir = await workspace({ 'm.yaml': 'version: 1\nrules:\n  - match: { name: "Sales *" }\n    high_count_rollup_threshold: 7\n' });
    const r = await run(['plan', 'm.yaml', '--format', 'json'], { cwd: dir, env: env(e) });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as PlanDoc).changes.map((c) => c.datastore.id)).toStrictEqual([1, 2]);
    // The enrichment listing's page 1 goes out with the first round trip, before the manifests say
    // that no link target is named: one request more, in the same round trip.
    expect(e.calls().map((c) => `${c.method} ${c.path}?${c.query}`).sort()).toStrictEqual([
      'GET /api/datastores?page=1&size=100&enrichment_only=false',
      'GET /api/datastores?page=1&size=100&enrichment_only=true',
      'GET /api/datastores?page=2&size=100&enrichment_only=false',
    ]);
  });

  it('applies a saved plan made with rules (it verifies), then a datastore created later shows in the next plan', async () => {
    const first = seed();
    const e = await emulator(first);
    const dir = await workspace({ 'pii.yaml': RULES });
    const saved = await run(['plan', 'pii.yaml', '--out', 'plan.json'], { cwd: dir, env: env(e) });
    expect(saved.code, saved.stderr).toBe(0);
    const applied = await run(['apply', '--plan', 'plan.json', '--auto-approve'], { cwd: dir, env: env(e) });
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    const again = await run(['plan', 'pii.yaml', '--detailed-exitcode'], { cwd: dir, env: env(e) });
    expect(again.code, again.stdout).toBe(0);

    // The emulator has no create endpoint: a second one, from the state the apply left plus the new datastore.
    const created: SeedDatastore = { id: 4, name: 'Sales APAC', type: 'snowflake', tags: ['pii'] };
    const later = await emulator(afterApply(first, e.snapshot(), [created]));
    const next = await run(['plan', 'pii.yaml', '--format', 'json'], { cwd: dir, env: env(later) });
    expect(next.code, next.stderr).toBe(0);
    const doc = JSON.parse(next.stdout) as PlanDoc;
    expect(doc.summary).toStrictEqual({ link: 1, unlink: 0, update: 1, unchanged: 2 });
    expect(doc.changes.filter((c) => c.datastore.id === 4).map((c) => c.after)).toStrictEqual([{
      enrich_datastore: { id: 100, name: 'PII Enrichment' }, enrichment_prefix: '_pii_sales_apac', enrichment_source_record_limit: 10,
      enrichment_remediation_strategy: 'none', high_count_rollup_threshold: 42,
    }]);
  });

  it('a rule that matches nothing is a warning; two rules that disagree are an error naming both', async () => {
    const e = await emulator(seed());
    const dir = await workspace({
      'a.yaml': 'version: 1\nrules:\n  - match: { tag: gdpr }\n    high_count_rollup_threshold: 3\n  - match: { type: snowflake }\n    high_count_rollup_threshold: 5\n',
      'b.yaml': 'version: 1\nrules:\n  - match: { name: "Sales EU" }\n    high_count_rollup_threshold: 6\n',
    });
    await writeFile(join(dir, 'c.yaml'), 'version: 1\ndatastores:\n  - datastore: Marketing\n');
    const r = await run(['plan', 'a.yaml', 'b.yaml', 'c.yaml', '--report', 'prometheus=p.prom'], { cwd: dir, env: env(e) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('datastore "Sales EU" (id 1): two rules that match it set high_count_rollup_threshold differently: 5 at a.yaml:5 and 6 at b.yaml:3');
    // What rules declare was not measured: no count of declared datastores (it was the entries alone: 1).
    const prom = await readFile(join(dir, 'p.prom'), 'utf8');
    expect(prom).toContain('enrichctl_plan_success 0\n');
    expect(prom).not.toContain('enrichctl_declared_datastores');
    const ok = await run(['plan', 'a.yaml'], { cwd: dir, env: env(e) });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('this rule matches no source datastore (tag gdpr)');
  });
});
