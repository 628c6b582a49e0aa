/**
 * The bundle's code cache (scripts/loader.cjs): V8's bytecode of each chunk a command compiled,
 * written when it exits and read by the next command, in a folder of the user's own named by the
 * build, the Node version and the architecture. A cache V8 does not accept is replaced; a folder
 * others may write to is not used; ENRICHCTL_CACHE_DIR=off turns it off.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/bin.js';
import { workspace } from '../helpers/cli.js';
import { startEmulator } from '../../src/emulator/index.js';
import { testSeed, TOKENS } from '../emulator/helpers.js';

const DIGEST = /^const BUILD = \{"digest":"([0-9a-f]{16})"/m.exec(readFileSync(BIN, 'latin1'))![1]!;
/** The build's cache folder in `root`, the one there: named by the build, Node, the architecture and a hash of the file's path. */
function folderIn(root: string): string {
  const ours = readdirSync(root).filter((f) => f.startsWith(`code-${DIGEST}-${process.version}-${process.arch}-`));
  expect(ours).toHaveLength(1);
  expect(ours[0]).toMatch(/-[0-9a-f]{8}$/);
  return join(root, ours[0]!);
}

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
    const folder = folderIn(join(dir, '.cache', 'enrichctl'));
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const written = files(folder);
    expect(Object.keys(written)).toContain('main.js');
    for (const f of Object.keys(written)) expect(statSync(join(folder, f)).mode & 0o777).toBe(0o600);
    expect(validate({})).toStrictEqual(VALID);
    expect(files(folder)).toStrictEqual(written); // every cache was accepted: none written again
  });

  it('follows XDG_CACHE_HOME, then ENRICHCTL_CACHE_DIR; "off" writes nothing', () => {
    expect(validate({ XDG_CACHE_HOME: join(dir, 'xdg') })).toStrictEqual(VALID);
    expect(existsSync(join(folderIn(join(dir, 'xdg', 'enrichctl')), 'main.js'))).toBe(true);
    expect(validate({ XDG_CACHE_HOME: join(dir, 'xdg'), ENRICHCTL_CACHE_DIR: join(dir, 'mine') })).toStrictEqual(VALID);
    expect(existsSync(join(folderIn(join(dir, 'mine')), 'main.js'))).toBe(true);
    rmSync(join(dir, '.cache'), { recursive: true, force: true });
    expect(validate({ ENRICHCTL_CACHE_DIR: 'off' })).toStrictEqual(VALID);
    expect(existsSync(join(dir, '.cache'))).toBe(false);
  });

  it('replaces a cache V8 refuses (damaged, or another build\'s), and the command is unaffected', () => {
    expect(validate({})).toStrictEqual(VALID);
    const folder = folderIn(join(dir, '.cache', 'enrichctl'));
    const damaged = Buffer.from('not a code cache');
    for (const f of readdirSync(folder)) writeFileSync(join(folder, f), damaged);
    expect(validate({})).toStrictEqual(VALID);
    for (const f of readdirSync(folder)) expect(readFileSync(join(folder, f)).equals(damaged), f).toBe(false);
  });

  it('is not used, and the command unaffected, where its folder cannot be looked at or is relative', () => {
    writeFileSync(join(dir, 'a-file'), '');
    // lstat through a file (ENOTDIR) and with a name too long (ENAMETOOLONG) threw out of the loader: a stack, exit 1, even for --version.
    for (const env of [{ XDG_CACHE_HOME: join(dir, 'a-file') }, { HOME: join(dir, 'a-file') }, { ENRICHCTL_CACHE_DIR: join(dir, 'a-file') }, { ENRICHCTL_CACHE_DIR: join(dir, 'x'.repeat(300)) }]) {
      expect(enrichctl(['--version'], env), JSON.stringify(env)).toStrictEqual({ status: 0, stdout: '0.1.0\n', stderr: '' });
      expect(validate(env), JSON.stringify(env)).toStrictEqual(VALID);
    }
    // A relative folder would be one per working directory (the XDG spec ignores a relative XDG_CACHE_HOME).
    for (const env of [{ XDG_CACHE_HOME: 'relative' }, { ENRICHCTL_CACHE_DIR: 'OFF' }]) expect(validate(env)).toStrictEqual(VALID);
    expect(existsSync(join(dir, 'relative'))).toBe(false);
    expect(existsSync(join(dir, 'OFF'))).toBe(false);
    expect(existsSync(join(dir, '.cache'))).toBe(false);
  });

  it('writes the caches it can when one cannot be written, and leaves no temporary file', () => {
    expect(validate({ ENRICHCTL_CACHE_DIR: join(dir, 'first') })).toStrictEqual(VALID);
    const names = readdirSync(folderIn(join(dir, 'first')));
    const folder = join(dir, 'second', basename(folderIn(join(dir, 'first'))));
    mkdirSync(join(folder, 'main.js'), { recursive: true, mode: 0o700 });
    chmodSync(join(dir, 'second'), 0o700);
    chmodSync(folder, 0o700);
    expect(validate({ ENRICHCTL_CACHE_DIR: join(dir, 'second') })).toStrictEqual(VALID);
    expect(readdirSync(folder).sort()).toStrictEqual([...names].sort());
    expect(statSync(join(folder, 'main.js')).isDirectory()).toBe(true);
  });

  it('is not used in a folder others may write to', () => {
    expect(validate({ ENRICHCTL_CACHE_DIR: join(dir, 'first') })).toStrictEqual(VALID);
    const folder = join(dir, 'shared', basename(folderIn(join(dir, 'first'))));
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
      const folder = folderIn(join(dir, '.cache', 'enrichctl'));
      const written = files(folder);
      expect(Object.keys(written).filter((f) => f.endsWith('.flagged')).length).toBeGreaterThan(0);
      expect(validate({})).toStrictEqual(VALID);
      await plan();
      expect(files(folder)).toStrictEqual(written);
    } finally {
      await em.close();
    }
  });

  it('removes the caches of other builds at its path when a new build first writes its own, not those of other copies', () => {
    expect(validate({ ENRICHCTL_CACHE_DIR: join(dir, 'first') })).toStrictEqual(VALID);
    const place = folderIn(join(dir, 'first')).slice(-8);
    const root = join(dir, 'c');
    for (const old of [`code-0000000000000000-v20.0.0-x64-${place}`, 'code-0000000000000000-v20.0.0-x64-ffffffff']) {
      mkdirSync(join(root, old), { recursive: true });
      writeFileSync(join(root, old, 'main.js'), 'old');
    }
    writeFileSync(join(root, 'notes.txt'), 'not ours');
    expect(validate({ ENRICHCTL_CACHE_DIR: root })).toStrictEqual(VALID);
    expect(readdirSync(root).sort()).toStrictEqual([basename(folderIn(root)), 'code-0000000000000000-v20.0.0-x64-ffffffff', 'notes.txt'].sort());
  });

  it('keeps a copy of the file elsewhere apart: V8 keeps the path a cache was made at, and ENRICHCTL_DEBUG\'s stacks name the copy\'s own (a path with spaces and brackets too)', () => {
    const root = join(dir, 'shared');
    const copy = join(dir, 'else where (copy)', 'bin', 'enrichctl.cjs');
    mkdirSync(join(dir, 'else where (copy)', 'bin'), { recursive: true });
    writeFileSync(copy, readFileSync(BIN));
    writeFileSync(`${copy}.map`, readFileSync(`${BIN}.map`));
    // An internal error in --help (stdout's fstat fails), with the stack shown through the map beside each file.
    const refuse = 'data:text/javascript,import fs from "node:fs";const f=fs.fstatSync;fs.fstatSync=(fd,...r)=>{if(fd===1)throw new TypeError("refused (test)");return f(fd,...r)}';
    const help = (file: string) => spawnSync(process.execPath, ['--import', refuse, file, '--help'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir, ENRICHCTL_CACHE_DIR: root, ENRICHCTL_DEBUG: '1' } }).stderr;
    expect(help(BIN)).toContain(`${dirname(dirname(BIN))}/src/cli/io.ts:`);
    expect(help(copy)).toContain(`${join(dir, 'else where (copy)')}/src/cli/io.ts:`);
    expect(readdirSync(root).filter((f) => f.startsWith('code-'))).toHaveLength(2);
  });
});
