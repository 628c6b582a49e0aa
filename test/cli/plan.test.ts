/** plan end to end against the emulator: outputs, exit codes, strategies and request counts, errors. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { Seed } from '../../src/core/seed-types.js';
import { BIN } from '../helpers/bin.js';
import { manifest, run, workspace } from '../helpers/cli.js';
import { ADMIN_TOKEN, EDITOR_TOKEN, world } from './world.js';

const validatePlan = new Ajv2020({ strict: true }).compile(
  JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8')) as object,
);
function expectValidPlan(doc: unknown): void {
  expect(validatePlan(doc), JSON.stringify(validatePlan.errors)).toBe(true);
}

let em: RunningEmulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});

async function emulator(seed: Seed = world(), listItemsCarryEnrichment = true): Promise<RunningEmulator> {
  em = await startEmulator({ seed, listItemsCarryEnrichment, nameFilter: seed.name_filter ?? 'exact' });
  return em;
}
const env = (e: RunningEmulator, token = ADMIN_TOKEN): NodeJS.ProcessEnv => ({ QUALYTICS_URL: e.url, QUALYTICS_TOKEN: token });

const CHANGE = manifest('  - datastore: Orders\n    enrichment_datastore: Warehouse Enrichment\n  - datastore: Inventory\n    enrichment_prefix: inventory\n');

describe('plan outputs and exit codes', () => {
  it('prints text, exits 0, and with --detailed-exitcode 2 on changes and 0 without', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': CHANGE, 'same.yaml': manifest('  - datastore: Inventory\n    enrichment_prefix: _inventory\n') });
    const plain = await run(['plan', 'm.yaml'], { cwd: dir, env: env(e) });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('Plan: 1 datastore to change (1 link), 1 unchanged.');
    expect((await run(['plan', 'm.yaml', '--detailed-exitcode'], { cwd: dir, env: env(e) })).code).toBe(2);
    const same = await run(['plan', 'same.yaml', '--detailed-exitcode'], { cwd: dir, env: env(e) });
    expect(same).toStrictEqual({ code: 0, stdout: 'No changes. Live enrichment settings match the manifests.\n', stderr: '' });
    expect(e.calls().every((c) => c.method === 'GET')).toBe(true);
  });

  it('prints one JSON document that validates against schemas/plan.schema.json', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': CHANGE });
    const r = await run(['plan', 'm.yaml', '--format', 'json'], { cwd: dir, env: env(e) });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { format_version: number; base_url: string; summary: object; changes: unknown[] };
    expectValidPlan(doc);
    expect(doc).toMatchObject({ format_version: 1, base_url: e.url, summary: { link: 1, unlink: 0, update: 0, unchanged: 1 } });
    expect(r.stdout).not.toContain(ADMIN_TOKEN);
  });

  it('prints markdown for a PR comment with its marker', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': CHANGE });
    const r = await run(['plan', 'm.yaml', '--format', 'markdown'], { cwd: dir, env: env(e) });
    expect(r.stdout.startsWith('<!-- enrichctl-plan -->\n### enrichctl plan\n')).toBe(true);
    expect(r.stdout).toContain('<summary>+ Orders (id 1): link</summary>');
  });

  it('plans only --target datastores, and refuses a target no manifest declares', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': CHANGE });
    const one = await run(['plan', 'm.yaml', '--target', 'Orders', '--format', 'json'], { cwd: dir, env: env(e) });
    expect((JSON.parse(one.stdout) as { changes: Array<{ datastore: { name: string } }> }).changes.map((c) => c.datastore.name)).toStrictEqual(['Orders']);
    const none = await run(['plan', 'm.yaml', '--target', 'Nope'], { cwd: dir, env: env(e) });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('--target: error: "Nope" is not a datastore the manifests in m.yaml declare (by name or id)');
    // The id of a datastore the manifest declares by name works too, as does the reverse.
    const byId = await run(['plan', 'm.yaml', '--target', '5', '--format', 'json'], { cwd: dir, env: env(e) });
    expect(byId.code).toBe(0);
    expect((JSON.parse(byId.stdout) as { changes: Array<{ datastore: { name: string } }>; summary: object }).changes.map((c) => c.datastore.name)).toStrictEqual(['Inventory']);
    expect((JSON.parse(byId.stdout) as { summary: object }).summary).toStrictEqual({ link: 0, unlink: 0, update: 0, unchanged: 1 });
  });

  it('refuses a --target that names two declared datastores (a name that is another\'s id, a name two declared ids bear): apply would write both', async () => {
    const seed = world();
    seed.datastores.push({ id: 274, name: '1' }, { id: 271, name: 'Twin' }, { id: 272, name: 'Twin' });
    const e = await emulator(seed);
    const dir = await workspace({ 'm.yaml': manifest('  - datastore: "1"\n    high_count_rollup_threshold: 9\n  - datastore: 1\n    high_count_rollup_threshold: 9\n  - datastore: 271\n  - datastore: 272\n') });
    const one = await run(['plan', 'm.yaml', '--target', '1'], { cwd: dir, env: env(e) });
    expect(one.code).toBe(1);
    expect(one.stderr).toContain('--target: error: "1" names 2 declared datastores: "1" (id 274), "Orders" (id 1)\n');
    const twin = await run(['plan', 'm.yaml', '--target', 'Twin'], { cwd: dir, env: env(e) });
    expect(twin.stderr).toContain('--target: error: "Twin" names 2 declared datastores: "Twin" (id 271), "Twin" (id 272)\n');
    // Each by the other of its name or id.
    const byId = await run(['plan', 'm.yaml', '--target', '274', '--format', 'json'], { cwd: dir, env: env(e) });
    expect((JSON.parse(byId.stdout) as { changes: Array<{ datastore: { id: number } }> }).changes.map((c) => c.datastore.id)).toStrictEqual([274]);
  });

  it('reads --token-file from a pipe (/dev/stdin, process substitution) as its writer writes it', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': CHANGE });
    // A shell's pipe (Node's own spawn gives a child a socket, which /dev/stdin cannot be opened on);
    // asynchronously, so that the emulator in this process can answer.
    const r = await promisify(execFile)('sh', ['-c', `printf '%s\\n' "$T" | "$NODE" "$BIN" plan m.yaml --token-file /dev/stdin`], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, QUALYTICS_URL: e.url, T: ADMIN_TOKEN, NODE: process.execPath, BIN } });
    expect(r.stderr).not.toContain('error');
    expect(r.stdout).toContain('Plan: 1 datastore to change (1 link), 1 unchanged.');
  });

  it('stops on an invalid manifest: its diagnostics only, the first pages it had sent abandoned unanswered', async () => {
    const e = await emulator();
    // The first pages go out before the manifests are read; the latency keeps them unanswered until
    // they are abandoned (the emulator logs a request when it answers it).
    e.setFaults({ latencyMs: 3_000 });
    const dir = await workspace({ 'm.yaml': manifest('  - datastore: Orders\n    high_count_rollup_threshold: 0\n') });
    const r = await run(['plan', 'm.yaml', '--verbose'], { cwd: dir, env: env(e) });
    expect(r.code).toBe(1);
    // The network lines come when the requests are abandoned: before the diagnostics are shown.
    expect(r.stderr.split('\n').filter((l) => !l.startsWith('http: ')).join('\n')).toMatch(/^m\.yaml:4:34: error: /);
    expect(r.stderr).toContain('Planning failed: 1 error; nothing was changed.');
    // --verbose says the two requests were cancelled, and nothing else about the network.
    expect(r.stderr.split('\n').filter((l) => /GET|network|interrupt/i.test(l)).map((l) => l.replace(/ in \d+ ms/, ''))).toStrictEqual([
      'http: GET /datastores?page=1&size=100&enrichment_only=false -> CANCELLED (attempt 1)',
      'http: GET /datastores?page=1&size=100&enrichment_only=true -> CANCELLED (attempt 1)',
    ]);
    expect(e.calls()).toStrictEqual([]);
    // Without --verbose, the diagnostic and the plan's last line, nothing else.
    const quiet = await run(['plan', 'm.yaml'], { cwd: dir, env: env(e) });
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toBe([
      'm.yaml:4:34: error: high_count_rollup_threshold must be between 1 and 1,000, got 0',
      '4 |     high_count_rollup_threshold: 0',
      '  |                                  ^',
      'Planning failed: 1 error; nothing was changed.',
      '',
    ].join('\n'));
  });

  it('reports plan-time errors with the file, line and column that declared them', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': manifest('  - datastore: Nope\n  - datastore: Warehouse Enrichment\n    high_count_rollup_threshold: 3\n  - datastore: Orders\n    enrichment_remediation_strategy: overwrite\n') });
    const r = await run(['plan', 'm.yaml', '--no-color'], { cwd: dir, env: env(e) });
    expect(r.code).toBe(1);
    const heads = r.stderr.split('\n').filter((l) => /^m\.yaml:\d+:\d+: error:/.test(l)).map((l) => l.slice(0, l.indexOf(' error:')));
    expect(heads).toStrictEqual(['m.yaml:3:16:', 'm.yaml:4:16:', 'm.yaml:7:38:']);
    expect(r.stderr).toContain('Planning failed: 3 errors; nothing was changed.');
  });

  it('says what to do without credentials, before any request', async () => {
    const dir = await workspace({ 'm.yaml': CHANGE });
    const r = await run(['plan', 'm.yaml'], { cwd: dir, env: {} });
    expect(r).toStrictEqual({ code: 1, stdout: '', stderr: "error: no Qualytics URL: pass --url, set QUALYTICS_URL (e.g. https://your-instance.qualytics.io), or run the official CLI's `qualytics init` to write ~/.qualytics/config.yaml\n" });
  });

  it('surfaces a refused token with the server detail and no stack', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': CHANGE });
    const r = await run(['plan', 'm.yaml'], { cwd: dir, env: { QUALYTICS_URL: e.url, QUALYTICS_TOKEN: 'wrong-token' } });
    expect(r).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: 'error: GET /datastores answered 401: Could not validate credentials\n' +
        '  = the API token was refused: check the token in --token-file, QUALYTICS_TOKEN or ~/.qualytics/config.yaml (tokens expire and can be revoked)\n',
    });
  });

  it('says where it looked when the URL is not a Qualytics API', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': CHANGE });
    const url = e.url.replace(/\/api$/, '/elsewhere');
    const r = await run(['plan', 'm.yaml'], { cwd: dir, env: { QUALYTICS_URL: url, QUALYTICS_TOKEN: ADMIN_TOKEN } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: GET /datastores answered 404: Not Found\n' +
        `  = no Qualytics API answers at ${url}/api: check that the URL is the deployment's address (e.g. https://your-instance.qualytics.io)\n`,
    );
  });

  it('refuses to save a plan over a manifest', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': CHANGE, 'm.txt': CHANGE });
    const yaml = await run(['plan', 'm.yaml', '--out', 'other.yaml'], { cwd: dir, env: env(e) });
    expect(yaml.stderr).toBe('error: --out other.yaml: a saved plan is JSON, not a manifest; name it e.g. plan.json\n');
    const input = await run(['plan', 'm.txt', '--out', './m.txt'], { cwd: dir, env: env(e) });
    expect(input.stderr).toBe('error: --out ./m.txt is one of the manifests being planned; save the plan elsewhere, e.g. --out plan.json\n');
    expect(e.calls()).toStrictEqual([]);
  });

  it('saves a plan that holds the observed state and never the token', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': CHANGE });
    const r = await run(['plan', 'm.yaml', '--out', 'plan.json'], { cwd: dir, env: env(e, EDITOR_TOKEN) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Saved the plan to plan.json. Apply exactly this plan with: enrichctl apply --plan plan.json');
    const saved = readFileSync(`${dir}/plan.json`, 'utf8');
    expect(saved).not.toContain(EDITOR_TOKEN);
    const doc = JSON.parse(saved) as { manifest_digest: string; changes: Array<{ before: object }> };
    expect(doc.manifest_digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(doc.changes[0]!.before).toStrictEqual({
      enrich_datastore: null, enrichment_prefix: '_inventory', enrichment_source_record_limit: 100,
      enrichment_remediation_strategy: 'none', high_count_rollup_threshold: 10,
    });
  });
});

describe('reading live state', () => {
  function big(total: number): Seed {
    return {
      users: [{ name: 'Ada', role: 'Admin', token: ADMIN_TOKEN }],
      datastores: [
        ...Array.from({ length: total }, (_, i) => ({ id: i + 1, name: `db-${i + 1}` })),
        { id: total + 1, name: 'Enrichment', enrichment_only: true },
      ],
    };
  }
  const declare = (names: string[]): string => manifest(names.map((n) => `  - datastore: ${n}\n    enrichment_datastore: Enrichment\n`).join(''));

  it('lists every page when that is cheaper than looking names up', async () => {
    const e = await emulator(big(450));
    const dir = await workspace({ 'm.yaml': declare(Array.from({ length: 300 }, (_, i) => `db-${i + 1}`)) });
    const r = await run(['plan', 'm.yaml', '--format', 'json'], { cwd: dir, env: env(e) });
    expect(r.code).toBe(0);
    const gets = e.calls().map((c) => `${c.path}?${c.query}`);
    // 450 sources: 5 pages of 100; 1 enrichment datastore: 1 page; and nothing else.
    expect(gets.sort()).toStrictEqual([
      ...[1, 2, 3, 4, 5].map((p) => `/api/datastores?page=${p}&size=100&enrichment_only=false`),
      '/api/datastores?page=1&size=100&enrichment_only=true',
    ].sort());
  });

  it('looks names up (exact matches only) when there are few of them among many datastores', async () => {
    // An older server whose name filter matches substrings: "db-7" also matches db-70..db-79 and
    // db-700..db-799 (111 items, 2 pages), and only the exact match is kept.
    const e = await emulator({ ...big(2000), name_filter: 'substring' });
    const dir = await workspace({ 'm.yaml': declare(['db-7', 'db-1999']) });
    const r = await run(['plan', 'm.yaml', '--format', 'json'], { cwd: dir, env: env(e) });
    expect(r.code).toBe(0);
    // The one enrichment datastore fits on the first page of its listing: no look-up for its name.
    expect(e.calls().map((c) => c.query).sort()).toStrictEqual([
      'page=1&size=100&enrichment_only=false',
      'page=1&size=100&enrichment_only=true',
      'page=1&size=100&name=db-1999&enrichment_only=false',
      'page=1&size=100&name=db-7&enrichment_only=false',
      'page=2&size=100&name=db-7&enrichment_only=false',
    ]);
    expect((JSON.parse(r.stdout) as { summary: object }).summary).toStrictEqual({ link: 2, unlink: 0, update: 0, unchanged: 0 });
  });

  it('asks the other kind only for a name missing from its own: a source as link target, an enrichment datastore as source', async () => {
    const e = await emulator(big(2000));
    const dir = await workspace({
      'm.yaml': manifest('  - datastore: db-1998\n    enrichment_datastore: db-1999\n  - datastore: Enrichment\n    high_count_rollup_threshold: 5\n'),
    });
    const r = await run(['plan', 'm.yaml', '--format', 'json'], { cwd: dir, env: env(e) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"db-1999" (id 1999) cannot be the enrichment datastore of "db-1998" (id 1998): it is a source datastore');
    expect(r.stderr).toContain('"Enrichment" (id 2001) is an enrichment-only datastore');
    // The enrichment listing is one page, so it is read whole; "db-1999" is then looked up among sources.
    expect(e.calls().map((c) => c.query).sort()).toStrictEqual([
      'page=1&size=100&enrichment_only=false',
      'page=1&size=100&enrichment_only=true',
      'page=1&size=100&name=Enrichment&enrichment_only=false',
      'page=1&size=100&name=db-1998&enrichment_only=false',
      'page=1&size=100&name=db-1999&enrichment_only=false',
    ]);
  });

  describe('the rest of the source listing, asked once the manifests are parsed, before they are checked', () => {
    const all = Array.from({ length: 450 }, (_, i) => `db-${i + 1}`);
    const SOURCE_PAGES = [1, 2, 3, 4, 5].map((p) => `page=${p}&size=100&enrichment_only=false`);

    // 10,000 entries: page 1 is in long before their YAML is parsed (~0.2 s), whatever the load. Each
    // plan in its own process (not the in-process run of the src project, where the emulator shares
    // the plan's event loop and page 1 cannot be answered while the plan parses).
    const many = declare(Array.from({ length: 10_000 }, (_, i) => `db-${i + 1}`));
    async function spawnPlan(e: RunningEmulator, dir: string, ...args: string[]): Promise<{ code: number; stderr: string; asked: string[] }> {
      const r = await promisify(execFile)(process.execPath, [BIN, 'plan', ...args, '--verbose'], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, ...env(e) } })
        .then(({ stderr }) => ({ code: 0, stderr }), (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }));
      // Every listing request sent: answered, or abandoned when the plan stopped.
      const asked = r.stderr.split('\n').flatMap((l) => /^http: GET \/datastores\?(\S+) -> (200|CANCELLED)/.exec(l)?.[1] ?? []);
      return { ...r, asked: asked.sort() };
    }

    it('is asked before the checks end: a manifest that then fails them has cost those reads, and nothing else', async () => {
      const e = await emulator(big(450));
      const dir = await workspace({ 'm.yaml': `${many}  - datastore: db-10001\n    high_count_rollup_threshold: 0\n` });
      const r = await spawnPlan(e, dir, 'm.yaml');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Planning failed: 1 error; nothing was changed.');
      expect(r.asked).toStrictEqual([...SOURCE_PAGES, 'page=1&size=100&enrichment_only=true'].sort());
      expect(e.calls().every((c) => c.method === 'GET')).toBe(true);
    });

    it('is not asked with --target (a look-up for the target instead), after a YAML error, nor for a path that is not there', async () => {
      const e = await emulator(big(450));
      const dir = await workspace({ 'm.yaml': many, 'broken.yaml': `${many}  - datastore: [unclosed\n` });
      const targeted = await spawnPlan(e, dir, 'm.yaml', '--target', 'db-7');
      expect(targeted.code).toBe(0);
      expect(targeted.asked).toStrictEqual([
        'page=1&size=100&enrichment_only=false',
        'page=1&size=100&enrichment_only=true',
        'page=1&size=100&name=db-7&enrichment_only=false',
      ]);
      for (const args of [['broken.yaml'], ['m.yaml', 'missing.yaml']]) {
        const failed = await spawnPlan(e, dir, ...args);
        expect(failed.code).toBe(1);
        expect(failed.asked).toStrictEqual(['page=1&size=100&enrichment_only=false', 'page=1&size=100&enrichment_only=true']);
      }
    });
  });

  it('reads each declared source by id when list items lack the enrichment fields', async () => {
    const e = await emulator(world(), false);
    const dir = await workspace({ 'm.yaml': CHANGE });
    const r = await run(['plan', 'm.yaml', '--format', 'json'], { cwd: dir, env: env(e) });
    expect(r.code).toBe(0);
    expect(e.calls().map((c) => c.path).sort()).toStrictEqual(['/api/datastores', '/api/datastores', '/api/datastores/1', '/api/datastores/5']);
  });
});

describe('plan --report-unmanaged', () => {
  it('lists configured datastores no manifest declares, in every format, and never touches them', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': manifest('  - datastore: Orders\n    high_count_rollup_threshold: 10\n') });
    const text = await run(['plan', 'm.yaml', '--report-unmanaged', '--detailed-exitcode'], { cwd: dir, env: env(e) });
    expect(text.code).toBe(0);
    expect(text.stdout).toBe([
      'No changes. Live enrichment settings match the manifests.',
      '',
      'Unmanaged: 4 datastores have enrichment configuration but appear in no manifest; enrichctl leaves them alone.',
      '  ! "Busy" (id 4): enrichment_datastore = "Warehouse Enrichment" (id 100)',
      '  ! "Customers" (id 2): enrichment_datastore = "Lake Enrichment" (id 101), enrichment_remediation_strategy = "append"',
      '  ! "Inventory" (id 5): enrichment_source_record_limit = 100',
      '  ! "Payments" (id 3): enrichment_datastore = "Warehouse Enrichment" (id 100), enrichment_remediation_strategy = "overwrite"',
      '',
    ].join('\n'));
    const json = await run(['plan', 'm.yaml', '--report-unmanaged', '--format', 'json'], { cwd: dir, env: env(e) });
    const doc = JSON.parse(json.stdout) as { unmanaged: Array<{ datastore: { id: number }; non_default: string[] }> };
    expect(doc.unmanaged.map((u) => u.datastore.id)).toStrictEqual([4, 2, 5, 3]);
    expectValidPlan(doc);
    const md = await run(['plan', 'm.yaml', '--report-unmanaged', '--format', 'markdown'], { cwd: dir, env: env(e) });
    expect(md.stdout).toContain('| Customers | 2 | `enrichment_datastore` = "Lake Enrichment" (id 101), `enrichment_remediation_strategy` = "append" |');
    expect(e.calls().every((c) => c.method === 'GET')).toBe(true);
  });
});

describe('warnings reach every output', () => {
  it('warns that a non-Admin token cannot unlink, on stderr, in JSON and in markdown', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': manifest('  - datastore: Payments\n    enrichment_datastore: null\n  - datastore: Customers\n    enrichment_prefix: _clients\n') });
    const text = await run(['plan', 'm.yaml', '--no-color'], { cwd: dir, env: env(e, EDITOR_TOKEN) });
    expect(text.code).toBe(0);
    expect(text.stderr).toContain('m.yaml:3:16: warning: unlinking needs the Admin role, and the token used for this plan belongs to "Eddie Editor", a Member: applied with this token, the DELETE for "Payments" (id 3) would be refused (403) while the other changes apply');
    const json = await run(['plan', 'm.yaml', '--format', 'json'], { cwd: dir, env: env(e, EDITOR_TOKEN) });
    const doc = JSON.parse(json.stdout) as { warnings: Array<{ message: string; file: string; line: number }> };
    expectValidPlan(doc);
    expect(doc.warnings.map((w) => `${w.file}:${w.line} ${w.message.slice(0, 40)}`)).toStrictEqual([
      'm.yaml:6 changing the prefix of "Customers" (id 2',
      'm.yaml:3 unlinking needs the Admin role, and the ',
    ]);
    const md = await run(['plan', 'm.yaml', '--format', 'markdown'], { cwd: dir, env: env(e, EDITOR_TOKEN) });
    expect(md.stdout).toContain('> **Warning** (`m.yaml:3`): unlinking needs the Admin role');
    // One extra request, and only because the plan unlinks: who the token belongs to.
    expect(e.calls().filter((c) => c.path === '/api/users/me')).toHaveLength(3);
    const admin = await run(['plan', 'm.yaml', '--format', 'json'], { cwd: dir, env: env(e) });
    expect((JSON.parse(admin.stdout) as { warnings: unknown[] }).warnings).toHaveLength(1);
  });
});

describe('plan --out', () => {
  it('refuses a folder that does not exist before any request', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': CHANGE });
    const r = await run(['plan', 'm.yaml', '--out', 'nodir/plan.json'], { cwd: dir, env: env(e) });
    expect(r).toStrictEqual({ code: 1, stdout: '', stderr: 'error: --out nodir/plan.json: the directory nodir does not exist; create it first\n' });
    expect(e.calls()).toStrictEqual([]);
  });
});
