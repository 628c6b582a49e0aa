/**
 * The package as a user gets it: `npm pack` (the build already ran), installed into an empty prefix
 * offline with an empty cache (so with no dependency to fetch and nothing to build), then run from
 * elsewhere: its emulator with the built-in demo seed, and a plan against it.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const exec = promisify(execFile);

let dir: string;
let enrichctl: string;
let env: NodeJS.ProcessEnv;
let packed: string[];
let emulator: ChildProcessWithoutNullStreams | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enrichctl-pack-'));
  // Not the npm settings of an `npm test` that runs this file: a user's plain environment.
  env = { PATH: [dirname(process.execPath), process.env.PATH].join(delimiter), HOME: dir, NO_COLOR: '1' };
  const npm = (...args: string[]) => exec('npm', [...args, '--cache', join(dir, 'npm-cache'), '--no-audit', '--no-fund', '--loglevel', 'error'], { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
  const { stdout } = await npm('pack', '--ignore-scripts', '--json', '--pack-destination', dir);
  const [info] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packed = (info?.files ?? []).map((f) => f.path).sort();
  const prefix = join(dir, 'prefix');
  await mkdir(prefix);
  await npm('install', '--prefix', prefix, '--offline', join(dir, info?.filename ?? 'missing.tgz'));
  enrichctl = join(prefix, 'node_modules/.bin/enrichctl');
}, 60_000);

afterAll(async () => {
  emulator?.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** Runs the installed enrichctl in `cwd`; resolves with its exit code and output, failing or not. */
function run(args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(enrichctl, args, { cwd, env: { ...env, ...extra } }, (err, stdout, stderr) => done({ code: err ? Number(err.code) : 0, stdout, stderr }));
  });
}

describe('the packed tarball, installed into an empty prefix', () => {
  it('holds the bundle, its map, the schemas, the licence and the README, and installs no dependency', async () => {
    const schemas = (await readdir(join(ROOT, 'schemas'))).map((f) => `schemas/${f}`);
    expect(packed).toStrictEqual(['LICENSE', 'README.md', 'bin/enrichctl.cjs', 'bin/enrichctl.cjs.map', 'package.json', ...schemas].sort());
    expect((await readdir(join(dir, 'prefix/node_modules'))).filter((f) => !f.startsWith('.'))).toStrictEqual(['enrichctl']);
  });

  it('runs --version and validates offline, from a folder with no node_modules', async () => {
    const work = await mkdtemp(join(dir, 'work-'));
    expect(await run(['--version'], work)).toStrictEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
    // A schema error: the manifest's validator, then the entry validator (for the valid parts), both prebuilt and bundled.
    await writeFile(join(work, 'bad.yaml'), 'version: 1\ndatastores:\n  - datastore: A\n    enrichment_prefx: _a\n');
    const bad = await run(['validate', 'bad.yaml'], work);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('bad.yaml:4:5: error: unknown key "enrichment_prefx"');
    expect(bad.stderr).not.toContain('internal error');
  });

  it('serves the built-in demo seed without --seed, and plans against it', async () => {
    const work = await mkdtemp(join(dir, 'work-'));
    emulator = spawn(enrichctl, ['emulator', '--port', '0'], { cwd: work, env });
    let stderr = '';
    emulator.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const url = await new Promise<string>((resolve) => emulator?.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);

    await writeFile(join(work, 'enrichment.yaml'), 'version: 1\ndatastores:\n  - datastore: Claims Warehouse\n    enrichment_datastore: Healthcare Enrichment\n    enrichment_prefix: _claims\n  - datastore: Patient Portal\n    enrichment_datastore: Healthcare Enrichment\n    enrichment_source_record_limit: 100\n');
    const plan = await run(['plan', '--format', 'json', '--detailed-exitcode'], work, { QUALYTICS_URL: url, QUALYTICS_TOKEN: 'admin-token' });
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(2); // changes to make
    const doc = JSON.parse(plan.stdout) as { summary: unknown; changes: Array<{ datastore: { name: string; id: number }; operations: Array<{ type: string; method: string; path: string }> }> };
    expect(doc.summary).toStrictEqual({ link: 1, unlink: 0, update: 1, unchanged: 1 });
    expect(doc.changes.map((c) => [c.datastore.name, c.datastore.id, c.operations.map((o) => `${o.method} ${o.path}`)])).toStrictEqual([
      ['Claims Warehouse', 2, ['PATCH /datastores/2/enrichment/100', 'PUT /datastores/2']],
      ['Patient Portal', 3, []], // already as declared
    ]);

    expect(stderr).toContain('No --seed: serving the built-in demo seed (examples/emulator/seed.yaml in the enrichctl repository). Its tokens: admin-token (Ada Admin, Admin)');
    const code = await new Promise<number | null>((resolve) => {
      emulator?.on('exit', resolve);
      emulator?.kill('SIGTERM');
    });
    emulator = undefined;
    expect(code).toBe(0);
  });
});
