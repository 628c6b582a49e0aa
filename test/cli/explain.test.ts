/**
 * `explain` end to end against the emulator: an entry, a rule, defaults, an entry overriding a rule,
 * a rule conflict, datastores not declared or not found, and the requests it makes (one).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { Seed } from '../../src/core/seed-types.js';
import type { Explanation } from '../../src/model/explanation.js';
import { run, workspace } from '../helpers/cli.js';
import { ADMIN_TOKEN } from './world.js';

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function emulator(options: { listItemsCarryEnrichment?: boolean } = {}): Promise<RunningEmulator> {
  const e = await startEmulator({ seed: SEED, ...options });
  running.push(e);
  return e;
}
const env = (e: RunningEmulator): NodeJS.ProcessEnv => ({ QUALYTICS_URL: e.url, QUALYTICS_TOKEN: ADMIN_TOKEN });

export const SEED: Seed = {
  users: [{ name: 'Ada Admin', role: 'Admin', token: ADMIN_TOKEN }],
  datastores: [
    { id: 1, name: 'Sales EU', type: 'snowflake', tags: ['pii', 'finance'], enrichment_prefix: '_sales_eu' },
    { id: 2, name: 'Sales US', type: 'postgresql', tags: ['pii'], enrich_datastore: 100 },
    { id: 3, name: 'Marketing', type: 'snowflake' },
    { id: 4, name: 'Orders', type: 'postgresql' },
    { id: 100, name: 'PII Enrichment', enrichment_only: true, tags: ['pii'] },
  ],
};

export const PII = [
  'version: 1',
  'defaults:',
  '  enrichment_remediation_strategy: none',
  'rules:',
  '  - match:',
  '      tag: pii',
  '    enrichment_datastore: PII Enrichment',
  '    enrichment_prefix: "pii {name}"',
  '    enrichment_source_record_limit: 10',
  '  - match:',
  '      tag: finance',
  '      type: postgresql',
  '    high_count_rollup_threshold: 5',
  '',
].join('\n');

export const SALES = [
  'version: 1',
  'datastores:',
  '  - datastore: Sales EU',
  '    enrichment_source_record_limit: 100',
  '  - datastore: 4',
  '    high_count_rollup_threshold: 77',
  '',
].join('\n');

const CONFLICT = [
  'version: 1',
  'rules:',
  '  - match:',
  '      type: snowflake',
  '    high_count_rollup_threshold: 7',
  '',
].join('\n');

type Row = [field: string, status: string, desired: unknown, from: string[], live: unknown];
const rows = (e: Explanation): Row[] => e.fields.map((f) => [f.field, f.status, f.desired, f.candidates.map((c) => `${c.role}:${c.from}@${c.file}:${c.line}`), f.live]);

async function explain(e: RunningEmulator, files: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string; doc?: Explanation }> {
  const dir = await workspace(files);
  const r = await run(['explain', ...args], { cwd: dir, env: env(e) });
  return { ...r, ...(args.includes('json') && r.code === 0 ? { doc: JSON.parse(r.stdout) as Explanation } : {}) };
}

describe('explain against the emulator', () => {
  it('an entry overriding a rule, rule values, and the rule\'s document\'s defaults for what both leave out, from one request', async () => {
    const e = await emulator();
    const r = await explain(e, { 'pii.yaml': PII, 'sales.yaml': SALES }, 'Sales EU', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc!.datastore).toStrictEqual({ id: 1, name: 'Sales EU', type: 'snowflake', tags: ['pii', 'finance'] });
    expect(r.doc!.entries).toStrictEqual([{ file: 'sales.yaml', line: 3, column: 16 }]);
    expect(r.doc!.rules).toStrictEqual([{ file: 'pii.yaml', line: 5, column: 5 }]);
    expect(r.doc!.rules_not_matching).toStrictEqual([{ file: 'pii.yaml', line: 10, column: 5, failed: ['type'] }]);
    expect(rows(r.doc!)).toStrictEqual([
      ['enrichment_datastore', 'managed', { name: 'PII Enrichment' }, ['winner:rule@pii.yaml:7'], null],
      ['enrichment_prefix', 'managed', '_pii_sales_eu', ['winner:rule@pii.yaml:8'], '_sales_eu'],
      ['enrichment_source_record_limit', 'managed', 100, ['winner:entry@sales.yaml:4', 'overridden:rule@pii.yaml:9'], 10],
      ['enrichment_remediation_strategy', 'managed', 'none', ['winner:defaults@pii.yaml:3'], 'none'],
      ['high_count_rollup_threshold', 'not-managed', undefined, [], 10],
    ]);
    expect(e.calls().map((c) => `${c.method} ${c.path}?${c.query}`)).toStrictEqual(['GET /api/datastores?page=1&size=100&name=Sales+EU&enrichment_only=false']);
  });

  it('a datastore only a rule declares takes the defaults of the rule\'s document; by id, one GET', async () => {
    const e = await emulator();
    const r = await explain(e, { 'pii.yaml': PII, 'sales.yaml': SALES }, '2', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc!.entries).toStrictEqual([]);
    expect(rows(r.doc!)).toStrictEqual([
      ['enrichment_datastore', 'managed', { name: 'PII Enrichment', id: 100 }, ['winner:rule@pii.yaml:7'], { id: 100, name: 'PII Enrichment' }],
      ['enrichment_prefix', 'managed', '_pii_sales_us', ['winner:rule@pii.yaml:8'], '_sales_us'],
      ['enrichment_source_record_limit', 'managed', 10, ['winner:rule@pii.yaml:9'], 10],
      ['enrichment_remediation_strategy', 'managed', 'none', ['winner:defaults@pii.yaml:3'], 'none'],
      ['high_count_rollup_threshold', 'not-managed', undefined, [], 10],
    ]);
    expect(e.calls().map((c) => `${c.method} ${c.path}?${c.query}`)).toStrictEqual(['GET /api/datastores/2?']);
  });

  it('an entry alone, by id, as text', async () => {
    const e = await emulator();
    const r = await explain(e, { 'pii.yaml': PII, 'sales.yaml': SALES }, 'Orders');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe([
      '"Orders" (id 4), postgresql',
      '  declared by entry at sales.yaml:5',
      '  enrichment_datastore             not managed                         live: null',
      '  enrichment_prefix                not managed                         live: "_orders"',
      '  enrichment_source_record_limit   not managed                         live: 10',
      '  enrichment_remediation_strategy  not managed                         live: "none"',
      '  high_count_rollup_threshold      77           entry at sales.yaml:6  live: 10',
      '  not matching: rule at pii.yaml:5 (tag), rule at pii.yaml:10 (tag)',
      '',
    ].join('\n'));
  });

  it('two rules that disagree are shown as a conflict (the entry still wins where it speaks)', async () => {
    const e = await emulator();
    const conflicting = PII.replace("      type: postgresql\n", '');
    const r = await explain(e, { 'pii.yaml': conflicting, 'more.yaml': CONFLICT, 'sales.yaml': SALES }, 'Sales EU', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const threshold = r.doc!.fields.find((f) => f.field === 'high_count_rollup_threshold')!;
    expect(threshold).toStrictEqual({
      field: 'high_count_rollup_threshold',
      status: 'conflict',
      candidates: [
        { from: 'rule', file: 'more.yaml', line: 5, column: 34, rule_at: { file: 'more.yaml', line: 3, column: 5 }, value: 7, role: 'conflicting' },
        { from: 'rule', file: 'pii.yaml', line: 12, column: 34, rule_at: { file: 'pii.yaml', line: 10, column: 5 }, value: 5, role: 'conflicting' },
      ],
      live: 10,
    });
    const text = await explain(e, { 'pii.yaml': conflicting, 'more.yaml': CONFLICT, 'sales.yaml': SALES }, 'Sales EU');
    expect(text.stdout).toContain('high_count_rollup_threshold      conflict');
    expect(text.stdout).toContain('rule at more.yaml:5: 7 vs rule at pii.yaml:12: 5 (plan refuses)');
  });

  it('two rules linking it to one enrichment datastore, by name and by id, agree, as plan has them: that name is read too', async () => {
    const e = await emulator();
    const byId = ['version: 1', 'rules:', '  - match:', '      name: Sales EU', '    enrichment_datastore: 100', ''].join('\n');
    const r = await explain(e, { 'pii.yaml': PII, 'by-id.yaml': byId }, 'Sales EU', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const link = r.doc!.fields.find((f) => f.field === 'enrichment_datastore')!;
    expect([link.status, link.candidates.map((c) => c.role)]).toStrictEqual(['managed', ['winner', 'agrees']]);
    expect(e.calls().map((c) => `${c.method} ${c.path}?${c.query}`)).toStrictEqual([
      'GET /api/datastores?page=1&size=100&name=Sales+EU&enrichment_only=false',
      'GET /api/datastores?page=1&size=100&name=PII+Enrichment&enrichment_only=true',
    ]);
  });

  it('exit 1 with one message when nothing declares the datastore, it is not found, or it is an enrichment datastore', async () => {
    const e = await emulator();
    const files = { 'pii.yaml': PII, 'sales.yaml': SALES };
    const undeclared = await explain(e, files, 'Marketing');
    expect([undeclared.code, undeclared.stdout, undeclared.stderr]).toStrictEqual([1, '',
      'error: "Marketing" (id 3) is not declared by any entry or rule of these manifests; rules that miss it by one criterion: pii.yaml:5 (tag)\n']);
    const missing = await explain(e, files, 'Nope', '--format', 'json');
    expect([missing.code, missing.stdout, missing.stderr]).toStrictEqual([1, '', 'error: no datastore named "Nope" is visible with this token\n']);
    const missingId = await explain(e, files, '999');
    expect([missingId.code, missingId.stderr]).toStrictEqual([1, 'error: no datastore with id 999 is visible with this token\n']);
    const enrichment = await explain(e, files, 'PII Enrichment');
    expect([enrichment.code, enrichment.stderr]).toStrictEqual([1, 'error: "PII Enrichment" (id 100) is an enrichment datastore: manifests declare source datastores, so there is nothing to explain\n']);
  });

  it('list items without the enrichment fields: the name look-up, then one GET', async () => {
    const e = await emulator({ listItemsCarryEnrichment: false });
    const r = await explain(e, { 'pii.yaml': PII }, 'Sales EU', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc!.fields[1]!.live).toBe('_sales_eu');
    expect(e.calls().map((c) => `${c.method} ${c.path}?${c.query}`)).toStrictEqual([
      'GET /api/datastores?page=1&size=100&name=Sales+EU&enrichment_only=false',
      'GET /api/datastores/1?',
    ]);
  });

  it('manifest errors stop before any request', async () => {
    const e = await emulator();
    const r = await explain(e, { 'bad.yaml': 'version: 1\ndatastores:\n  - datastore: X\n    enrichment_prefx: y\n' }, 'Sales EU');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: the manifests have 1 error; nothing was read from the API');
    expect(e.calls()).toStrictEqual([]);
  });
});
