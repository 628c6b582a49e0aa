/**
 * bin/enrichctl.cjs, the one file enrichctl ships as (scripts/bundle.mjs): committed and current,
 * free of this machine's paths, carrying the licences of what it bundles, its program in compressed
 * chunks that the loader (scripts/loader.cjs) compiles on first use, and, with ENRICHCTL_DEBUG,
 * showing an internal error's stack at its place in src/*.ts through the map beside it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/bin.js';
import { run as runInProcess } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** What the bundle is made from, besides node_modules (which the lockfile pins). */
const INPUTS = ['src', 'package.json', 'package-lock.json', 'scripts/bundle.mjs', 'scripts/loader.cjs', 'examples/emulator/seed.yaml', 'tsconfig.json'];

interface Section { offset: { line: number }; map: { sources: string[] } }
const mapSections = (): Section[] => (JSON.parse(readFileSync(`${BIN}.map`, 'utf8')) as { sections: Section[] }).sections;
/** Every source the map names: it is an index map, one section per chunk. */
const mapSources = (): string[] => mapSections().flatMap((s) => s.map.sources);

/** The chunks, decoded: each a line `name digest base64` of the payload comment (scripts/bundle.mjs). */
function chunks(text = readFileSync(BIN, 'latin1')): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, name, code] of text.matchAll(/^([\w-]+\.js) [0-9a-f]{16} ([A-Za-z0-9+/=]+)$/gm)) found.set(name!, brotliDecompressSync(Buffer.from(code!, 'base64')).toString('latin1'));
  return found;
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
    const seed = JSON.stringify(readFileSync(`${ROOT}examples/emulator/seed.yaml`, 'utf8'));
    expect([...chunks().values()].filter((code) => code.includes(seed))).toHaveLength(1);
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

  it('leaves V8 only the loader to parse at start-up: the program is in compressed chunks, each mapped at its own lines', () => {
    const text = readFileSync(BIN, 'latin1');
    const payload = text.indexOf('\n/* enrichctl:payload\n');
    const code = text.slice(0, text.indexOf('\n/*\n * Third-party software'));
    expect(payload).toBeGreaterThan(code.length);
    expect(code.length).toBeLessThan(16_000); // the loader and its table of chunks: the rest is comments
    const found = chunks(text);
    expect([...found.keys()]).toContain('main.js');
    // Each chunk's section starts where BUILD says the loader compiles it, past the file's last line.
    const build = JSON.parse(/^const BUILD = (.*);$/m.exec(text)![1]!) as { lines: Record<string, number> };
    const sections = mapSections();
    expect(Object.keys(build.lines).sort()).toStrictEqual([...found.keys()].sort());
    expect(sections.map((s) => s.offset.line)).toStrictEqual(Object.values(build.lines).sort((a, b) => a - b));
    expect(Math.min(...sections.map((s) => s.offset.line))).toBeGreaterThanOrEqual(text.split('\n').length); // 0-based: past the last line
    // A line of undici's Pool, in its chunk, maps back to node_modules/undici.
    const [name, pool] = [...found].find(([, c]) => c.includes('"node_modules/undici/lib/dispatcher/pool.js"(exports'))!;
    const lines = pool.split('\n');
    const line = lines.findIndex((l) => /^\s+var kConnections = /.test(l));
    const map = new SourceMap(JSON.parse(readFileSync(`${BIN}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    // The chunk's first line is its wrapper, on the line before the one BUILD names (0-based, as the map counts).
    const entry = map.findEntry(build.lines[name]! - 1 + line, lines[line]!.indexOf('var')) as { originalSource?: string; originalLine?: number };
    expect(entry.originalSource).toMatch(/\/node_modules\/undici\/lib\/dispatcher\/pool\.js$/);
    expect(readFileSync(`${ROOT}node_modules/undici/lib/dispatcher/pool.js`, 'utf8').split('\n')[entry.originalLine!]).toContain("const kConnections = Symbol('connections')");
  });

  it('refuses, in one message, to run a chunk of another build (the file replaced while it ran)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-bundle-'));
    try {
      const copy = join(dir, 'enrichctl.cjs');
      // The chunk with undici's Pool, which a plan compiles only for its first request, says another build.
      const text = readFileSync(BIN, 'latin1');
      const [pool] = [...chunks(text)].find(([, c]) => c.includes('"node_modules/undici/lib/dispatcher/pool.js"(exports'))!;
      writeFileSync(copy, text.replace(new RegExp(`^(${pool.replace('.', '\\.')}) [0-9a-f]{16} `, 'm'), '$1 0000000000000000 '), 'latin1');
      writeFileSync(join(dir, 'one.yaml'), 'version: 1\ndatastores:\n  - datastore: orders\n');
      const run = spawnSync(process.execPath, [copy, 'plan', 'one.yaml', '--url', 'http://127.0.0.1:9/api'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir, QUALYTICS_TOKEN: 't' } });
      expect(run.stderr).toBe(`error: ${copy} changed while enrichctl ran (it is not the same build): run the command again\n`);
      expect(run.status).toBe(1);
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
    // A stdout that refuses to write makes `--help` fail inside the program: an internal error.
    const refuse = 'data:text/javascript,const w=process.stdout.write.bind(process.stdout);process.stdout.write=(s,...r)=>{if(s)throw new TypeError("stdout refused (test)");return w(s,...r)}';
    const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['--import', refuse, BIN, '--help'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
    const quiet = run({});
    expect(quiet.status).toBe(1);
    expect(quiet.stderr).toContain('error: unexpected internal error: stdout refused (test)');
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    const debug = run({ ENRICHCTL_DEBUG: '1' });
    expect(debug.status).toBe(1);
    const frames = debug.stderr.split('\n').filter((l) => /^\s+at /.test(l));
    // commander's writeOut, as configured in buildProgram, then commander itself: each at its own file.
    const program = frames.find((l) => l.includes('/src/cli/program.ts:'));
    expect(program, debug.stderr).toBeDefined();
    const [, line] = /\/src\/cli\/program\.ts:(\d+):\d+/.exec(program ?? '') ?? [];
    expect(readFileSync(`${ROOT}src/cli/program.ts`, 'utf8').split('\n')[Number(line) - 1]).toContain('io.stdout.write');
    expect(frames.some((l) => l.includes('/node_modules/commander/lib/command.js:'))).toBe(true);
    expect(frames.some((l) => l.includes('enrichctl.cjs:'))).toBe(false);
  });
});
