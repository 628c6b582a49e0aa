/**
 * Issue #11: a new setting is one row in the settings table (plus its row in the emulator's own
 * statement of the server's rules). This file adds a fifth, integer setting `test_setting` (5..50,
 * default 7) to both tables, and to nothing else, then follows it through every part that claims to
 * read the table: the manifest schema and loader, the observation, the diff, the text renderer, the
 * plan schema, apply, export, and the emulator (seed, GET, PUT, its 422). Each assertion names the
 * value 9, 20 or the bounds, so a part that ignores the row fails here (it would drop the field,
 * send nothing, or accept 51). test/emulator/unknown-setting.test.ts shows the other half: the
 * emulator without its rule row.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SettingSpec } from '../../src/core/settings.js';
import type { FieldRule } from '../../src/emulator/setting-rules.js';

const ROW: SettingSpec = {
  key: 'test_setting',
  kind: 'integer',
  title: 'Test setting',
  description: 'A setting that exists only in this test.',
  minimum: 5,
  maximum: 50,
  default: 7,
};

vi.mock('../../src/core/settings.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/core/settings.js')>();
  return { ...real, SETTINGS: [...real.SETTINGS, ROW] };
});

vi.mock('../../src/emulator/setting-rules.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/emulator/setting-rules.js')>();
  const rules: Record<string, FieldRule> = { ...real.SETTING_FIELD_RULES, test_setting: { kind: 'integer', ge: 5, le: 50 } };
  return { ...real, SETTING_FIELD_RULES: rules, isSettingField: (key: string): boolean => Object.hasOwn(rules, key) };
});

// Imported after the mocks (vi.mock is hoisted), so every module sees the five-row table.
const { SETTINGS } = await import('../../src/core/settings.js');
const { buildManifestSchema } = await import('../../src/manifest/schema-source.js');
const { loadManifests } = await import('../../src/manifest/load.js');
const { buildPlanSchema } = await import('../../src/model/plan-schema.js');
const { buildSeedSchema } = await import('../../src/emulator/seed-schema.js');
const { startEmulator } = await import('../../src/emulator/index.js');
const { QualyticsClient } = await import('../../src/api/client.js');
const { observe } = await import('../../src/api/observe.js');
const { diffState } = await import('../../src/plan/diff.js');
const { applyPlan } = await import('../../src/apply/apply.js');
const { writePlanText } = await import('../../src/render/plan-text.js');
const { planDocument } = await import('../../src/render/plan-document.js');
const { PLAIN } = await import('../../src/render/colour.js');
const { exportEntries } = await import('../../src/export/entries.js');
const { renderManifestYaml } = await import('../../src/render/manifest-yaml.js');
const { Ajv2020 } = await import('ajv/dist/2020.js');
const { AJV_OPTIONS } = await import('../../src/source/schema-diagnostics.js');

type Running = Awaited<ReturnType<typeof startEmulator>>;
type Client = InstanceType<typeof QualyticsClient>;

const TOKEN = 'new-setting-admin-token-7c1f';
const compile = (schema: object) => new Ajv2020(AJV_OPTIONS).compile(schema);

let em: Running;
let client: Client;
beforeAll(async () => {
  em = await startEmulator({
    seed: {
      users: [{ name: 'Ada', role: 'Admin', token: TOKEN }],
      // The seed types take the new key (SeedDatastore is & Partial<Settings>); TypeScript does not see the mock.
      datastores: [{ id: 1, name: 'Orders', ...{ test_setting: 9 } }, { id: 2, name: 'Payments' }],
    },
  });
  client = new QualyticsClient({ baseUrl: em.url, token: TOKEN, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
});
afterAll(async () => {
  await client.close();
  await em.close();
});

async function manifest(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'enrichctl-new-setting-'));
  await writeFile(join(dir, 'm.yaml'), text);
  return dir;
}

describe('a fifth setting, added as one row of each table', () => {
  it('is in the table this file runs with', () => {
    expect(SETTINGS.map((s) => s.key)).toContain('test_setting');
  });

  it('the manifest schema accepts it within its bounds and refuses it outside them', () => {
    const validate = compile(buildManifestSchema());
    const doc = (v: unknown) => ({ version: 1, datastores: [{ datastore: 'Orders', test_setting: v }] });
    expect([5, 20, 50].map((v) => validate(doc(v)))).toStrictEqual([true, true, true]);
    expect([4, 51, 7.5, '20'].map((v) => validate(doc(v)))).toStrictEqual([false, false, false, false]);
    const defaults = (v: unknown) => ({ version: 1, defaults: { test_setting: v }, datastores: [{ datastore: 'Orders' }] });
    expect([validate(defaults(50)), validate(defaults(51))]).toStrictEqual([true, false]);
  });

  it('the seed schema takes it too', () => {
    const validate = compile(buildSeedSchema());
    const seed = (v: unknown) => ({ users: [], datastores: [{ id: 1, name: 'a', test_setting: v }] });
    expect([validate(seed(50)), validate(seed(51))]).toStrictEqual([true, false]);
  });

  it('loading a manifest reports an out-of-range value at its line', async () => {
    const dir = await manifest('version: 1\ndatastores:\n  - datastore: Orders\n    test_setting: 51\n');
    const load = loadManifests(['m.yaml'], dir);
    expect(load.state).toBeUndefined();
    expect(load.diagnostics.map((d) => [d.start?.line, d.message])).toStrictEqual([[4, expect.stringContaining('test_setting')]]);
  });

  it('the emulator serves it from the seed, and its default where the seed leaves it out', async () => {
    expect((await client.getDatastore(1)).test_setting).toBe(9);
    expect((await client.getDatastore(2)).test_setting).toBe(7);
  });

  it('the emulator refuses a PUT of it out of range, with its own rule', async () => {
    const answer = await fetch(`${em.url}/datastores/1`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ test_setting: 51 }),
    });
    expect(answer.status).toBe(422);
    expect(await answer.json()).toStrictEqual({
      detail: [{ type: 'less_than_equal', loc: ['body', 'test_setting'], msg: 'Input should be less than or equal to 50', input: 51, ctx: { le: 50 } }],
    });
    expect((await client.getDatastore(1)).test_setting).toBe(9);
  });

  it('flows from manifest to observation, diff, text, plan schema, apply and export', async () => {
    const dir = await manifest('version: 1\ndatastores:\n  - datastore: Orders\n    test_setting: 20\n');
    const load = loadManifests(['m.yaml'], dir);
    expect(load.diagnostics).toStrictEqual([]);
    const desired = load.state!.datastores;
    expect(desired.map((d) => d.settings)).toStrictEqual([{ test_setting: 20 }]);

    const { observation } = await observe(client, { sources: ['Orders'], targets: [] });
    expect(observation.datastores.get(1)?.state).toMatchObject({ test_setting: 9 });

    const result = diffState(desired, observation, { base_url: em.url, manifest_digest: `sha256:${'0'.repeat(64)}`, manifest_paths: ['m.yaml'] });
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    const [change] = result.plan.changes;
    expect(change?.changed_fields).toStrictEqual(['test_setting']);
    expect(change?.operations).toStrictEqual([{ type: 'update_settings', body: { test_setting: 20 } }]);
    expect(change?.after).toMatchObject({ test_setting: 20 });

    let text = '';
    writePlanText(result.plan, PLAIN, (part) => { text += part; });
    expect(text).toMatch(/~ test_setting += 9 -> 20\n/);

    const validatePlan = compile(buildPlanSchema());
    const doc = planDocument(result.plan);
    expect(validatePlan(doc)).toBe(true);
    const tooBig = JSON.parse(JSON.stringify(doc).replace('"test_setting":20', '"test_setting":51')) as object;
    expect(validatePlan(tooBig)).toBe(false);

    const report = await applyPlan(client, result.plan, { parallelism: 1, signal: new AbortController().signal });
    expect(report.results.map((r) => r.status)).toStrictEqual(['applied']);
    expect(em.calls().filter((c) => c.method === 'PUT').map((c) => c.body)).toStrictEqual([{ test_setting: 51 }, { test_setting: 20 }]);
    expect(em.snapshot().map((d) => [d.id, d.test_setting])).toStrictEqual([[1, 20], [2, 7]]);

    const everything = await observe(client, { sources: [], targets: [], everything: true });
    const entries = exportEntries(everything.observation, { byId: false });
    expect(entries.map((e) => [e.datastore, (e.settings as Record<string, unknown>).test_setting])).toStrictEqual([['Orders', 20], ['Payments', 7]]);
    expect(renderManifestYaml(entries, [])).toMatch(/^ {4}test_setting: 20$/m);
  });
});
