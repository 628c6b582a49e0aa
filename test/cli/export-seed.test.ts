/**
 * `export --format seed`: a rehearsal copy of the deployment. An emulator started from the exported
 * seed answers like the original for everything enrichctl does: the same datastores, teams, tags,
 * links and settings, and the same plan for the same manifests.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSeedFile } from '../../src/emulator/seed-file.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { Seed } from '../../src/core/seed-types.js';
import { REHEARSAL_ADMIN_TOKEN, REHEARSAL_TOKEN } from '../../src/export/seed.js';
import { manifest, run, workspace } from '../helpers/cli.js';
import { ADMIN_TOKEN, EDITOR_TOKEN, world } from './world.js';

function production(): Seed {
  const seed = world();
  return {
    ...seed,
    datastores: [
      ...seed.datastores.map((d, i) => ({ ...d, tags: i % 2 === 0 ? ['finance', 'pii'] : [], type: i % 3 === 0 ? 'snowflake' : 'postgresql', connection: { id: 500 + d.id, name: `conn-${d.id}` } })),
      // Visible to the editor, linked to an enrichment datastore only Admins can read.
      { id: 6, name: 'Ledger', teams: ['Data Platform'], enrich_datastore: 102, high_count_rollup_threshold: 77, enrichment_prefix: '_ledger_x' },
      { id: 102, name: 'Vault Enrichment', enrichment_only: true, teams: ['Secret'] },
    ],
  };
}

const running: RunningEmulator[] = [];
async function emulator(seed: Seed): Promise<RunningEmulator> {
  const em = await startEmulator({ seed });
  running.push(em);
  return em;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

/**
 * Everything enrichctl reads or could disturb, per datastore: not `created` (fixed when a seed
 * loads), nor the connection (only a datastore's own GET shows it, and export reads by id only the
 * datastores the listing says too little about).
 */
function visible(em: RunningEmulator): unknown[] {
  return em.snapshot().map((d) => ({
    id: d.id, name: d.name, type: d.type, store_type: d.store_type, enrichment_only: d.enrichment_only,
    teams: d.teams?.map((t) => t.name), tags: d.global_tags,
    link: d.enrich_datastore?.id ?? null, prefix: d.enrichment_prefix, limit: d.enrichment_source_record_limit,
    strategy: d.enrichment_remediation_strategy, rollup: d.high_count_rollup_threshold,
  }));
}

async function exportSeed(em: RunningEmulator, token: string): Promise<{ dir: string; text: string; seed: Seed; stderr: string; code: number }> {
  const dir = await workspace({});
  const r = await run(['export', '--format', 'seed', '--output', 'rehearsal.yaml'], { cwd: dir, env: { QUALYTICS_URL: em.url, QUALYTICS_TOKEN: token } });
  const text = r.code === 0 ? await readFile(join(dir, 'rehearsal.yaml'), 'utf8') : '';
  const loaded = loadSeedFile('rehearsal.yaml', dir);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toStrictEqual([]);
  return { dir, text, seed: loaded.seed!, stderr: r.stderr, code: r.code };
}

describe('export --format seed', () => {
  it('copies the deployment as an Admin sees it, so that a rehearsal emulator answers the same and plans the same', async () => {
    const prod = await emulator(production());
    const out = await exportSeed(prod, ADMIN_TOKEN);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('Exported 9 datastores and 1 user to rehearsal.yaml');
    expect(out.text).not.toContain(ADMIN_TOKEN);
    expect(out.text).not.toContain(EDITOR_TOKEN);
    expect(out.seed.users).toStrictEqual([{ name: 'Ada Admin', role: 'Admin', token: REHEARSAL_TOKEN }]);
    const copy = await emulator(out.seed);
    expect(visible(copy)).toStrictEqual(visible(prod));

    const files = { 'm.yaml': manifest('  - datastore: Orders\n    enrichment_datastore: Lake Enrichment\n    enrichment_remediation_strategy: append\n  - datastore: Payments\n    enrichment_datastore: null\n  - datastore: Ledger\n    high_count_rollup_threshold: 5\n') };
    const dir = await workspace(files);
    const plan = async (em: RunningEmulator, token: string): Promise<unknown> => {
      const r = await run(['plan', 'm.yaml', '--format', 'json'], { cwd: dir, env: { QUALYTICS_URL: em.url, QUALYTICS_TOKEN: token } });
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout) as { changes: unknown; summary: unknown };
      return { changes: doc.changes, summary: doc.summary };
    };
    expect(await plan(copy, REHEARSAL_TOKEN)).toStrictEqual(await plan(prod, ADMIN_TOKEN));
  });

  it('copies what a Member sees: Editor in each team it saw, a placeholder Admin, an unreadable link target kept unreadable', async () => {
    const prod = await emulator(production());
    const out = await exportSeed(prod, EDITOR_TOKEN);
    expect(out.code).toBe(0);
    expect(out.seed.users).toStrictEqual([
      { name: 'Eddie Editor', role: 'Member', token: REHEARSAL_TOKEN, teams: { 'Data Platform': 'Editor' } },
      { name: 'Rehearsal Admin', role: 'Admin', token: REHEARSAL_ADMIN_TOKEN },
    ]);
    expect(out.seed.datastores.find((d) => d.id === 102)).toStrictEqual({ id: 102, name: 'Vault Enrichment', enrichment_only: true, teams: ['Not visible to the exporting token'] });
    const copy = await emulator(out.seed);
    // The member sees the same datastores in both, and the same state of each.
    const asMember = async (em: RunningEmulator, token: string): Promise<unknown> => {
      const dir = await workspace({});
      const r = await run(['export', '--format', 'json'], { cwd: dir, env: { QUALYTICS_URL: em.url, QUALYTICS_TOKEN: token } });
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as unknown;
    };
    expect(await asMember(copy, REHEARSAL_TOKEN)).toStrictEqual(await asMember(prod, EDITOR_TOKEN));
  });

  it('is deterministic and replaces only its own unedited file', async () => {
    const prod = await emulator(production());
    const first = await exportSeed(prod, ADMIN_TOKEN);
    const again = await run(['export', '--format', 'seed', '--output', 'rehearsal.yaml'], { cwd: first.dir, env: { QUALYTICS_URL: prod.url, QUALYTICS_TOKEN: ADMIN_TOKEN } });
    expect(again.code).toBe(0);
    expect(await readFile(join(first.dir, 'rehearsal.yaml'), 'utf8')).toBe(first.text);
  });

  it('refuses a selection, --by-id and a directory, before any request', async () => {
    const prod = await emulator(production());
    const dir = await workspace({});
    const env = { QUALYTICS_URL: prod.url, QUALYTICS_TOKEN: ADMIN_TOKEN };
    const selection = await run(['export', '--format', 'seed', '--datastore', 'Orders'], { cwd: dir, env });
    expect(selection.code).toBe(1);
    expect(selection.stderr).toBe('error: --format seed copies the whole deployment as the token sees it: give no --datastore or --by-id with it\n');
    const folder = await run(['export', '--format', 'seed', '--output', 'copies'], { cwd: dir, env });
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain('--format seed writes one document');
    expect(prod.calls()).toStrictEqual([]);
  });
});
