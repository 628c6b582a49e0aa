/**
 * The bundle's code cache (scripts/loader.cjs): V8's bytecode of each chunk a command compiled,
 * written when it exits and read by the next command, in a folder of the user's own named by the
 * build, the Node version and the architecture. A cache V8 does not accept is replaced; a folder
 * others may write to is not used; ENRICHCTL_CACHE_DIR=off turns it off.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/bin.js';
import { workspace } from '../helpers/cli.js';
import { startEmulator } from '../../src/emulator/index.js';
import { testSeed, TOKENS } from '../emulator/helpers.js';

const DIGEST = /^const BUILD = \{"digest":"([0-9a-f]{16})"/m.exec(readFileSync(BIN, 'latin1'))![1]!;
const FOLDER = `code-${DIGEST}-${process.version}-${process.arch}`;

let dir: string;
beforeEach(async () => {
  dir = await workspace({ 'one.yaml': 'version: 1\ndatastores:\n  - datastore: orders\n    enrichment_prefix: _orders\n' });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function enrichctl(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', ...env } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
const validate = (env: NodeJS.ProcessEnv) => enrichctl(['validate', 'one.yaml'], env);
const VALID = { status: 0, stdout: 'valid: 1 datastore in 1 file\n', stderr: '' };
/** Each cache file's name -> its modification time and size. */
const files = (folder: string): Record<string, string> =>
  Object.fromEntries(readdirSync(folder).map((f) => [f, `${statSync(join(folder, f)).mtimeMs} ${statSync(join(folder, f)).size}`]));

describe('the code cache', () => {
  it('is written by the first run, in ~/.cache/enrichctl, private, and read (not rewritten) by the next', () => {
    expect(validate({})).toStrictEqual(VALID);
    const folder = join(dir, '.cache', 'enrichctl', FOLDER);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const written = files(folder);
    expect(Object.keys(written)).toContain('main.js');
    for (const f of Object.keys(written)) expect(statSync(join(folder, f)).mode & 0o777).toBe(0o600);
    expect(validate({})).toStrictEqual(VALID);
    expect(files(folder)).toStrictEqual(written); // every cache was accepted: none written again
  });

  it('follows XDG_CACHE_HOME, then ENRICHCTL_CACHE_DIR; "off" writes nothing', () => {
    expect(validate({ XDG_CACHE_HOME: join(dir, 'xdg') })).toStrictEqual(VALID);
    expect(existsSync(join(dir, 'xdg', 'enrichctl', FOLDER, 'main.js'))).toBe(true);
    expect(validate({ XDG_CACHE_HOME: join(dir, 'xdg'), ENRICHCTL_CACHE_DIR: join(dir, 'mine') })).toStrictEqual(VALID);
    expect(existsSync(join(dir, 'mine', FOLDER, 'main.js'))).toBe(true);
    rmSync(join(dir, '.cache'), { recursive: true, force: true });
    expect(validate({ ENRICHCTL_CACHE_DIR: 'off' })).toStrictEqual(VALID);
    expect(existsSync(join(dir, '.cache'))).toBe(false);
  });

  it('replaces a cache V8 refuses (damaged, or another build\'s), and the command is unaffected', () => {
    expect(validate({})).toStrictEqual(VALID);
    const folder = join(dir, '.cache', 'enrichctl', FOLDER);
    const damaged = Buffer.from('not a code cache');
    for (const f of readdirSync(folder)) writeFileSync(join(folder, f), damaged);
    expect(validate({})).toStrictEqual(VALID);
    for (const f of readdirSync(folder)) expect(readFileSync(join(folder, f)).equals(damaged), f).toBe(false);
  });

  it('is not used in a folder others may write to', () => {
    const folder = join(dir, 'shared', FOLDER);
    mkdirSync(folder, { recursive: true });
    chmodSync(folder, 0o777);
    expect(validate({ ENRICHCTL_CACHE_DIR: join(dir, 'shared') })).toStrictEqual(VALID);
    expect(readdirSync(folder)).toStrictEqual([]);
  });

  it('keeps apart what a command compiles after changing V8\'s flags (a plan, before its first connection): validate and plan in turn rewrite nothing', async () => {
    const em = await startEmulator({ seed: testSeed() });
    try {
      // spawnSync would block the emulator's event loop: the plan runs through a promise.
      const plan = () => new Promise<void>((done, fail) => {
        execFile(process.execPath, [BIN, 'plan', 'one.yaml'], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, QUALYTICS_URL: em.url, QUALYTICS_TOKEN: TOKENS.admin } }, (err) => (err && err.code !== 1 ? fail(err) : done()));
      });
      expect(validate({})).toStrictEqual(VALID);
      await plan();
      const folder = join(dir, '.cache', 'enrichctl', FOLDER);
      const written = files(folder);
      expect(Object.keys(written).filter((f) => f.endsWith('.flagged')).length).toBeGreaterThan(0);
      expect(validate({})).toStrictEqual(VALID);
      await plan();
      expect(files(folder)).toStrictEqual(written);
    } finally {
      await em.close();
    }
  });

  it('removes the caches of other builds when a new build first writes its own', () => {
    const root = join(dir, 'c');
    mkdirSync(join(root, 'code-0000000000000000-v20.0.0-x64'), { recursive: true });
    writeFileSync(join(root, 'code-0000000000000000-v20.0.0-x64', 'main.js'), 'old');
    writeFileSync(join(root, 'notes.txt'), 'not ours');
    expect(validate({ ENRICHCTL_CACHE_DIR: root })).toStrictEqual(VALID);
    expect(readdirSync(root).sort()).toStrictEqual([FOLDER, 'notes.txt']);
  });
});
