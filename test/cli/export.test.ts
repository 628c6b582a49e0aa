/** export against a seeded emulator: the export/plan round trip, determinism, selection, formats. */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { Seed, SeedDatastore } from '../../src/core/seed-types.js';
import { REMEDIATION_STRATEGIES } from '../../src/core/settings.js';
import { loadSeedFile } from '../../src/emulator/seed-file.js';
import { sealExport } from '../../src/render/manifest-yaml.js';
import { run, workspace } from '../helpers/cli.js';

const TOKEN = 'export-admin-token';
const ENRICHMENT = [
  { id: 9001, name: 'Warehouse Enrichment' },
  { id: 9002, name: 'Lake Enrichment' },
  { id: 9003, name: 'Shared: Enrichment #1' },
  { id: 9004, name: 'Lake Enrichment' }, // same name as 9002: links to either must be exported by id
];

/** 500 sources: mixed links (some to ambiguous targets), settings, and names (some shared, some YAML-hostile). */
function deployment(): Seed {
  const sources: SeedDatastore[] = Array.from({ length: 500 }, (_, i) => {
    const id = i + 1;
    const target = i % 5 === 4 ? null : ENRICHMENT[i % 4]!.id;
    let name = `Source ${String(id).padStart(3, '0')}`;
    if (i % 50 === 0) name = 'Duplicate Name';
    if (i === 7) name = 'null';
    if (i === 8) name = '123';
    if (i === 9) name = 'key: value # not a comment';
    if (i === 10) name = "  padded  ";
    return {
      id,
      name,
      enrich_datastore: target,
      enrichment_prefix: i % 3 === 0 ? `Custom Prefix ${id}` : undefined,
      enrichment_source_record_limit: (i % 7) + 1,
      enrichment_remediation_strategy: target === null ? 'none' : REMEDIATION_STRATEGIES[i % 3],
      high_count_rollup_threshold: (i % 1000) + 1,
    };
  });
  return {
    users: [{ name: 'Ada', role: 'Admin', token: TOKEN }],
    datastores: [...sources, ...ENRICHMENT.map((e) => ({ ...e, enrichment_only: true }))],
  };
}

let em: RunningEmulator;
beforeEach(async () => {
  em = await startEmulator({ seed: deployment() });
});
afterEach(async () => {
  await em.close();
});
const env = (): NodeJS.ProcessEnv => ({ QUALYTICS_URL: em.url, QUALYTICS_TOKEN: TOKEN });

describe('export', () => {
  it('round-trips 500 datastores: plan of the export has no changes, and a second export is byte-identical', async () => {
    const dir = await workspace({});
    const first = await run(['export', '--output', 'live.yaml'], { cwd: dir, env: env() });
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('Exported 500 datastores to live.yaml.\n');
    const text = await readFile(join(dir, 'live.yaml'), 'utf8');
    expect(text).not.toContain(TOKEN);
    // Shared names and links to an ambiguous enrichment datastore are exported by id, with the reason.
    expect(text).toContain('  - datastore: 1 # "Duplicate Name" is not unique (ids 1, 51, 101, 151, 201, 251, 301, 351, 401, 451): exported by id\n');
    expect(text).toContain('    enrichment_datastore: 9002 # "Lake Enrichment" is not unique (ids 9002, 9004): exported by id\n');
    expect(text).toContain('  - datastore: "null"\n');
    expect(text).toContain('  - datastore: "123"\n');
    const plan = await run(['plan', 'live.yaml', '--detailed-exitcode', '--no-color'], { cwd: dir, env: env() });
    // The only thing said: a real hazard of this deployment (same-named sources share a default prefix).
    const said = plan.stderr.split('\n').filter((l) => /^live\.yaml:\d+:\d+: /.test(l));
    expect(said).toHaveLength(2);
    for (const line of said) expect(line).toMatch(/: warning: "Duplicate Name" \(id \d+\), "Duplicate Name" .* would all write into .* so into the same tables$/);
    expect(plan).toMatchObject({ code: 0, stdout: 'No changes. Live enrichment settings match the manifests.\n' });
    expect(em.calls().every((c) => c.method === 'GET')).toBe(true);
    const second = await run(['export'], { cwd: dir, env: env() });
    expect(second.stdout).toBe(text);
    // Replacing its own, unedited file is fine.
    expect((await run(['export', '--output', 'live.yaml'], { cwd: dir, env: env() })).code).toBe(0);
    expect(await readFile(join(dir, 'live.yaml'), 'utf8')).toBe(text);
  });

  it('leaves out a live prefix a manifest cannot hold (derived from a long name, or one without a letter or digit), saying so; the export plans clean, the seed loads', async () => {
    const long = `Warehouse ${'x'.repeat(60)}`;
    const odd = await startEmulator({ seed: { users: [{ name: 'Ada', role: 'Admin', token: TOKEN }], datastores: [{ id: 1, name: '~' }, { id: 2, name: long }, { id: 3, name: 'Fine' }] } });
    try {
      const dir = await workspace({});
      const oddEnv = { QUALYTICS_URL: odd.url, QUALYTICS_TOKEN: TOKEN };
      const r = await run(['export', '--output', 'live.yaml'], { cwd: dir, env: oddEnv });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(`Exported 3 datastores to live.yaml.\nwarning: 2 datastores have a live value a manifest cannot hold (a prefix the server derived from a long name, or one without a letter or digit), left out of the export so that plan leaves it as it is: "${long}" (enrichment_prefix), "~" (enrichment_prefix)\n`);
      const text = await readFile(join(dir, 'live.yaml'), 'utf8');
      expect(text).toContain('  # enrichment_prefix "" left out: enrichment_prefix must contain at least one letter or digit; it stays as it is\n  - datastore: "~"\n    enrichment_datastore: null\n    enrichment_source_record_limit: 10\n');
      expect(text).toContain('    enrichment_prefix: _fine\n');
      expect(text.match(/enrichment_prefix: /g)).toHaveLength(1);
      for (const file of ['live.yaml', 'live.json']) {
        if (file === 'live.json') expect((await run(['export', '--output', file], { cwd: dir, env: oddEnv })).code).toBe(0);
        expect(await run(['plan', file, '--detailed-exitcode'], { cwd: dir, env: oddEnv }), file).toMatchObject({ code: 0, stdout: 'No changes. Live enrichment settings match the manifests.\n' });
      }
      // The seed leaves a prefix derived from the name for the emulator to derive again.
      expect((await run(['export', '--format', 'seed', '--output', 'copy.yaml'], { cwd: dir, env: oddEnv })).code).toBe(0);
      const loaded = loadSeedFile('copy.yaml', dir);
      expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toStrictEqual([]);
      expect(loaded.seed!.datastores.map((d) => [d.name, d.enrichment_prefix])).toStrictEqual([['~', undefined], [long, undefined], ['Fine', undefined]]);
    } finally {
      await odd.close();
    }
  });

  it('double-quotes a name holding a tab or a control character (C1 and bidi ones as \\u escapes), which YAML 1.1 readers (PyYAML) refuse; it plans clean', async () => {
    const odd = await startEmulator({ seed: { users: [{ name: 'Ada', role: 'Admin', token: TOKEN }], datastores: [{ id: 1, name: 'tab\there' }, { id: 2, name: 'bell\u0007' }, { id: 3, name: 'Evil\u009b2J\u202eX' }] } });
    try {
      const dir = await workspace({});
      const oddEnv = { QUALYTICS_URL: odd.url, QUALYTICS_TOKEN: TOKEN };
      expect((await run(['export', '--output', 'live.yaml'], { cwd: dir, env: oddEnv })).code).toBe(0);
      const text = await readFile(join(dir, 'live.yaml'), 'utf8');
      expect(text).toContain('  - datastore: "tab\\there"\n');
      expect(text).toContain('  - datastore: "bell\\a"\n');
      // C1 and bidi controls too, which the yaml library writes as they are even inside quotes.
      expect(text).toContain('  - datastore: "Evil\\u009b2J\\u202eX"\n');
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
      expect(await run(['plan', 'live.yaml', '--detailed-exitcode'], { cwd: dir, env: oddEnv })).toMatchObject({ code: 0, stdout: 'No changes. Live enrichment settings match the manifests.\n' });
    } finally {
      await odd.close();
    }
  });

  it('gives each enrichment datastore a file of its own when their names make the same file name, even with the id added', async () => {
    // "x!" and "x#" both make x.yaml; "x#" (id 100) would then take x-100.yaml, which "x 100" already has.
    const odd = await startEmulator({ seed: { users: [{ name: 'Ada', role: 'Admin', token: TOKEN }], datastores: [
      { id: 100, name: 'x#', enrichment_only: true }, { id: 101, name: 'x 100', enrichment_only: true }, { id: 102, name: 'x!', enrichment_only: true },
      { id: 1, name: 'Src A', enrich_datastore: 100 }, { id: 2, name: 'Src B', enrich_datastore: 101 }, { id: 3, name: 'Src C', enrich_datastore: 102 },
    ] } });
    try {
      const dir = await workspace({});
      const oddEnv = { QUALYTICS_URL: odd.url, QUALYTICS_TOKEN: TOKEN };
      const r = await run(['export', '--output', 'out'], { cwd: dir, env: oddEnv });
      expect(r.code, r.stderr).toBe(0);
      expect((await readdir(join(dir, 'out'))).sort()).toStrictEqual(['x-100-2.yaml', 'x-100.yaml', 'x.yaml']);
      expect(await run(['plan', 'out', '--detailed-exitcode'], { cwd: dir, env: oddEnv })).toMatchObject({ code: 0, stdout: 'No changes. Live enrichment settings match the manifests.\n' });
      // Every source is declared: none was lost to a file written twice.
      expect((await run(['plan', 'out', '--fail-on-unmanaged', '--detailed-exitcode'], { cwd: dir, env: oddEnv })).code).toBe(0);
    } finally {
      await odd.close();
    }
  });

  it('writes one file per enrichment datastore plus unlinked.yaml, plans clean, and replaces only its own files', async () => {
    const dir = await workspace({ 'manifests/keep.yaml': '# mine\nversion: 1\ndatastores: []\n' });
    const r = await run(['export', '--output', 'manifests'], { cwd: dir, env: env() });
    expect(r.code).toBe(0);
    const files = (await readdir(join(dir, 'manifests'))).sort();
    expect(files).toStrictEqual(['keep.yaml', 'lake-enrichment-9004.yaml', 'lake-enrichment.yaml', 'shared-enrichment-1.yaml', 'unlinked.yaml', 'warehouse-enrichment.yaml']);
    const unlinked = await readFile(join(dir, 'manifests', 'unlinked.yaml'), 'utf8');
    expect(unlinked.startsWith('# Exported by `enrichctl export` from ')).toBe(true);
    expect(unlinked).toContain('# Datastores with no enrichment datastore linked.\n');
    const plan = await run(['plan', 'manifests', '--detailed-exitcode'], { cwd: dir, env: env() });
    expect(plan.code).toBe(0);

    const before = await Promise.all(files.map((f) => readFile(join(dir, 'manifests', f), 'utf8')));
    // A file an earlier export wrote, for an enrichment datastore that no longer has sources: removed.
    await writeFile(join(dir, 'manifests', 'gone-enrichment.yaml'), sealExport('# Exported by `enrichctl export` from elsewhere.\nversion: 1\ndatastores: []\n'));
    const again = await run(['export', '--output', 'manifests'], { cwd: dir, env: env() });
    expect(again.stderr).toContain('Removed gone-enrichment.yaml: an earlier export wrote it, and no datastore belongs there now.\n');
    expect((await readdir(join(dir, 'manifests'))).sort()).toStrictEqual(files);
    expect(await Promise.all(files.map((f) => readFile(join(dir, 'manifests', f), 'utf8')))).toStrictEqual(before);

    // A person trimmed an exported file: export leaves it alone, and says why.
    const trimmed = before[files.indexOf('unlinked.yaml')]!.replace(/^    high_count_rollup_threshold: .*\n/m, '');
    await writeFile(join(dir, 'manifests', 'unlinked.yaml'), trimmed);
    const refused = await run(['export', '--output', 'manifests'], { cwd: dir, env: env() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('error: nothing was exported: it would overwrite manifests/unlinked.yaml (edited since it was exported); export elsewhere, or move that file away first\n');
    expect(await readFile(join(dir, 'manifests', 'unlinked.yaml'), 'utf8')).toBe(trimmed);
  });

  it('exports only the named datastores, by id with --by-id, and as JSON that is a valid manifest', async () => {
    const dir = await workspace({});
    const some = await run(['export', '--datastore', 'Source 002', '--datastore', '4', '--by-id'], { cwd: dir, env: env() });
    expect(some.code).toBe(0);
    expect(some.stdout.split('\n')[1]).toMatch(/^# export-digest: sha256:[0-9a-f]{16}$/);
    expect(some.stdout.split('\n').filter((_, i) => i !== 1).join('\n')).toBe([
      '# Exported by `enrichctl export` from ' + em.url + '.',
      '',
      'version: 1',
      'datastores:',
      '  - datastore: 2',
      '    enrichment_datastore: 9002',
      '    enrichment_prefix: _source_002',
      '    enrichment_source_record_limit: 2',
      '    enrichment_remediation_strategy: append',
      '    high_count_rollup_threshold: 2',
      '',
      '  - datastore: 4',
      '    enrichment_datastore: 9004',
      '    enrichment_prefix: _custom_prefix_4',
      '    enrichment_source_record_limit: 4',
      '    enrichment_remediation_strategy: none',
      '    high_count_rollup_threshold: 4',
      '',
    ].join('\n'));
    const json = await run(['export', '--datastore', 'Source 003', '--format', 'json'], { cwd: dir, env: env() });
    const doc = JSON.parse(json.stdout) as unknown;
    const schema = JSON.parse(await readFile(new URL('../../schemas/enrichment-manifest.schema.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc).toStrictEqual({
      version: 1,
      datastores: [{ datastore: 'Source 003', enrichment_datastore: 'Shared: Enrichment #1', enrichment_prefix: '_source_003', enrichment_source_record_limit: 3, enrichment_remediation_strategy: 'overwrite', high_count_rollup_threshold: 3 }],
    });
  });

  it.runIf(process.platform !== 'win32')('never reads nor replaces a pipe or a device where it would write (a pipe held it for ever, /dev/zero filled memory)', async () => {
    for (const place of ['fifo', 'zero']) {
      const dir = await workspace({});
      await mkdir(join(dir, 'manifests'));
      if (place === 'fifo') execFileSync('mkfifo', [join(dir, 'manifests', 'unlinked.yaml')]);
      else await symlink('/dev/zero', join(dir, 'manifests', 'unlinked.yaml'));
      const r = await run(['export', '--output', 'manifests'], { cwd: dir, env: env() });
      expect({ code: r.code, stderr: r.stderr }, place).toStrictEqual({
        code: 1,
        stderr: 'error: nothing was exported: it would overwrite manifests/unlinked.yaml (export did not write it); export elsewhere, or move that file away first\n',
      });
      expect(await readdir(join(dir, 'manifests'))).toStrictEqual(['unlinked.yaml']);
    }
  });

  it('never overwrites a file it did not write, and says what else a directory holds', async () => {
    const dir = await workspace({ 'manifests/unlinked.yaml': '# hand-written\nversion: 1\ndatastores: []\n' });
    const r = await run(['export', '--output', 'manifests'], { cwd: dir, env: env() });
    expect(r).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: 'error: nothing was exported: it would overwrite manifests/unlinked.yaml (export did not write it); export elsewhere, or move that file away first\n',
    });
    expect(await readdir(join(dir, 'manifests'))).toStrictEqual(['unlinked.yaml']);
    const file = await run(['export', '--output', 'manifests/unlinked.yaml'], { cwd: dir, env: env() });
    expect(file.stderr).toBe('error: nothing was exported: it would overwrite manifests/unlinked.yaml (export did not write it); export elsewhere, or move that file away first\n');
    const subset = await run(['export', '--datastore', '1', '--output', 'manifests'], { cwd: dir, env: env() });
    expect(subset.stderr).toBe('error: --output DIR writes a complete export (one file per enrichment datastore); export a selection with --datastore to stdout or to one file\n');
    expect(await readFile(join(dir, 'manifests', 'unlinked.yaml'), 'utf8')).toBe('# hand-written\nversion: 1\ndatastores: []\n');
  });

  it('writes JSON to an --output ending in .json, and refuses an output it would have to guess', async () => {
    const dir = await workspace({});
    expect((await run(['export', '--output', 'live.json'], { cwd: dir, env: env() })).code).toBe(0);
    expect((JSON.parse(await readFile(join(dir, 'live.json'), 'utf8')) as { datastores: unknown[] }).datastores).toHaveLength(500);
    const txt = await run(['export', '--output', 'live.txt'], { cwd: dir, env: env() });
    expect(txt.stderr).toBe('error: --output live.txt: give a .yaml, .yml or .json file, or a directory\n');
    const missing = await run(['export', '--output', 'no/such/dir/live.yaml'], { cwd: dir, env: env() });
    expect(missing.stderr).toBe('error: cannot write no/such/dir/live.yaml: its directory does not exist\n');
    expect((await readdir(dir)).sort()).toStrictEqual(['live.json']);
  });

  it('adds the editor-completion comment when enrichctl is installed in the repository', async () => {
    const dir = await workspace({ 'node_modules/enrichctl/schemas/enrichment-manifest.schema.json': '{}' });
    await run(['export', '--output', 'manifests'], { cwd: dir, env: env() });
    const text = await readFile(join(dir, 'manifests', 'unlinked.yaml'), 'utf8');
    expect(text.split('\n').filter((_, i) => i !== 1).slice(0, 3)).toStrictEqual([
      `# Exported by \`enrichctl export\` from ${em.url}.`,
      '# yaml-language-server: $schema=../node_modules/enrichctl/schemas/enrichment-manifest.schema.json',
      '# Datastores with no enrichment datastore linked.',
    ]);
    const stdout = await run(['export', '--datastore', '1'], { cwd: dir, env: env() });
    expect(stdout.stdout).toContain('\n# yaml-language-server: $schema=node_modules/enrichctl/schemas/enrichment-manifest.schema.json\n');
  });

  it('refuses what it cannot do, writing nothing', async () => {
    const dir = await workspace({});
    const unknown = await run(['export', '--datastore', 'Nope', '--datastore', '9001'], { cwd: dir, env: env() });
    expect(unknown).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: 'error: nothing was exported:\n  - --datastore "Nope" matches no datastore visible to this token\n  - --datastore "9001" is an enrichment-only datastore: it has no enrichment settings of its own\n',
    });
    const both = await run(['export', '--all', '--datastore', 'x'], { cwd: dir, env: env() });
    expect(both.stderr).toBe('error: --all exports every datastore: give either --all or --datastore, not both\n');
    const jsonDir = await run(['export', '--format', 'json', '--output', 'out'], { cwd: dir, env: env() });
    expect(jsonDir.code).toBe(1);
    expect(await readdir(dir)).toStrictEqual([]);
  });
});
