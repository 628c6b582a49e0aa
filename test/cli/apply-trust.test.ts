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
import type { Seed } from '../../src/core/seed-types.js';
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

  it('quotes the file\'s text in its refusal without obeying it: C1 controls and bidi overrides are written as escapes', async () => {
    const dir = await saved(ORDERS_30);
    await tamper(dir, (p) => { p.changes[0]!.declared_at.file = 'm.yaml\u009b2J\u202eFORGED'; });
    const r = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/[\u0080-\u009f\u202a-\u202e]/);
    expect(r.stderr).toContain('m.yaml\\u009b2J\\u202eFORGED');
    expect(em.calls()).toStrictEqual([]);
  });

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

// The file's recorded observation (names, kinds, what rules match on, link targets) is what the plan
// is recomputed from: each fact of it must still be true live, or the file could steer writes.
describe('apply --plan: the observation the file records is checked live', () => {
  const admin = [{ name: 'Ada Admin', role: 'Admin' as const, token: ADMIN_TOKEN }];

  /** Plans `text` against `seed`, edits the saved plan, applies it: refused, with no write. */
  async function refused(seed: Seed, text: string, edit: (plan: Plan) => void): Promise<string> {
    const other = await startEmulator({ seed });
    try {
      const dir = await workspace({ 'm.yaml': text });
      const oEnv = { QUALYTICS_URL: other.url, QUALYTICS_TOKEN: ADMIN_TOKEN };
      const planned = await run(['plan', 'm.yaml', '--out', 'plan.json'], { cwd: dir, env: oEnv });
      expect(planned.code, planned.stderr).toBe(0);
      const plan = JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8')) as Plan;
      edit(plan);
      await writeFile(join(dir, 'plan.json'), JSON.stringify(plan, null, 2));
      other.clearCalls();
      const r = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: oEnv });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^error: refusing the plan in plan\.json; nothing was changed:\n/);
      expect(other.calls().filter((c) => c.method !== 'GET')).toStrictEqual([]);
      return r.stderr;
    } finally {
      await other.close();
    }
  }

  /** The change moved to another datastore, its paths with it. */
  function retarget(c: Plan['changes'][number], to: { id: number; name: string }): void {
    const from = `/datastores/${c.datastore.id}`;
    c.datastore = to;
    c.operations = c.operations.map((op) => ({ ...op, path: op.path.replace(from, `/datastores/${to.id}`) }));
  }

  it('refuses a datastore given the tags a rule matches on, which it does not have live', async () => {
    const seed: Seed = { users: admin, datastores: [{ id: 1, name: 'HR', tags: ['pii'] }, { id: 2, name: 'Payroll', tags: ['finance'] }, { id: 100, name: 'PII Enrichment', enrichment_only: true }] };
    const stderr = await refused(seed, 'version: 1\nrules:\n  - match: { tag: pii }\n    enrichment_datastore: PII Enrichment\n', (p) => {
      const copy = structuredClone(p.changes[0]!);
      retarget(copy, { id: 2, name: 'Payroll' });
      copy.before.enrichment_prefix = '_payroll';
      copy.after.enrichment_prefix = '_payroll';
      copy.matched_on = { tags: ['finance', 'pii'] };
      p.changes.push(copy);
      p.summary.link = 2;
    });
    expect(stderr).toContain('  - "Payroll" (id 2): its tags were ["finance","pii"] when planned, and are ["finance"] now (rules match on them)\n');
  });

  it('refuses an enrichment datastore put in place of the source of the same name', async () => {
    const seed: Seed = { users: admin, datastores: [{ id: 90, name: 'Shared' }, { id: 130, name: 'Shared', enrichment_only: true }] };
    const stderr = await refused(seed, manifest('  - datastore: Shared\n    high_count_rollup_threshold: 77\n'), (p) => retarget(p.changes[0]!, { id: 130, name: 'Shared' }));
    expect(stderr).toContain('  - "Shared" (id 130) is an enrichment datastore, not a source\n');
  });

  it('refuses a link target the file names wrongly in before and after, where no operation links to it', async () => {
    // Customers is linked to Lake Enrichment (101); the file claims 101 is Warehouse Enrichment, so no link is needed.
    const stderr = await refused(world(), manifest('  - datastore: Customers\n    enrichment_datastore: Warehouse Enrichment\n    enrichment_remediation_strategy: append\n    high_count_rollup_threshold: 5\n'), (p) => {
      const c = p.changes[0]!;
      const claimed = { id: 101, name: 'Warehouse Enrichment' };
      c.before.enrich_datastore = claimed;
      c.after.enrich_datastore = claimed;
      c.operations = c.operations.filter((op) => op.type !== 'link');
      c.changed_fields = c.changed_fields.filter((f) => f !== 'enrich_datastore');
      p.summary.link = 0;
    });
    expect(stderr).toContain('  - link target "Warehouse Enrichment" (id 101) is named "Lake Enrichment" now\n');
  });
});

describe('apply --plan FILE PATH...: the manifests the pipeline trusts', () => {
  it('refuses a plan made from other manifests than those given (brought along with the plan), and applies one made from them', async () => {
    const dir = await workspace({ 'manifests/m.yaml': manifest(ORDERS_30), 'evil/m.yaml': manifest('  - datastore: Inventory\n    high_count_rollup_threshold: 999\n') });
    expect((await run(['plan', 'evil', '--out', 'plan.json'], { cwd: dir, env: env() })).code).toBe(0);
    em.clearCalls();
    const refused = await run(['apply', '--plan', 'plan.json', 'manifests/'], { cwd: dir, env: env() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the plan was made from the manifests in evil, not from manifests/ as given');
    expect(writes()).toStrictEqual([]);
    expect((await run(['plan', 'manifests', '--out', 'plan.json'], { cwd: dir, env: env() })).code).toBe(0);
    const applied = await run(['apply', '--plan', 'plan.json', './manifests'], { cwd: dir, env: env() });
    expect(applied.code, applied.stderr).toBe(0);
    expect(writes()).toStrictEqual(['PUT /datastores/1 {"high_count_rollup_threshold":30} -> 200']);
  });
});

describe('apply --plan: the names the manifests wrote', () => {
  it('refuses a plan whose link target name two enrichment datastores bear now (a fresh plan would refuse it as ambiguous)', async () => {
    const other = await startEmulator({ seed: { users: [{ name: 'Ada Admin', role: 'Admin', token: ADMIN_TOKEN }], datastores: [
      { id: 1, name: 'Src' }, { id: 200, name: 'Lake', enrichment_only: true }, { id: 201, name: 'Pond', enrichment_only: true },
    ] } });
    try {
      const dir = await workspace({ 'm.yaml': manifest('  - datastore: Src\n    enrichment_datastore: Lake\n') });
      const oEnv = { QUALYTICS_URL: other.url, QUALYTICS_TOKEN: ADMIN_TOKEN };
      expect((await run(['plan', 'm.yaml', '--out', 'plan.json'], { cwd: dir, env: oEnv })).code).toBe(0);
      const renamed = await fetch(`${other.url}/datastores/201`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Lake' }) });
      expect(renamed.status).toBe(200);
      other.clearCalls();
      const r = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: oEnv });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('  - the manifests\' "Lake" names several enrichment datastores now (the file says id 200): a plan would refuse it as ambiguous\n');
      expect(other.calls().filter((c) => c.method !== 'GET')).toStrictEqual([]);
    } finally {
      await other.close();
    }
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
