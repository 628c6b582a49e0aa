import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSeedFile } from '../../src/emulator/seed-file.js';

function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'enrichctl-seed-'));
  writeFileSync(join(dir, 'seed.yaml'), text);
  return loadSeedFile('seed.yaml', dir);
}

const USERS = 'users:\n  - {name: Ada Admin, role: Admin, token: admin-token}\n';

type Row = [severity: string, line: number | null, column: number | null, message: string];
const rows = (r: ReturnType<typeof load>): Row[] =>
  r.diagnostics.map((d) => [d.severity, d.start?.line ?? null, d.start?.column ?? null, d.message]);

describe('loadSeedFile', () => {
  it('loads a valid seed as the Seed value', () => {
    const r = load(
      `${USERS}  - {name: Eddie Editor, role: Member, token: editor-token, teams: {Data Platform: Editor}}\n` +
        'datastores:\n' +
        '  - {id: 100, name: Healthcare Enrichment, enrichment_only: true}\n' +
        '  - id: 42\n    name: Healthcare Database\n    teams: [Data Platform]\n    enrich_datastore: 100\n    enrichment_remediation_strategy: append\n',
    );
    expect(r.diagnostics).toStrictEqual([]);
    expect(r.seed).toStrictEqual({
      users: [
        { name: 'Ada Admin', role: 'Admin', token: 'admin-token' },
        { name: 'Eddie Editor', role: 'Member', token: 'editor-token', teams: { 'Data Platform': 'Editor' } },
      ],
      datastores: [
        { id: 100, name: 'Healthcare Enrichment', enrichment_only: true },
        { id: 42, name: 'Healthcare Database', teams: ['Data Platform'], enrich_datastore: 100, enrichment_remediation_strategy: 'append' },
      ],
    });
  });

  it('loads tags, a connection and the put mode', () => {
    const r = load(
      `${USERS}put: full\ndatastores:\n` +
        '  - {id: 42, name: A, tags: [production, phi], connection: {id: 7, name: postgres_production}}\n' +
        '  - {id: 43, name: B, connection: {id: 7}}\n',
    );
    expect(r.diagnostics).toStrictEqual([]);
    expect(r.seed).toStrictEqual({
      users: [{ name: 'Ada Admin', role: 'Admin', token: 'admin-token' }],
      put: 'full',
      datastores: [
        { id: 42, name: 'A', tags: ['production', 'phi'], connection: { id: 7, name: 'postgres_production' } },
        { id: 43, name: 'B', connection: { id: 7 } },
      ],
    });
  });

  const CASES: Array<{ name: string; text: string; expected: Row[] }> = [
    {
      name: 'unknown field',
      text: `${USERS}datastores:\n  - {id: 1, name: A, enrichment_prefx: _a}\n`,
      expected: [['error', 4, 22, 'unknown key "enrichment_prefx"']],
    },
    {
      name: 'duplicate id',
      text: `${USERS}datastores:\n  - {id: 1, name: A}\n  - {id: 1, name: B}\n`,
      expected: [['error', 5, 10, 'datastore id 1 appears twice; first at seed.yaml:4:10']],
    },
    {
      name: 'duplicate token',
      text: `${USERS}  - {name: Bob, role: Member, token: admin-token}\ndatastores: []\n`,
      expected: [['error', 3, 38, 'token already used by user "Ada Admin" (seed.yaml:2:43)']],
    },
    {
      name: 'link to a missing id',
      text: `${USERS}datastores:\n  - {id: 1, name: A, enrich_datastore: 9}\n`,
      expected: [['error', 4, 40, 'enrich_datastore 9 is not a datastore id of this seed']],
    },
    {
      name: 'link to a datastore that is not enrichment-only',
      text: `${USERS}datastores:\n  - {id: 1, name: A, enrich_datastore: 2}\n  - {id: 2, name: B}\n`,
      expected: [['error', 4, 40, 'enrich_datastore 2 is not an enrichment-only datastore (set enrichment_only: true on it)']],
    },
    {
      name: 'unknown put mode, duplicate tag, connection without id',
      text: `${USERS}put: merge\ndatastores:\n  - {id: 1, name: A, tags: [x, x], connection: {name: c}}\n`,
      expected: [
        ['error', 3, 6, 'put must be one of "partial", "full", got "merge"'],
        ['error', 5, 28, 'tags lists the same value twice (items 2 and 1)'],
        ['error', 5, 48, 'missing required key "id" in connection'],
      ],
    },
    {
      name: 'setting out of range',
      text: `${USERS}datastores:\n  - {id: 1, name: A, high_count_rollup_threshold: 0}\n`,
      expected: [['error', 4, 51, 'high_count_rollup_threshold must be between 1 and 1,000, got 0']],
    },
    {
      name: 'prefix too long once normalised',
      text: `${USERS}datastores:\n  - {id: 1, name: A, enrichment_prefix: "${'x'.repeat(60)}"}\n`,
      expected: [['error', 4, 41, `enrichment_prefix: String should have at most 60 characters once normalised ("_${'x'.repeat(60)}" has 61)`]],
    },
    {
      name: 'append with no link',
      text: `${USERS}datastores:\n  - {id: 1, name: A, enrichment_remediation_strategy: append}\n`,
      expected: [['error', 4, 55, 'enrichment_remediation_strategy "append" needs a linked enrichment datastore (enrich_datastore)']],
    },
    {
      name: 'link to itself, and an enrichment-only source with a link',
      text: `${USERS}datastores:\n  - {id: 1, name: A, enrich_datastore: 1, enrichment_only: true}\n`,
      expected: [
        ['error', 4, 40, 'datastore id 1 cannot be its own enrichment datastore'],
        ['error', 4, 40, 'an enrichment-only datastore cannot have an enrichment datastore linked'],
      ],
    },
    {
      name: 'unknown role and team permission',
      text: 'users:\n  - {name: A, role: Owner, token: t, teams: {X: Admin}}\ndatastores: []\n',
      expected: [
        ['error', 2, 21, 'role must be one of "Admin", "Manager", "Member", got "Owner"'],
        ['error', 2, 49, 'X must be one of "Reporter", "Viewer", "Drafter", "Author", "Editor", got "Admin"'],
      ],
    },
    {
      name: 'missing users',
      text: 'datastores: []\n',
      expected: [['error', 1, 1, 'missing required key "users"']],
    },
    {
      name: 'a manifest given as a seed',
      text: 'version: 1\ndatastores:\n  - datastore: A\n',
      expected: [['error', 1, 10, 'this looks like a manifest, not an emulator seed file']],
    },
    {
      name: 'duplicate YAML key',
      text: `${USERS}datastores:\n  - {id: 1, name: A, name: B}\n`,
      expected: [['error', 4, 22, 'duplicate key "name" (first at line 4, column 13)']],
    },
  ];

  it.each(CASES)('refuses: $name', ({ text, expected }) => {
    const r = load(text);
    expect(rows(r)).toStrictEqual(expected);
    expect(r.seed).toBeUndefined();
    for (const d of r.diagnostics) expect(d.file).toBe('seed.yaml');
  });

  it('a missing file is one diagnostic', () => {
    const r = loadSeedFile('nope.yaml', tmpdir());
    expect(rows(r)).toStrictEqual([['error', null, null, 'cannot read file: no such file or directory']]);
  });

  it('the example seed loads', () => {
    const r = loadSeedFile('examples/emulator/seed.yaml', new URL('../..', import.meta.url).pathname);
    expect(r.diagnostics).toStrictEqual([]);
    expect(r.seed?.users.map((u) => u.role)).toStrictEqual(['Admin', 'Member', 'Member', 'Manager']);
    expect(r.seed?.datastores.some((d) => (d.tags ?? []).length > 0)).toBe(true);
  });
});
