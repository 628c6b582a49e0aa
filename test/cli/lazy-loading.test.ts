/**
 * Each command loads its handler's modules only when it runs (issue #14): `--version` and `--help`
 * build the command tree alone; `validate` never loads the HTTP client, undici or the emulator; and
 * no command loads ajv's compiler, the validators being prebuilt into dist/validators/. Checked on
 * the built binary in a fresh process that records every module it loads.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  it.each([['--version'], ['--help'], ['plan', '--help'], ['emulator', '--help']])('%s %s loads no handler, HTTP client, emulator, ajv, yaml or diff', async (...args) => {
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
