/**
 * Every command's `--format json` output against its published schema in schemas/, and the schemas
 * themselves: valid 2020-12, closed objects, every property described.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { BIN } from '../helpers/bin.js';
import { manifest, run, workspace } from '../helpers/cli.js';
import { ADMIN_TOKEN, EDITOR_TOKEN, world } from './world.js';

const SCHEMAS = fileURLToPath(new URL('../../schemas/', import.meta.url));
const files = readdirSync(SCHEMAS).filter((f) => f.endsWith('.json')).sort();
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
for (const f of files) ajv.addSchema(JSON.parse(readFileSync(`${SCHEMAS}${f}`, 'utf8')) as object, f);

function expectValid(schema: string, doc: unknown): void {
  const validate = ajv.getSchema(schema)!;
  expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
}

describe('published schemas', () => {
  it.each(files)('%s is a valid 2020-12 schema whose every property has a description', (f) => {
    const schema = JSON.parse(readFileSync(`${SCHEMAS}${f}`, 'utf8')) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
    const undescribed: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}/${i}`));
      if (typeof node !== 'object' || node === null) return;
      const o = node as Record<string, unknown>;
      if (o.properties && typeof o.properties === 'object') {
        for (const [k, v] of Object.entries(o.properties)) {
          if (typeof (v as { description?: unknown }).description !== 'string') undescribed.push(`${path}/properties/${k}`);
        }
      }
      for (const [k, v] of Object.entries(o)) walk(v, `${path}/${k}`);
    };
    walk(schema, '');
    expect(undescribed).toStrictEqual([]);
  });
});

describe('--format json outputs', () => {
  let em: RunningEmulator;
  beforeAll(async () => {
    em = await startEmulator({ seed: world() });
  });
  afterAll(async () => {
    await em.close();
  });
  const env = (token = ADMIN_TOKEN): NodeJS.ProcessEnv => ({ QUALYTICS_URL: em.url, QUALYTICS_TOKEN: token });

  it('validate: diagnostics.schema.json', async () => {
    const dir = await workspace({ 'm.yaml': manifest('  - datastore: A\n    enrichment_prefx: x\n  - datastore: B\n    enrichment_prefix: Nice Name\n') });
    const r = await run(['validate', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as Array<{ severity: string }>;
    expect(doc.map((d) => d.severity)).toStrictEqual(['error', 'note']);
    expectValid('diagnostics.schema.json', doc);
  });

  it('apply: apply-report.schema.json, with an applied and a failed datastore', async () => {
    const dir = await workspace({ 'm.yaml': manifest('  - datastore: Payments\n    enrichment_datastore: null\n  - datastore: Orders\n    high_count_rollup_threshold: 77\n') });
    const r = await run(['apply', '--auto-approve', '--format', 'json'], { cwd: dir, env: env(EDITOR_TOKEN) });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { results: Array<{ status: string }> };
    expect(doc.results.map((x) => x.status).sort()).toStrictEqual(['applied', 'failed']);
    expectValid('apply-report.schema.json', doc);
  });

  it('apply: apply-report.schema.json, with a write of unknown outcome after a second interrupt', async () => {
    const dir = await workspace({ 'm.yaml': manifest('  - datastore: Orders\n    high_count_rollup_threshold: 78\n') });
    em.setFaults({ latencyMs: 600 });
    const first = new AbortController();
    const second = new AbortController();
    const calls = em.calls().length;
    try {
      const running = run(['apply', '--auto-approve', '--format', 'json'], { cwd: dir, env: env(), signal: first.signal, urgent: second.signal });
      // The plan reads one listing; the PUT goes out right after it and is held for 600 ms.
      while (em.calls().length === calls) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 150));
      first.abort();
      second.abort();
      const r = await running;
      expect(r.code).toBe(130);
      const doc = JSON.parse(r.stdout) as { interrupted: boolean; results: Array<{ status: string; operations: Array<{ outcome: string }> }> };
      expect(doc.interrupted).toBe(true);
      expect(doc.results.map((x) => [x.status, x.operations.map((o) => o.outcome)])).toStrictEqual([['partial', ['unknown']]]);
      expectValid('apply-report.schema.json', doc);
    } finally {
      em.setFaults({ latencyMs: 0 });
    }
  });

  it('export: enrichment-manifest.schema.json', async () => {
    const r = await run(['export', '--format', 'json'], { cwd: await workspace({}), env: env() });
    expect(r.code).toBe(0);
    expectValid('enrichment-manifest.schema.json', JSON.parse(r.stdout));
  });

  it('explain: explain.schema.json, with an entry over a rule, a rule conflict, defaults and a field not managed', async () => {
    const dir = await workspace({ 'm.yaml': [
      'version: 1',
      'defaults:',
      '  enrichment_remediation_strategy: none',
      'rules:',
      '  - match: { name: "Order*" }',
      '    enrichment_datastore: Warehouse Enrichment',
      '    enrichment_prefix: "o {name} {id}"',
      '    high_count_rollup_threshold: 5',
      '  - match: { name: "O*" }',
      '    high_count_rollup_threshold: 6',
      'datastores:',
      '  - datastore: Orders',
      '    enrichment_prefix: orders',
      '',
    ].join('\n') });
    const r = await run(['explain', 'Orders', '--format', 'json'], { cwd: dir, env: env() });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { fields: Array<{ status: string; candidates: Array<{ role: string }> }> };
    expect(doc.fields.map((f) => [f.status, f.candidates.map((c) => c.role)])).toStrictEqual([
      ['managed', ['winner']],
      ['managed', ['winner', 'overridden']],
      ['not-managed', []],
      ['managed', ['winner']],
      ['conflict', ['conflicting', 'conflicting']],
    ]);
    expectValid('explain.schema.json', doc);
  });

  it('emulator: emulator-ready.schema.json, then stops cleanly on SIGTERM', async () => {
    const seed = fileURLToPath(new URL('../../examples/emulator/seed.yaml', import.meta.url));
    const child = spawn(process.execPath, [BIN, 'emulator', '--seed', seed, '--port', '0', '--format', 'json']);
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    const doc = JSON.parse(line) as { url: string };
    expectValid('emulator-ready.schema.json', doc);
    expect((await fetch(`${doc.url}/health`)).status).toBe(204);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });
});
