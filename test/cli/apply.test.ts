/**
 * apply end to end against the emulator, asserting from its call log exactly which writes happened
 * and in which order; every test runs against a server taking partial PUTs (the enrichment API page)
 * and against one that wants the whole datastore (the official CLI's commit 0d5c7c5).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiDatastore } from '../../src/core/api-types.js';
import { SETTINGS } from '../../src/core/settings.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { PUT_MODES, type PutMode } from '../../src/core/seed-types.js';
import { manifest, run, workspace, type RunResult } from '../helpers/cli.js';
import { ADMIN_TOKEN, EDITOR_TOKEN, world } from './world.js';

let em: RunningEmulator;
let putMode: PutMode;
/** The state the call log starts from: at the start, and again whenever the log is cleared. */
let base: ApiDatastore[];
let initial: ApiDatastore[];

const env = (token = ADMIN_TOKEN): NodeJS.ProcessEnv => ({ QUALYTICS_URL: em.url, QUALYTICS_TOKEN: token });

function clearCalls(): void {
  em.clearCalls();
  base = em.snapshot();
}

/**
 * The writes the emulator served, in order, as `METHOD path body -> status`. Against a server that
 * wants whole PUTs, the partial PUT it refused (once per run) is left out and each whole PUT is shown
 * as the settings it changed, replaying the log from `base`: so the same expectations hold for both.
 */
function writes(): string[] {
  const settings = new Map(base.map((d) => [d.id, Object.fromEntries(SETTINGS.map((s) => [s.key, d[s.key]]))]));
  const out: string[] = [];
  for (const c of em.calls()) {
    if (c.method === 'GET') continue;
    const id = Number(/^\/api\/datastores\/(\d+)/.exec(c.path)?.[1]);
    const known = settings.get(id) ?? {};
    let body = c.body as Record<string, unknown> | null;
    if (c.method === 'PUT' && body !== null && putMode === 'full') {
      if (c.status === 422 && !('name' in body)) continue;
      if ('name' in body) body = Object.fromEntries(SETTINGS.filter((s) => s.key in body! && body![s.key] !== known[s.key]).map((s) => [s.key, body![s.key]]));
    }
    if (c.method === 'PUT' && c.status === 200 && body) Object.assign(known, body);
    if (c.method === 'DELETE' && c.status === 204) known.enrichment_remediation_strategy = 'none';
    out.push(`${c.method} ${c.path.replace(/^\/api/, '')}${body === null ? '' : ` ${JSON.stringify(body)}`} -> ${c.status}`);
  }
  return out;
}

/** Someone else changes settings behind enrichctl's back, with a body both kinds of server take. */
async function moveSettings(id: number, settings: Record<string, unknown>): Promise<void> {
  const d = em.snapshot().find((x) => x.id === id)!;
  const body = { name: d.name, connection_id: d.connection?.id, enrichment_only: d.enrichment_only, ...settings };
  const r = await fetch(`${em.url}/datastores/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(r.status).toBe(200);
}

/** What apply must never change, whatever the server's PUT: everything but the link and the settings. */
function identities(datastores: readonly ApiDatastore[]): unknown[] {
  return datastores.map((d) => ({ id: d.id, name: d.name, teams: d.teams, tags: d.global_tags, connection: d.connection, enrichment_only: d.enrichment_only }));
}

describe.each(PUT_MODES)('put: %s', (mode) => {
  beforeEach(async () => {
    putMode = mode;
    em = await startEmulator({ seed: world(), put: mode });
    base = em.snapshot();
    initial = base;
  });
  afterEach(async () => {
    expect(identities(em.snapshot())).toStrictEqual(identities(initial));
    await em.close();
  });

  function state(id: number) {
    const d = em.snapshot().find((x) => x.id === id)!;
    return {
      link: d.enrich_datastore?.id ?? null,
      prefix: d.enrichment_prefix,
      limit: d.enrichment_source_record_limit,
      strategy: d.enrichment_remediation_strategy,
      rollup: d.high_count_rollup_threshold,
    };
  }

  async function apply(files: Record<string, string>, extra: string[] = [], token?: string): Promise<RunResult & { dir: string }> {
    const dir = await workspace(files);
    const result = await run(['apply', 'm.yaml', '--auto-approve', '--no-color', ...extra], { cwd: dir, env: env(token) });
    return { ...result, dir };
  }

  function noSecrets(...results: RunResult[]): void {
    for (const r of results) {
      expect(r.stdout + r.stderr).not.toContain(ADMIN_TOKEN);
      expect(r.stdout + r.stderr).not.toContain(EDITOR_TOKEN);
    }
  }

  describe('apply', () => {
    it('links then sets append: PATCH before PUT, and a second plan is empty', async () => {
      const r = await apply({ 'm.yaml': manifest('  - datastore: Orders\n    enrichment_datastore: Warehouse Enrichment\n    enrichment_remediation_strategy: append\n') });
      expect(r.code).toBe(0);
      expect(writes()).toStrictEqual([
        'PATCH /datastores/1/enrichment/100 -> 200',
        'PUT /datastores/1 {"enrichment_remediation_strategy":"append"} -> 200',
      ]);
      expect(r.stdout).toContain('Apply complete: 1 applied, 0 failed, 0 skipped.');
      const again = await run(['plan', 'm.yaml', '--detailed-exitcode'], { cwd: r.dir, env: env() });
      expect(again.code).toBe(0);
      expect(again.stdout).toBe('No changes. Live enrichment settings match the manifests.\n');
      noSecrets(r, again);
    });

    it('switches a link with one PATCH and keeps the strategy', async () => {
      const r = await apply({ 'm.yaml': manifest('  - datastore: Customers\n    enrichment_datastore: 100\n') });
      expect(r.code).toBe(0);
      expect(writes()).toStrictEqual(['PATCH /datastores/2/enrichment/100 -> 200']);
      expect(state(2)).toMatchObject({ link: 100, strategy: 'append' });
    });

    it('unlinks with one DELETE, and the strategy reset is not drift', async () => {
      const r = await apply({ 'm.yaml': manifest('  - datastore: Payments\n    enrichment_datastore: null\n') });
      expect(r.code).toBe(0);
      expect(writes()).toStrictEqual(['DELETE /datastores/3/enrichment -> 204']);
      expect(state(3)).toMatchObject({ link: null, strategy: 'none' });
      const again = await run(['plan', 'm.yaml', '--detailed-exitcode'], { cwd: r.dir, env: env() });
      expect(again.code).toBe(0);
    });

    it('sends PUT bodies with only the fields that changed', async () => {
      const r = await apply({ 'm.yaml': manifest('  - datastore: Inventory\n    enrichment_prefix: Inventory\n    enrichment_source_record_limit: 100\n    high_count_rollup_threshold: 3\n') });
      expect(r.code).toBe(0);
      expect(writes()).toStrictEqual(['PUT /datastores/5 {"high_count_rollup_threshold":3} -> 200']);
    });

    it('reports no changes and writes nothing when everything matches', async () => {
      const r = await apply({ 'm.yaml': manifest('  - datastore: Inventory\n    enrichment_prefix: _inventory\n') });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('No changes. Live enrichment settings match the manifests.\n');
      expect(writes()).toStrictEqual([]);
    });

    it('refuses without approval when there is no terminal, and writes nothing', async () => {
      const dir = await workspace({ 'm.yaml': manifest('  - datastore: Orders\n    high_count_rollup_threshold: 9\n') });
      const r = await run(['apply', 'm.yaml'], { cwd: dir, env: env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error: apply needs approval and there is no terminal to ask on; nothing was changed.');
      expect(writes()).toStrictEqual([]);
    });

    it('asks on a terminal: anything but yes cancels, yes applies', async () => {
      const dir = await workspace({ 'm.yaml': manifest('  - datastore: Orders\n    high_count_rollup_threshold: 9\n') });
      const no = await run(['apply', 'm.yaml'], { cwd: dir, env: env(), tty: ['y'] });
      expect(no.code).toBe(1);
      expect(no.stderr).toContain("Apply cancelled: only 'yes' approves. Nothing was changed.");
      expect(writes()).toStrictEqual([]);
      const yes = await run(['apply', 'm.yaml'], { cwd: dir, env: env(), tty: ['yes'] });
      expect(yes.code).toBe(0);
      expect(writes()).toStrictEqual(['PUT /datastores/1 {"high_count_rollup_threshold":9} -> 200']);
    });

    it('surfaces 403 on unlink for a Member and 409 on unlink with active operations, while independent datastores apply', async () => {
      const files = {
        'm.yaml': manifest([
          '  - datastore: Payments\n    enrichment_datastore: null\n',
          '  - datastore: Orders\n    high_count_rollup_threshold: 20\n',
        ].join('')),
      };
      const member = await apply(files, [], EDITOR_TOKEN);
      expect(member.code).toBe(1);
      expect(member.stdout).toContain('failed   DELETE /datastores/3/enrichment answered 403: ');
      expect(member.stdout).toContain('applied  "Orders" (id 1): PUT /datastores/1');
      expect(member.stdout).toContain('Apply finished with errors: 1 applied, 1 failed, 0 skipped.');
      // The two datastores run concurrently: their relative order is not fixed.
      expect(writes().sort()).toStrictEqual([
        'DELETE /datastores/3/enrichment -> 403',
        'PUT /datastores/1 {"high_count_rollup_threshold":20} -> 200',
      ]);

      clearCalls();
      const busy = await apply({ 'm.yaml': manifest('  - datastore: Busy\n    enrichment_datastore: null\n  - datastore: Inventory\n    high_count_rollup_threshold: 4\n') });
      expect(busy.code).toBe(1);
      expect(busy.stdout).toContain('failed   DELETE /datastores/4/enrichment answered 409: Cannot disconnect enrichment datastore: active export or materialize operations exist');
      expect(busy.stdout).toContain('applied  "Inventory" (id 5)');
      expect(state(4).link).toBe(100);
      noSecrets(member, busy);
    });

    it('prints the report as one JSON document with --format json', async () => {
      const r = await apply({ 'm.yaml': manifest('  - datastore: Orders\n    enrichment_datastore: Lake Enrichment\n') }, ['--format', 'json']);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout) as { summary: unknown; results: Array<{ status: string; operations: Array<{ outcome: string }> }> };
      expect(doc.summary).toStrictEqual({ applied: 1, failed: 0, skipped: 0, partial: 0 });
      expect(doc.results[0]!.operations.map((o) => o.outcome)).toStrictEqual(['done']);
    });
  });

  describe('apply --plan', () => {
    async function saved(files: Record<string, string>): Promise<string> {
      const dir = await workspace(files);
      const planned = await run(['plan', 'm.yaml', '--out', 'plan.json'], { cwd: dir, env: env() });
      expect(planned.code).toBe(0);
      const text = await readFile(join(dir, 'plan.json'), 'utf8');
      expect(text).not.toContain(ADMIN_TOKEN);
      clearCalls();
      return dir;
    }

    it('executes the saved plan without asking', async () => {
      const dir = await saved({ 'm.yaml': manifest('  - datastore: Orders\n    high_count_rollup_threshold: 30\n') });
      const r = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: env() });
      expect(r.code).toBe(0);
      expect(writes()).toStrictEqual(['PUT /datastores/1 {"high_count_rollup_threshold":30} -> 200']);
    });

    it('refuses a plan whose datastore changed since in a field the manifests set, and writes nothing', async () => {
      const dir = await saved({ 'm.yaml': manifest('  - datastore: Orders\n    high_count_rollup_threshold: 30\n    enrichment_source_record_limit: 10\n') });
      await moveSettings(1, { enrichment_source_record_limit: 77 });
      clearCalls();
      const r = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        'error: refusing the plan in plan.json; nothing was changed:\n' +
          '  - "Orders" (id 1): enrichment_source_record_limit was 10 when planned, and is 77 now\n' +
          '  - the live state moved since the plan was made: plan again and review the new plan\n',
      );
      expect(writes()).toStrictEqual([]);
    });

    it('executes a plan whose datastore changed since only in a field no manifest sets (anyone may change it)', async () => {
      const dir = await saved({ 'm.yaml': manifest('  - datastore: Orders\n    high_count_rollup_threshold: 30\n') });
      await moveSettings(1, { enrichment_source_record_limit: 77 });
      clearCalls();
      const r = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: env() });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Apply complete: 1 applied, 0 failed, 0 skipped.');
      expect(writes().filter((w) => w.endsWith(' -> 200')).map((w) => w.split(' ').slice(0, 2).join(' '))).toStrictEqual(['PUT /datastores/1']);
      expect(em.snapshot().find((d) => d.id === 1)).toMatchObject({ high_count_rollup_threshold: 30, enrichment_source_record_limit: 77 });
    });

    it('refuses a plan whose manifests changed, or made against another URL', async () => {
      const dir = await saved({ 'm.yaml': manifest('  - datastore: Orders\n    high_count_rollup_threshold: 30\n') });
      await writeFile(join(dir, 'm.yaml'), manifest('  - datastore: Orders\n    high_count_rollup_threshold: 31\n'));
      const changed = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: env() });
      expect(changed.code).toBe(1);
      expect(changed.stderr).toContain('  - the manifests (m.yaml) changed since the plan was made: plan again and review the new plan\n');
      const other = await run(['apply', '--plan', 'plan.json', '--url', em.url.replace('127.0.0.1', 'localhost')], { cwd: dir, env: env() });
      expect(other.code).toBe(1);
      expect(other.stderr).toContain(`  - the plan was made against ${em.url}, not ${em.url.replace('127.0.0.1', 'localhost')}: give the same --url / QUALYTICS_URL as when planning\n`);
      expect(writes()).toStrictEqual([]);
      // Neither refusal needed the API: nothing was read either.
      expect(em.calls()).toStrictEqual([]);
    });

    it('resumes: applying a plan again changes only what an earlier run did not, and an applied plan is a no-op', async () => {
      const dir = await saved({ 'm.yaml': manifest('  - datastore: Orders\n    high_count_rollup_threshold: 30\n  - datastore: Inventory\n    high_count_rollup_threshold: 31\n') });
      // As if an earlier, interrupted apply had done Orders only.
      await moveSettings(1, { high_count_rollup_threshold: 30 });
      clearCalls();
      const resumed = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: env() });
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toContain('1 of the datastores in plan.json are already in the state the plan leads to (an earlier apply); applying the other 1.\n');
      expect(writes()).toStrictEqual(['PUT /datastores/5 {"high_count_rollup_threshold":31} -> 200']);
      clearCalls();
      const again = await run(['apply', '--plan', 'plan.json'], { cwd: dir, env: env() });
      expect(again.code).toBe(0);
      expect(again.stderr).toBe('The plan in plan.json is already applied: every datastore is in the state it leads to.\n');
      expect(writes()).toStrictEqual([]);
    });

    it('refuses a file that is not a plan, with one clear message', async () => {
      const dir = await workspace({ 'bad.json': '{"format_version": 1, "changes": [' , 'other.json': '{"format_version": 2}' });
      const truncated = await run(['apply', '--plan', 'bad.json'], { cwd: dir, env: env() });
      expect(truncated).toStrictEqual({ code: 1, stdout: '', stderr: 'error: bad.json is not a saved plan (it is not JSON); give the file that `enrichctl plan --out plan.json` wrote\n' });
      const wrong = await run(['apply', '--plan', 'other.json'], { cwd: dir, env: env() });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^error: other\.json is not a saved plan of this enrichctl version/);
      expect(em.calls()).toStrictEqual([]);
    });
  });

  describe('apply under faults', () => {
    it('converges through 503s, 429 with Retry-After and connection resets, with no lost or duplicated write', async () => {
      const entries = Array.from({ length: 5 }, (_, i) => i + 1)
        .map((id) => `  - datastore: ${id}\n    enrichment_datastore: 101\n    high_count_rollup_threshold: ${40 + id}\n`).join('');
      em.setFaults({
        script: [
          { method: 'PATCH', status: 503, times: 2 },
          { method: 'PUT', status: 429, retryAfterSeconds: 0, times: 2 },
          { method: 'PUT', reset: true, times: 1 },
          { method: 'PATCH', reset: true, afterCommit: true, times: 1 },
          { method: 'GET', status: 502, times: 1 },
        ],
      });
      const r = await apply({ 'm.yaml': manifest(entries) });
      expect(r.code).toBe(0);
      for (let id = 1; id <= 5; id++) expect(state(id)).toMatchObject({ link: 101, rollup: 40 + id });
      // Every planned write was answered 200 exactly once. The PATCH whose answer was lost after it
      // committed was sent again and answered 200 then; the faults before the state was touched changed nothing.
      const ok = em.calls().filter((c) => c.method !== 'GET' && c.status === 200).map((c) => `${c.method} ${c.path}`).sort();
      // Customers (2) is already linked to 101: only its PUT is planned.
      const planned = [1, 3, 4, 5].map((id) => `PATCH /api/datastores/${id}/enrichment/101`);
      planned.push(...[1, 2, 3, 4, 5].map((id) => `PUT /api/datastores/${id}`));
      expect(ok).toStrictEqual(planned.sort());
      expect(em.calls().filter((c) => c.injected === 'after-commit').map((c) => c.method)).toStrictEqual(['PATCH']);
      const again = await run(['plan', 'm.yaml', '--detailed-exitcode'], { cwd: r.dir, env: env() });
      expect(again.code).toBe(0);
    });
  });
});
