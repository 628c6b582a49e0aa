/**
 * An apply you can trust with an Admin token: a saved plan edited after review is refused before any
 * request, a half-applied plan resumes with only what remains, and an interactive apply re-reads the
 * live state after `yes`. Real emulator over loopback; its call log proves what was sent.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { Plan } from '../../src/model/plan.js';
import { manifest, run, workspace } from '../helpers/cli.js';
import { ADMIN_TOKEN, world } from './world.js';

let em: RunningEmulator;
beforeEach(async () => {
  em = await startEmulator({ seed: world() });
});
afterEach(async () => {
  await em.close();
});

const env = (): NodeJS.ProcessEnv => ({ QUALYTICS_URL: em.url, QUALYTICS_TOKEN: ADMIN_TOKEN });

function writes(): string[] {
  return em.calls()
    .filter((c) => c.method !== 'GET')
    .map((c) => `${c.method} ${c.path.replace(/^\/api/, '')}${c.body === null ? '' : ` ${JSON.stringify(c.body)}`} -> ${c.status}`);
}

async function put(id: number, body: object): Promise<void> {
  const r = await fetch(`${em.url}/datastores/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(r.status).toBe(200);
}

async function saved(entries: string, extra: string[] = []): Promise<string> {
  const dir = await workspace({ 'm.yaml': manifest(entries) });
  const planned = await run(['plan', 'm.yaml', '--out', 'plan.json', ...extra], { cwd: dir, env: env() });
  expect(planned.code).toBe(0);
  em.clearCalls();
  return dir;
}

async function tamper(dir: string, edit: (plan: Plan) => void): Promise<void> {
  const plan = JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8')) as Plan;
  edit(plan);
  await writeFile(join(dir, 'plan.json'), JSON.stringify(plan, null, 2));
}

const ORDERS_30 = '  - datastore: Orders\n    high_count_rollup_threshold: 30\n';

describe('apply --plan: a plan file is data, the manifests are the authority', () => {
  const cases: Array<{ name: string; edit: (plan: Plan) => void; says: string }> = [
    {
      name: 'a PUT body changed to other values',
      edit: (p) => {
        const c = p.changes[0]!;
        const op = c.operations[0]!;
        if (op.type === 'update_settings') op.body.high_count_rollup_threshold = 999;
        c.after.high_count_rollup_threshold = 999;
      },
      says: "datastore id 1: the saved plan's PUT body sets high_count_rollup_threshold to 999, the manifests say 30",
    },
    {
      name: 'an operation retargeted to another datastore (id, name and paths changed consistently)',
      edit: (p) => {
        const c = p.changes[0]!;
        c.datastore = { id: 5, name: 'Inventory' };
        c.operations = c.operations.map((op) => ({ ...op, path: op.path.replace('/datastores/1', '/datastores/5') }));
      },
      says: 'datastore "Orders" not found',
    },
    {
      name: 'an operation added',
      edit: (p) => {
        const c = p.changes[0]!;
        const target = { id: 100, name: 'Warehouse Enrichment' };
        c.operations.unshift({ type: 'link', method: 'PATCH', path: '/datastores/1/enrichment/100', enrich_datastore: target });
        c.after.enrich_datastore = target;
        p.summary.link = 1;
      },
      says: 'datastore id 1: the saved plan has a PATCH /datastores/1/enrichment/100 the manifests do not imply',
    },
    {
      name: 'a datastore renamed in the text',
      edit: (p) => { p.changes[0]!.datastore.name = 'Orders (prod)'; },
      says: 'datastore "Orders" not found',
    },
    {
      name: 'after edited',
      edit: (p) => { p.changes[0]!.after.enrichment_source_record_limit = 5; },
      says: "datastore id 1: the saved plan's after has enrichment_source_record_limit 5, the manifests say 10",
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}, naming the difference, before any request`, async () => {
      const dir = await saved(ORDERS_30);
      await tamper(dir, c.edit);
      const r = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: refusing the plan in plan\.json; nothing was changed:\n/);
      expect(r.stderr).toContain(c.says);
      expect(r.stderr).toContain('plan.json is not the plan the manifests imply (edited since it was saved?): plan again and review the new plan');
      expect(em.calls()).toStrictEqual([]);
    });
  }

  it('refuses a datastore retargeted under its old name: the live names do not match, and nothing is written', async () => {
    const dir = await saved(ORDERS_30);
    await tamper(dir, (p) => {
      const c = p.changes[0]!;
      c.datastore = { id: 5, name: 'Orders' };
      c.before = { ...c.before, enrichment_prefix: '_inventory', enrichment_source_record_limit: 100 };
      c.after = { ...c.after, enrichment_prefix: '_inventory', enrichment_source_record_limit: 100 };
      c.operations = c.operations.map((op) => ({ ...op, path: op.path.replace('/datastores/1', '/datastores/5') }));
    });
    const r = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('  - "Orders" (id 5) is named "Inventory" now\n');
    expect(writes()).toStrictEqual([]);
  });

  it('executes a plan made with --target: the recorded selection is recomputed', async () => {
    const dir = await saved(`${ORDERS_30}  - datastore: Inventory\n    high_count_rollup_threshold: 31\n`, ['--target', '1']);
    const plan = JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8')) as Plan;
    expect(plan.targets).toStrictEqual(['1']);
    const r = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: env() });
    expect(r.code).toBe(0);
    expect(writes()).toStrictEqual(['PUT /datastores/1 {"high_count_rollup_threshold":30} -> 200']);
  });
});

describe('apply --plan: resume', () => {
  it('a datastore left half-applied (link made, PUT refused) resumes with only the PUT', async () => {
    const dir = await saved('  - datastore: Orders\n    enrichment_datastore: Warehouse Enrichment\n    enrichment_remediation_strategy: append\n');
    em.setFaults({ script: [{ method: 'PUT', status: 403, times: 1 }] });
    const first = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: env() });
    expect(first.code).toBe(1);
    expect(writes()).toStrictEqual([
      'PATCH /datastores/1/enrichment/100 -> 200',
      'PUT /datastores/1 {"enrichment_remediation_strategy":"append"} -> 403',
    ]);
    em.clearCalls();
    const resumed = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: env() });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toBe('Resuming "Orders" (id 1): an earlier apply of plan.json got part of the way; remaining: PUT /datastores/1.\n');
    expect(writes()).toStrictEqual(['PUT /datastores/1 {"enrichment_remediation_strategy":"append"} -> 200']);
    const after = await run(['plan', 'm.yaml', '--detailed-exitcode'], { cwd: dir, env: env() });
    expect(after.code).toBe(0);
  });

  it('a half-applied datastore with a field moved to a third value is refused', async () => {
    const dir = await saved('  - datastore: Orders\n    enrichment_datastore: Warehouse Enrichment\n    enrichment_remediation_strategy: append\n');
    em.setFaults({ script: [{ method: 'PUT', status: 403, times: 1 }] });
    expect((await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: env() })).code).toBe(1);
    await put(1, { enrichment_remediation_strategy: 'overwrite' });
    em.clearCalls();
    const r = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('  - "Orders" (id 1): enrichment_remediation_strategy was "none" when planned, and is "overwrite" now\n');
    expect(writes()).toStrictEqual([]);
  });
});

describe('interactive apply', () => {
  it('re-reads after yes and refuses when the live state moved while the prompt waited', async () => {
    const dir = await workspace({ 'm.yaml': manifest(ORDERS_30) });
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    // readline starts reading stdin once the prompt waits: move live state then, and only then answer.
    stdin.once('resume', () => {
      void put(1, { enrichment_source_record_limit: 77 }).then(() => {
        em.clearCalls();
        stdin.end('yes\n');
      });
    });
    const r = await run(['apply', 'm.yaml', '--no-color'], { cwd: dir, env: env(), stdin });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: refusing the plan; nothing was changed:\n' +
        '  - "Orders" (id 1): enrichment_source_record_limit was 10 when planned, and is 77 now\n' +
        '  - the live state moved while the plan waited for approval: run apply again and review the new plan\n',
    );
    expect(writes()).toStrictEqual([]);
    expect(em.calls().map((c) => c.method)).toContain('GET');
  });

  it('applies after yes when nothing moved', async () => {
    const dir = await workspace({ 'm.yaml': manifest(ORDERS_30) });
    const r = await run(['apply', 'm.yaml', '--no-color'], { cwd: dir, env: env(), tty: ['yes'] });
    expect(r.code).toBe(0);
    expect(writes()).toStrictEqual(['PUT /datastores/1 {"high_count_rollup_threshold":30} -> 200']);
  });
});
