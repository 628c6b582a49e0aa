/**
 * Each command loads its handler's modules only when it runs (issue #14): `--version` alone loads
 * no command tree, `--help` builds the tree alone; `validate` never loads the HTTP client, undici
 * or the emulator; and no command loads ajv's compiler, the validators being prebuilt into
 * dist/validators/ (the bundle does not even carry it). Checked on tsc's output in a fresh process
 * that records every module it loads, and on the bundle, whose loader compiles the chunks (the
 * modules esbuild split at each `import()`) that a command needs when it first needs them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN as BUNDLE } from '../helpers/bin.js';
import { startEmulator } from '../../src/emulator/index.js';
import { testSeed, TOKENS } from '../emulator/helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'dist/cli/main.js');
const RECORDER = join(ROOT, 'test/helpers/record-loads.mjs');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enrichctl-lazy-'));
  await writeFile(join(dir, 'one.yaml'), 'version: 1\ndatastores:\n  - datastore: orders\n    enrichment_datastore: warehouse\n    enrichment_prefix: _orders\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the built binary; resolves with its exit code and the modules it loaded, as paths under the repository. */
function loaded(args: string[], env: Record<string, string> = {}): Promise<{ code: number; modules: string[] }> {
  const record = join(dir, `loads-${args.join('-').replace(/\W+/g, '_')}.txt`);
  return new Promise((done, fail) => {
    execFile(process.execPath, ['--import', RECORDER, BIN, ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', RECORD_LOADS: record, ...env } }, (err) => {
      const code = err ? Number(err.code) : 0;
      readFile(record, 'utf8')
        .then((text) => done({ code, modules: [...new Set(text.split('\n').filter(Boolean).map((m) => (m.startsWith('file://') ? fileURLToPath(m) : m)))].map((m) => m.replace(`${ROOT}/`, '')) }))
        .catch(fail);
    });
  });
}

const matching = (modules: readonly string[], pattern: RegExp): string[] => modules.filter((m) => pattern.test(m));
const UNDICI = /node_modules\/undici\//;
const EMULATOR = /^dist\/emulator\//;
const CLIENT = /^dist\/api\/(?!errors\.js$)/;
const AJV_COMPILER = /node_modules\/ajv\/dist\/(2020|core|ajv)\.js$|node_modules\/ajv\/dist\/compile\//;
const HANDLERS = /^dist\/cli\/commands\/.*-run\.js$/;

describe('modules loaded at start-up', () => {
  it.each([['--version'], ['-V']])('%s alone loads no command tree, only the version', async (flag) => {
    const { code, modules } = await loaded([flag]);
    expect(code).toBe(0);
    expect(modules).toContain('dist/cli/version.js');
    expect(matching(modules, /^dist\/cli\/(program|commands\/)|node_modules\//)).toStrictEqual([]);
  });

  it.each([['--help'], ['plan', '--help'], ['emulator', '--help'], ['--version', 'plan']])('%s %s loads no handler, HTTP client, emulator, ajv, yaml or diff', async (...args) => {
    const { code, modules } = await loaded(args);
    expect(code).toBe(0);
    expect(modules).toContain('dist/cli/commands/plan.js');
    expect(matching(modules, HANDLERS)).toStrictEqual([]);
    expect(matching(modules, UNDICI)).toStrictEqual([]);
    expect(matching(modules, EMULATOR)).toStrictEqual([]);
    expect(matching(modules, CLIENT)).toStrictEqual([]);
    expect(matching(modules, /node_modules\/(ajv|yaml|diff)\//)).toStrictEqual([]);
  });

  it('validate loads its own handler and the prebuilt validator, never the HTTP client, undici, the emulator or ajv\'s compiler', async () => {
    const { code, modules } = await loaded(['validate', 'one.yaml']);
    expect(code).toBe(0);
    expect(matching(modules, HANDLERS)).toStrictEqual(['dist/cli/commands/validate-run.js']);
    expect(modules).toContain('dist/validators/manifest.cjs');
    expect(matching(modules, UNDICI)).toStrictEqual([]);
    expect(matching(modules, EMULATOR)).toStrictEqual([]);
    expect(matching(modules, CLIENT)).toStrictEqual([]);
    expect(matching(modules, AJV_COMPILER)).toStrictEqual([]);
  });

  it('plan without a URL stops before loading undici (it is loaded by the first request)', async () => {
    const { code, modules } = await loaded(['plan', 'one.yaml']);
    expect(code).toBe(1); // no URL configured
    expect(matching(modules, HANDLERS)).toStrictEqual(['dist/cli/commands/plan-run.js']);
    expect(matching(modules, UNDICI)).toStrictEqual([]);
  });

  it('sees what a networked command loads (the recorder works): plan loads undici\'s Pool and request API, not its index; still not ajv\'s compiler', async () => {
    const em = await startEmulator({ seed: testSeed() });
    try {
      const { code, modules } = await loaded(['plan', 'one.yaml'], { QUALYTICS_URL: em.url, QUALYTICS_TOKEN: TOKENS.admin });
      expect(code).toBe(1); // the manifest's datastores are not the seed's
      expect(matching(modules, HANDLERS)).toStrictEqual(['dist/cli/commands/plan-run.js']);
      expect(modules).toContain('node_modules/undici/lib/dispatcher/pool.js');
      expect(modules).toContain('node_modules/undici/lib/api/api-request.js');
      expect(modules).not.toContain('node_modules/undici/index.js');
      expect(matching(modules, AJV_COMPILER)).toStrictEqual([]);
      expect(matching(modules, EMULATOR)).toStrictEqual([]);
    } finally {
      await em.close();
    }
  });
});

/**
 * Runs the bundle with test/helpers/record-chunks.cjs, which records each chunk the loader compiles
 * (scripts/loader.cjs compiles a chunk on its first use, at its own lines): the sources of the
 * chunks compiled, from the map's section at each, are the modules the command could evaluate.
 */
async function compiled(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; sources: string[] }> {
  const record = join(await mkdtemp(join(dir, 'chunks-')), 'lines.txt');
  await writeFile(record, '');
  const code = await new Promise<number>((done) => {
    execFile(process.execPath, ['--require', CHUNK_RECORDER, BUNDLE, ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', RECORD_CHUNKS: record, ...env } }, (err) => done(err ? Number(err.code) : 0));
  });
  const { sections } = JSON.parse(await readFile(`${BUNDLE}.map`, 'utf8')) as { sections: Array<{ offset: { line: number }; map: { sources: string[] } }> };
  const lines = (await readFile(record, 'utf8')).split('\n').filter(Boolean).map(Number);
  const chunks = lines.map((line) => sections.find((s) => s.offset.line === line));
  expect(chunks.every(Boolean), `a compiled script at none of the map's sections: ${lines.join(', ')}`).toBe(true);
  return { code, sources: [...new Set(chunks.flatMap((c) => c!.map.sources.map((s) => s.replace(/^\.\.\//, ''))))] };
}

const CHUNK_RECORDER = join(ROOT, 'test/helpers/record-chunks.cjs');
const B_HANDLERS = /^src\/cli\/commands\/.*-run\.ts$/;
const B_EMULATOR = /^src\/emulator\//;
const B_CLIENT = /^src\/api\/(?!errors\.ts$)/;
const B_UNDICI = /^node_modules\/undici\//;
const B_AJV_COMPILER = /^node_modules\/ajv\/dist\/(2020|core|ajv)\.js$|^node_modules\/ajv\/dist\/compile\//;

describe('chunks compiled in the bundle', () => {
  it('--version compiles no command tree, only the version', async () => {
    const { code, sources } = await compiled(['--version']);
    expect(code).toBe(0);
    expect(sources).toContain('src/cli/version.ts');
    expect(matching(sources, /^src\/cli\/(program|commands\/)|^node_modules\//)).toStrictEqual([]);
  });

  it('--help compiles no handler, HTTP client, emulator, undici, ajv, yaml, diff or validator', async () => {
    const { code, sources } = await compiled(['--help']);
    expect(code).toBe(0);
    expect(sources).toContain('src/cli/program.ts');
    for (const pattern of [B_HANDLERS, B_EMULATOR, B_CLIENT, B_UNDICI, /^node_modules\/(ajv|js-yaml|yaml|diff)\//, /^dist\/validators\//]) expect(matching(sources, pattern)).toStrictEqual([]);
  });

  it('--help loads none of the built-in modules only the handlers need (the bundle requires them on first use, not by top-level imports); a plan loads none that it does not use', async () => {
    const report = 'data:text/javascript,process.on("exit",()=>process.stderr.write(JSON.stringify(process.moduleLoadList)))';
    const builtins = (args: string[], env: NodeJS.ProcessEnv = {}) => new Promise<string[]>((done, fail) => {
      execFile(process.execPath, ['--import', report, BUNDLE, ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, ...env } }, (_err, _stdout, stderr) => {
        try { done((JSON.parse(stderr.slice(stderr.lastIndexOf('["'))) as string[]).filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length))); } catch (e) { fail(e); }
      });
    });
    // node:zlib and node:vm are the loader's own (scripts/loader.cjs): it inflates and compiles the chunks.
    const heavy = ['http', 'readline', 'timers/promises', 'child_process', 'crypto', 'fs/promises', 'internal/fs/promises'];
    expect((await builtins(['--help'])).filter((m) => heavy.includes(m))).toStrictEqual([]);
    // A plan without a URL stops before its first request: it loads no networking either.
    expect((await builtins(['plan', 'one.yaml'])).filter((m) => ['http', 'https', 'tls'].includes(m))).toStrictEqual([]);
    // Required by bundled packages when they load, never used: commander's child_process (executable
    // subcommands) waits for a use, undici's http2 (only with allowH2) is not bundled, undici's assert
    // loads only for a failing assertion, undici's http gives a stand-in its two values (scripts/bundle.mjs).
    // A text plan shows no manifest digest: no node:crypto; the client's clock is not perf_hooks.
    const em = await startEmulator({ seed: testSeed() });
    try {
      const planned = await builtins(['plan', 'one.yaml'], { QUALYTICS_URL: em.url, QUALYTICS_TOKEN: TOKENS.admin });
      expect(planned).toContain('net'); // the check sees them when they load
      expect(planned.filter((m) => ['http', 'http2', 'child_process', 'assert', 'crypto', 'perf_hooks'].includes(m))).toStrictEqual([]);
    } finally {
      await em.close();
    }
  });

  it('validate compiles its handler and the prebuilt validator, never the HTTP client, undici, the emulator or ajv\'s compiler', async () => {
    const { code, sources } = await compiled(['validate', 'one.yaml']);
    expect(code).toBe(0);
    expect(matching(sources, B_HANDLERS)).toStrictEqual(['src/cli/commands/validate-run.ts']);
    expect(sources).toContain('dist/validators/manifest.cjs');
    for (const pattern of [B_EMULATOR, B_CLIENT, B_UNDICI, B_AJV_COMPILER]) expect(matching(sources, pattern)).toStrictEqual([]);
  });

  it('sees what a networked command compiles (the check works): plan compiles undici\'s Pool and request API, not its index; still not ajv\'s compiler', async () => {
    const em = await startEmulator({ seed: testSeed() });
    try {
      const { code, sources } = await compiled(['plan', 'one.yaml'], { QUALYTICS_URL: em.url, QUALYTICS_TOKEN: TOKENS.admin });
      expect(code).toBe(1); // the manifest's datastores are not the seed's
      expect(matching(sources, B_HANDLERS)).toStrictEqual(['src/cli/commands/plan-run.ts']);
      expect(sources).toEqual(expect.arrayContaining(['node_modules/undici/lib/dispatcher/pool.js', 'node_modules/undici/lib/api/api-request.js']));
      expect(sources).not.toContain('node_modules/undici/index.js');
      expect(matching(sources, B_AJV_COMPILER)).toStrictEqual([]);
      expect(matching(sources, B_EMULATOR)).toStrictEqual([]);
    } finally {
      await em.close();
    }
  });
});
