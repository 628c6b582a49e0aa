/**
 * bin/enrichctl.cjs, the one file enrichctl ships as (scripts/bundle.mjs): committed and current,
 * free of this machine's paths, carrying the licences of what it bundles, its program in compressed
 * chunks that the loader (scripts/loader.cjs) compiles on first use, and, with ENRICHCTL_DEBUG,
 * showing an internal error's stack at its place in src/*.ts through the map beside it.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { SourceMap } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { BIN } from '../helpers/bin.js';
import { run as runInProcess } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** What the bundle is made from, besides node_modules (which the lockfile pins). */
const INPUTS = ['src', 'package.json', 'package-lock.json', 'scripts/bundle.mjs', 'scripts/loader.cjs', 'examples/emulator/seed.yaml', 'tsconfig.json'];

interface Section { offset: { line: number }; map: { sources: string[] } }
const mapSections = (): Section[] => (JSON.parse(readFileSync(`${BIN}.map`, 'utf8')) as { sections: Section[] }).sections;
/** Every source the map names: it is an index map, one section per chunk. */
const mapSources = (): string[] => mapSections().flatMap((s) => s.map.sources);

/**
 * The chunks, decoded, and which are stored as they are: in the payload comment (scripts/bundle.mjs),
 * a chunk is either the lines between `name raw` and `name end`, or the line `name base64`.
 */
function stored(text = readFileSync(BIN, 'latin1')): Map<string, { code: string; raw: boolean }> {
  const found = new Map<string, { code: string; raw: boolean }>();
  const lines = text.slice(text.indexOf('\nfunction payload() {/* enrichctl:payload\n')).split('\n').slice(3);
  for (let i = 0; lines[i] !== 'enrichctl:end */}'; i++) {
    const [name, rest] = lines[i]!.split(' ') as [string, string];
    if (rest !== 'raw') {
      found.set(name, { code: brotliDecompressSync(Buffer.from(rest, 'base64')).toString('latin1'), raw: false });
      continue;
    }
    const end = lines.indexOf(`${name} end`, i);
    found.set(name, { code: lines.slice(i + 1, end).join('\n'), raw: true });
    i = end;
  }
  return found;
}
const chunks = (text?: string): Map<string, string> => new Map([...stored(text)].map(([name, c]) => [name, c.code]));
/** The name of the chunk whose map section names `source`. */
function chunkWith(source: string, text = readFileSync(BIN, 'latin1')): string {
  const build = JSON.parse(/^const BUILD = (.*);$/m.exec(text)![1]!) as { lines: Record<string, number> };
  const section = mapSections().find((s) => s.map.sources.includes(source))!;
  return Object.keys(build.lines).find((name) => build.lines[name] === section.offset.line)!;
}

const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

describe('the bundle', () => {
  it('is the committed bin/enrichctl.cjs when its inputs are as committed (CI\'s clean clone always checks)', (ctx) => {
    let changed: string;
    try {
      changed = git('status', '--porcelain', '--', ...INPUTS);
    } catch {
      ctx.skip('not a git work tree: nothing to compare with');
    }
    ctx.skip(changed !== '', `the bundle's inputs differ from HEAD, so the committed bundle may rightly differ:\n${changed}`);
    const committed = git('show', 'HEAD:bin/enrichctl.cjs');
    // Not toBe: a 2.5 MB diff helps nobody. The remedy is in the message.
    expect(readFileSync(BIN, 'utf8') === committed, 'bin/enrichctl.cjs is stale: run `npm run build` and commit bin/enrichctl.cjs').toBe(true);
  });

  it('holds no path of this machine: the same sources and lockfile give the same bytes anywhere', () => {
    for (const file of [BIN, `${BIN}.map`]) expect(readFileSync(file, 'utf8')).not.toContain(ROOT);
    const sources = mapSources();
    expect(sources).toContain('../src/cli/main.ts');
    expect(sources).toContain('../node_modules/undici/lib/dispatcher/pool.js');
    expect(sources).not.toContain('../node_modules/undici/index.js'); // only the parts src/api/dispatcher.ts loads
    // Ours: the validators' require, the lazily required built-ins and the unused ones, esbuild's glue in a chunk.
    const ours = /^enrichctl:(bundled-require|(lazy|unused)-builtin:node:[\w/]+|[\w-]+\.js)$/;
    expect(sources.filter((s) => !(s.startsWith('../src/') || s.startsWith('../node_modules/') || s.startsWith('../dist/validators/') || ours.test(s)))).toStrictEqual([]);
  });

  it('ends with the name, version, licence and licence text of every package it bundles', () => {
    const bundled = new Set(mapSources().flatMap((s) => /^\.\.\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(s)?.[1] ?? []));
    expect([...bundled].sort()).toEqual(expect.arrayContaining(['ajv', 'commander', 'diff', 'undici', 'yaml']));
    const text = readFileSync(BIN, 'utf8');
    const notices = text.slice(text.lastIndexOf('Third-party software bundled in enrichctl.cjs'));
    for (const name of bundled) {
      const pkg = JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8')) as { version: string; license: string };
      expect(notices).toContain(`\n *   ${name} ${pkg.version} (${pkg.license})\n`);
      expect(notices).toContain(`--- ${name} ${pkg.version} (${pkg.license}) ---`);
    }
    expect(notices).toContain('Permission is hereby granted, free of charge'); // MIT's text, not just its name
    expect(text.trimEnd().split('\n').at(-1)).toBe('//# sourceMappingURL=enrichctl.cjs.map');
  });

  it('embeds examples/emulator/seed.yaml as it is, the built-in demo seed (one copy, no hand-kept twin)', () => {
    const seed = readFileSync(`${ROOT}examples/emulator/seed.yaml`, 'utf8');
    // A JSON string, or (minified) a template literal holding the text with its `\`, backticks and `${` escaped.
    const template = `\`${seed.replaceAll('\\', '\\\\').replaceAll('`', '\\`').replaceAll('${', '\\${')}\``;
    expect([...chunks().values()].filter((code) => code.includes(JSON.stringify(seed)) || code.includes(template))).toHaveLength(1);
  });

  it('judges a broken manifest with its prebuilt validators alone, salvaging the valid parts (no schema compiler is bundled)', () => {
    const sources = mapSources();
    expect(sources.filter((s) => /node_modules\/ajv\/dist\/(2020|core|ajv)\.js$|node_modules\/ajv\/dist\/compile\//.test(s))).toStrictEqual([]);
    expect(sources).toEqual(expect.arrayContaining(['../dist/validators/manifest-entry.cjs', '../dist/validators/manifest-rule.cjs', '../dist/validators/manifest-defaults.cjs']));
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-bundle-'));
    try {
      // The unknown key fails the schema; the duplicate is found among the entries salvaged from the broken document.
      writeFileSync(join(dir, 'broken.yaml'), 'version: 1\ndefaults: {enrichment_source_record_limit: 10}\nrules:\n  - match: {name: "o*"}\n    enrichment_prefix: _r\ndatastores:\n  - datastore: orders\n  - datastore: orders\n  - datastore: other\n    enrichment_prefx: _c\n');
      const run = spawnSync(process.execPath, [BIN, 'validate', 'broken.yaml'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, NO_COLOR: '1' } });
      expect(run.stdout).toContain('broken.yaml:8:16: error: datastore "orders" is declared twice; first at broken.yaml:7:16');
      expect(run.stdout).toContain('broken.yaml:10:5: error: unknown key "enrichment_prefx"');
      expect(run.stdout).toContain('2 errors in 1 file');
      expect(run.status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves V8 only the loader to parse at start-up: the program is in chunks inside a comment, each mapped at its own lines', () => {
    const text = readFileSync(BIN, 'latin1');
    const payload = text.indexOf('\nfunction payload() {/* enrichctl:payload\n');
    const code = text.slice(0, text.indexOf('\n/*\n * Third-party software'));
    expect(payload).toBeGreaterThan(code.length);
    expect(code.length).toBeLessThan(16_000); // the loader and its table of chunks: the rest is comments
    const found = stored(text);
    // What --version, --help and validate run is stored as it is; the HTTP client, compressed.
    expect(found.get('main.js')?.raw).toBe(true);
    expect(found.get('validator-manifest.js')?.raw).toBe(true);
    const pool = chunkWith('../node_modules/undici/lib/dispatcher/pool.js', text);
    expect(found.get(pool)?.raw).toBe(false);
    expect(found.get('validator-plan.js')?.raw).toBe(false);
    // Each chunk's section starts where BUILD says the loader compiles it, past the file's last line.
    const build = JSON.parse(/^const BUILD = (.*);$/m.exec(text)![1]!) as { lines: Record<string, number> };
    const sections = mapSections();
    expect(Object.keys(build.lines).sort()).toStrictEqual([...found.keys()].sort());
    expect(sections.map((s) => s.offset.line)).toStrictEqual(Object.values(build.lines).sort((a, b) => a - b));
    expect(Math.min(...sections.map((s) => s.offset.line))).toBeGreaterThanOrEqual(text.split('\n').length); // 0-based: past the last line
    // A place in undici's Pool, in its (minified) chunk, maps back to its line in node_modules/undici.
    const lines = found.get(pool)!.code.split('\n');
    const line = lines.findIndex((l) => l.includes('Symbol("connections")'));
    const map = new SourceMap(JSON.parse(readFileSync(`${BIN}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    // The chunk's first line is its wrapper, on the line before the one BUILD names (0-based, as the map counts).
    const entry = map.findEntry(build.lines[pool]! - 1 + line, lines[line]!.indexOf('Symbol("connections")')) as { originalSource?: string; originalLine?: number };
    expect(entry.originalSource).toMatch(/\/node_modules\/undici\/lib\/dispatcher\/pool\.js$/);
    expect(readFileSync(`${ROOT}node_modules/undici/lib/dispatcher/pool.js`, 'utf8').split('\n')[entry.originalLine!]).toContain("const kConnections = Symbol('connections')");
  });

  it('reads its chunks from what Node read at its start: replaced while a plan waits for its first answer, the file is never read again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-bundle-'));
    // A server that holds its answers until the copy was overwritten; then answers as an empty Qualytics.
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    let first!: () => void;
    const asked = new Promise<void>((resolve) => { first = resolve; });
    const server = createServer((req, res) => {
      first();
      void released.then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ items: [], total: 0, page: 1, size: 100, pages: 0 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const copy = join(dir, 'enrichctl.cjs');
      writeFileSync(copy, readFileSync(BIN));
      writeFileSync(join(dir, 'one.yaml'), 'version: 1\ndatastores:\n  - datastore: orders\n');
      const { port } = server.address() as AddressInfo;
      const child = spawn(process.execPath, [copy, 'plan', 'one.yaml', '--url', `http://127.0.0.1:${port}/api`], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, QUALYTICS_TOKEN: 't', NO_COLOR: '1' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await asked; // the plan has started: its planner, views and reader are not loaded yet
      writeFileSync(copy, '// another build\n');
      release();
      expect(await exited, stderr).toBe(1);
      // It planned to the end, with the parts it loaded after the overwrite: the datastore is not there.
      expect(stderr).toContain('one.yaml:3:16: error: datastore "orders" not found');
      expect(stdout).toBe('');
    } finally {
      release();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs under a preloaded tool that changes what Function.prototype.toString answers: it reads the file again', () => {
    const strip = `data:text/javascript,${encodeURIComponent('const t=Function.prototype.toString;Function.prototype.toString=function(){return t.call(this).replace(/\\/\\*[^]*?\\*\\//g,"")}')}`;
    const run = spawnSync(process.execPath, ['--import', strip, BIN, 'validate', 'one.yaml'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect({ status: run.status, stderr: run.stderr }).toStrictEqual({ status: 1, stderr: '' });
    expect(run.stdout).toContain('one.yaml: error: cannot read');
  });

  it('refuses, in one message, a file whose chunk is missing (damaged), instead of failing inside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-bundle-'));
    try {
      const copy = join(dir, 'enrichctl.cjs');
      const text = readFileSync(BIN, 'latin1');
      const pool = chunkWith('../node_modules/undici/lib/dispatcher/pool.js', text);
      writeFileSync(copy, text.replace(new RegExp(`^${pool.replace('.', '\\.')} `, 'm'), 'damaged '), 'latin1');
      writeFileSync(join(dir, 'one.yaml'), 'version: 1\ndatastores:\n  - datastore: orders\n');
      const run = spawnSync(process.execPath, [copy, 'plan', 'one.yaml', '--url', 'http://127.0.0.1:9/api'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir, QUALYTICS_TOKEN: 't' } });
      expect(run.stderr).toBe(`error: ${copy} is damaged (its part ${pool} is missing): install enrichctl again\n`);
      expect(run.status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the official CLI\'s ~/.qualytics/config.yaml: its URL and token, and an empty one, with the environment\'s', async () => {
    // A package imported with `import()` is a chunk of its own in the bundle: a CommonJS package's
    // named exports were lost there (`yaml`'s `parse`), and every config file was "not valid YAML".
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-bundle-'));
    const em = await startEmulator({ seed: { users: [{ name: 'Ada', role: 'Admin', token: 'config-token' }], datastores: [{ id: 1, name: 'orders' }] } });
    try {
      mkdirSync(join(dir, '.qualytics'));
      writeFileSync(join(dir, 'one.yaml'), 'version: 1\ndatastores:\n  - datastore: orders\n    enrichment_source_record_limit: 77\n');
      const plan = (env: NodeJS.ProcessEnv) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'plan', 'one.yaml'], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', ENRICHCTL_CACHE_DIR: 'off', ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
        child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
      const changes = 'Plan: 1 datastore to change (1 settings update), 0 unchanged.';
      writeFileSync(join(dir, '.qualytics', 'config.yaml'), `url: ${em.url}\ntoken: config-token\nssl_verify: true\n`);
      const fromFile = await plan({});
      expect({ status: fromFile.status, stderr: fromFile.stderr }).toStrictEqual({ status: 0, stderr: '' });
      expect(fromFile.stdout).toContain(changes);
      writeFileSync(join(dir, '.qualytics', 'config.yaml'), '');
      const empty = await plan({ QUALYTICS_URL: em.url, QUALYTICS_TOKEN: 'config-token' });
      expect({ status: empty.status, stderr: empty.stderr }).toStrictEqual({ status: 0, stderr: '' });
      expect(empty.stdout).toContain(changes);
      writeFileSync(join(dir, '.qualytics', 'config.yaml'), 'url: [unclosed\ntoken: config-token\n');
      const broken = await plan({});
      expect({ status: broken.status, stdout: broken.stdout, stderr: broken.stderr }).toStrictEqual({
        status: 1,
        stdout: '',
        stderr: `error: ${join(dir, '.qualytics', 'config.yaml')} is not valid YAML; fix or remove it, or set QUALYTICS_URL and QUALYTICS_TOKEN\n`,
      });
    } finally {
      await em.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses, in one message, a file whose chunk does not inflate or compile, instead of a stack or an "internal error"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-bundle-'));
    try {
      const text = readFileSync(BIN, 'latin1');
      const program = chunkWith('../src/cli/program.ts', text);
      const planRun = chunkWith('../src/cli/commands/plan-run.ts', text);
      expect(stored(text).get(program)!.raw).toBe(true);
      expect(stored(text).get(planRun)!.raw).toBe(false);
      // The same length, so that the loader finds the chunk where the build put it.
      const syntax = text.indexOf('var ', text.indexOf(`\n${program} raw\n`) + program.length + 50);
      const base64 = text.indexOf(`\n${planRun} `) + planRun.length + 2;
      const cases: Array<[string, string[], string]> = [
        [`${text.slice(0, syntax)}va@ ${text.slice(syntax + 4)}`, ['--help'], program],
        [`${text.slice(0, base64)}!!!!${text.slice(base64 + 4)}`, ['plan', 'one.yaml', '--url', 'http://127.0.0.1:9/api'], planRun],
      ];
      writeFileSync(join(dir, 'one.yaml'), 'version: 1\ndatastores:\n  - datastore: orders\n');
      for (const [damaged, args, chunk] of cases) {
        const copy = join(dir, 'enrichctl.cjs');
        writeFileSync(copy, damaged, 'latin1');
        const run = spawnSync(process.execPath, [copy, ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir, QUALYTICS_TOKEN: 't', ENRICHCTL_CACHE_DIR: 'off' } });
        expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toStrictEqual({ status: 1, stdout: '', stderr: `error: ${copy} is damaged (its part ${chunk} cannot be read): install enrichctl again\n` });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs from a checkout that turned its line ends into CRLF (git on Windows): the loader finds its chunks by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-bundle-'));
    try {
      const copy = join(dir, 'enrichctl.cjs');
      writeFileSync(copy, readFileSync(BIN, 'utf8').replaceAll('\n', '\r\n'));
      writeFileSync(join(dir, 'one.yaml'), 'version: 1\ndatastores:\n  - datastore: orders\n');
      const run = spawnSync(process.execPath, [copy, 'validate', 'one.yaml'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir } });
      expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toStrictEqual({ status: 0, stdout: 'valid: 1 datastore in 1 file\n', stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers --version and -V alone before building the command tree, exactly as commander answers them', async () => {
    for (const flag of ['--version', '-V']) {
      const commander = await runInProcess([flag], { cwd: ROOT });
      expect(commander).toStrictEqual({ code: 0, stdout: `${JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).version}\n`, stderr: '' });
      const shipped = spawnSync(process.execPath, [BIN, flag], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH } });
      expect({ code: shipped.status, stdout: shipped.stdout, stderr: shipped.stderr }).toStrictEqual(commander);
    }
  });

  it('with ENRICHCTL_DEBUG, an internal error\'s stack points at src/*.ts lines, through the map', () => {
    // A stdout whose fstat fails (io.ts asks it before the first write) makes `--help` fail inside the program: an internal error.
    const refuse = 'data:text/javascript,import fs from "node:fs";const f=fs.fstatSync;fs.fstatSync=(fd,...r)=>{if(fd===1)throw new TypeError("stdout refused (test)");return f(fd,...r)}';
    const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['--import', refuse, BIN, '--help'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
    const quiet = run({});
    expect(quiet.status).toBe(1);
    expect(quiet.stderr).toContain('error: unexpected internal error: stdout refused (test)');
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    const debug = run({ ENRICHCTL_DEBUG: '1' });
    expect(debug.status).toBe(1);
    const frames = debug.stderr.split('\n').filter((l) => /^\s+at /.test(l));
    // commander's output hooks, as configured in buildProgram, then commander itself: each at its own file.
    const program = frames.find((l) => l.includes('/src/cli/program.ts:'));
    expect(program, debug.stderr).toBeDefined();
    const [, line] = /\/src\/cli\/program\.ts:(\d+):\d+/.exec(program ?? '') ?? [];
    expect(readFileSync(`${ROOT}src/cli/program.ts`, 'utf8').split('\n')[Number(line) - 1]).toContain('io.stdout');
    expect(frames.some((l) => l.includes('/node_modules/commander/lib/command.js:'))).toBe(true);
    expect(frames.some((l) => l.includes('enrichctl.cjs:'))).toBe(false);
  });
});
