/**
 * bin/enrichctl.mjs, the one file enrichctl ships as (scripts/bundle.mjs): committed and current,
 * free of this machine's paths, carrying the licences of what it bundles, and, with ENRICHCTL_DEBUG,
 * showing an internal error's stack at its place in src/*.ts through the map beside it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/bin.js';
import { run as runInProcess } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** What the bundle is made from, besides node_modules (which the lockfile pins). */
const INPUTS = ['src', 'package.json', 'package-lock.json', 'scripts/bundle.mjs', 'scripts/deferred.mjs', 'examples/emulator/seed.yaml', 'tsconfig.json'];

/** Every source the map names: it is an index map, one section for the program and one per deferred part (scripts/deferred.mjs). */
const mapSources = (): string[] => (JSON.parse(readFileSync(`${BIN}.map`, 'utf8')) as { sections: Array<{ map: { sources: string[] } }> }).sections.flatMap((s) => s.map.sources);

const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

describe('the bundle', () => {
  it('is the committed bin/enrichctl.mjs when its inputs are as committed (CI\'s clean clone always checks)', (ctx) => {
    let changed: string;
    try {
      changed = git('status', '--porcelain', '--', ...INPUTS);
    } catch {
      ctx.skip('not a git work tree: nothing to compare with');
    }
    ctx.skip(changed !== '', `the bundle's inputs differ from HEAD, so the committed bundle may rightly differ:\n${changed}`);
    const committed = git('show', 'HEAD:bin/enrichctl.mjs');
    // Not toBe: a 2.5 MB diff helps nobody. The remedy is in the message.
    expect(readFileSync(BIN, 'utf8') === committed, 'bin/enrichctl.mjs is stale: run `npm run build` and commit bin/enrichctl.mjs').toBe(true);
  });

  it('holds no path of this machine: the same sources and lockfile give the same bytes anywhere', () => {
    for (const file of [BIN, `${BIN}.map`]) expect(readFileSync(file, 'utf8')).not.toContain(ROOT);
    const sources = mapSources();
    expect(sources).toContain('../src/cli/main.ts');
    expect(sources).toContain('../node_modules/undici/lib/dispatcher/pool.js');
    expect(sources).not.toContain('../node_modules/undici/index.js'); // only the parts src/api/dispatcher.ts loads
    // Ours: the validators' require, the loader of deferred parts, each part's entry and its stand-in in the program, the lazily required built-ins and the unused ones.
    const ours = /^(enrichctl:bundled-require|\.\.\/scripts\/deferred\.mjs|\.\.\/enrichctl:deferred-[\w-]+|enrichctl-deferred:[\w./-]+|(lazy|unused)-builtin:node:[\w/]+)$/;
    expect(sources.filter((s) => !(s.startsWith('../src/') || s.startsWith('../node_modules/') || s.startsWith('../dist/validators/') || ours.test(s)))).toStrictEqual([]);
  });

  it('ends with the name, version, licence and licence text of every package it bundles', () => {
    const bundled = new Set(mapSources().flatMap((s) => /^\.\.\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(s)?.[1] ?? []));
    expect([...bundled].sort()).toEqual(expect.arrayContaining(['ajv', 'commander', 'diff', 'undici', 'yaml']));
    const text = readFileSync(BIN, 'utf8');
    const notices = text.slice(text.lastIndexOf('Third-party software bundled in enrichctl.mjs'));
    for (const name of bundled) {
      const pkg = JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8')) as { version: string; license: string };
      expect(notices).toContain(`\n *   ${name} ${pkg.version} (${pkg.license})\n`);
      expect(notices).toContain(`--- ${name} ${pkg.version} (${pkg.license}) ---`);
    }
    expect(notices).toContain('Permission is hereby granted, free of charge'); // MIT's text, not just its name
    expect(text.trimEnd().split('\n').at(-1)).toBe('//# sourceMappingURL=enrichctl.mjs.map');
  });

  it('embeds examples/emulator/seed.yaml as it is, the built-in demo seed (one copy, no hand-kept twin)', () => {
    const seed = readFileSync(`${ROOT}examples/emulator/seed.yaml`, 'utf8');
    expect(readFileSync(BIN, 'utf8')).toContain(JSON.stringify(seed));
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

  it('keeps undici in a comment V8 skips at start-up, its lines mapped to node_modules/undici like the rest', () => {
    const lines = readFileSync(BIN, 'utf8').split('\n');
    const marker = lines.findIndex((l) => l.startsWith('/* enrichctl:deferred undici '));
    expect(marker).toBeGreaterThan(0);
    expect(lines[marker]).toMatch(new RegExp(` line ${marker + 1}$`)); // its code starts on the next line (0-based), as scripts/deferred.mjs compiles it
    const end = lines.indexOf('enrichctl:end undici */', marker);
    expect(lines.slice(marker + 1, end).some((l) => l.includes('*/'))).toBe(false);
    const pool = lines.findIndex((l, i) => i > marker && l.includes('"node_modules/undici/lib/dispatcher/pool.js"(exports'));
    expect(pool).toBeGreaterThan(marker);
    expect(pool).toBeLessThan(end);
    const map = new SourceMap(JSON.parse(readFileSync(`${BIN}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    const line = lines.findIndex((l, i) => i > pool && /^\s+var kConnections = /.test(l));
    const entry = map.findEntry(line, lines[line]!.indexOf('var')) as { originalSource?: string; originalLine?: number };
    expect(entry.originalSource).toMatch(/\/node_modules\/undici\/lib\/dispatcher\/pool\.js$/);
    expect(readFileSync(`${ROOT}node_modules/undici/lib/dispatcher/pool.js`, 'utf8').split('\n')[entry.originalLine!]).toContain("const kConnections = Symbol('connections')");
  });

  it('refuses, in one message, to run a deferred part of another build (the file replaced while it ran)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-bundle-'));
    try {
      const copy = join(dir, 'enrichctl.mjs');
      writeFileSync(copy, readFileSync(BIN, 'utf8').replace(/^(\/\* enrichctl:deferred undici )[0-9a-f]+/m, '$10000000000000000'));
      writeFileSync(join(dir, 'one.yaml'), 'version: 1\ndatastores:\n  - datastore: orders\n');
      const run = spawnSync(process.execPath, [copy, 'plan', 'one.yaml', '--url', 'http://127.0.0.1:9/api'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir, QUALYTICS_TOKEN: 't' } });
      expect(run.stderr).toBe(`error: ${copy} changed while enrichctl ran (its undici part is not this build's): run the command again\n`);
      expect(run.status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs from a checkout that turned its line ends into CRLF (git on Windows), deferred parts included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-bundle-'));
    try {
      const copy = join(dir, 'enrichctl.mjs');
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
    expect(frames.some((l) => l.includes('enrichctl.mjs:'))).toBe(false);
  });
});
