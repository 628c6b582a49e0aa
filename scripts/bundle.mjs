/**
 * The last step of `npm run build` (after tsc and write-validators): bundles enrichctl into one file,
 * bin/enrichctl.cjs, which is the package's `bin`, the Action's program and the file a user may copy.
 * A CommonJS file for Node 20 (Node starts one faster than an ES module): a small loader,
 * scripts/loader.cjs, then the program in minified chunks inside a comment, which V8 skips at a
 * fraction of the cost of parsing them (what the start-up commands run as it is, the rest
 * compressed); the loader compiles the chunks a command runs when it first needs them. Its map
 * beside it (bin/enrichctl.cjs.map, shipped but not committed), and the licences of the bundled
 * packages in its closing comment, so that they travel with any copy. Deterministic:
 * the same sources, lockfile and Node give the same bytes (paths relative to the repository, no dates).
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
import { build } from 'esbuild';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = 'bin/enrichctl.cjs';
const read = (file) => readFileSync(new URL(file, `file://${ROOT}`), 'utf8');

/** Each prebuilt validator is an entry point of its own: a chunk compiled only when required. */
const VALIDATORS = readdirSync(new URL('dist/validators/', `file://${ROOT}`)).filter((f) => f.endsWith('.cjs')).sort();
const DEFINE = {
  ENRICHCTL_VERSION: JSON.stringify(JSON.parse(read('package.json')).version),
  ENRICHCTL_DEMO_SEED: JSON.stringify(read('examples/emulator/seed.yaml')),
  // A chunk is a function; the loader passes it an `import.meta` whose `url` is the file's.
  'import.meta.url': '__enrichctlMeta.url',
};

// Two passes, in a scratch folder inside the repository (so the maps' paths stay relative): esbuild
// splits the program into ES module chunks at each `import()` and at each validator, then turns each
// chunk into a CommonJS function, whose imports of other chunks are the loader's `require` (the
// second pass reads the first one's maps, so the maps still point at src/).
const SCRATCH = fileURLToPath(new URL('.bundle/', `file://${ROOT}`));
rmSync(SCRATCH, { recursive: true, force: true });
const split = await build({
  absWorkingDir: ROOT,
  entryPoints: { main: 'src/cli/main.ts', ...Object.fromEntries(VALIDATORS.map((f) => [validatorChunk(f).replace(/\.js$/, ''), `dist/validators/${f}`])) },
  outdir: `${SCRATCH}esm`,
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none', // the packages' licences are written in full at the end instead
  metafile: true,
  logLevel: 'warning',
  define: DEFINE,
  plugins: [bundledRequire(), lazyBuiltins(), unusedBuiltins()],
});
// The plugins' own checks (onEnd) add errors to the result; esbuild resolves with them all the same.
if (split.errors.length > 0) throw new Error(`bundling failed:\n${split.errors.map((e) => e.text).join('\n')}`);
const esmChunks = Object.keys(split.metafile.outputs).filter((f) => f.endsWith('.js'));
checkExportsSettle(esmChunks);
const uncompressed = startUpChunks(split.metafile.outputs);
// Without a package.json of its own, the chunks would be "type": "module" (the repository's): in that
// mode esbuild makes `import()`'s default the whole of a CommonJS module, not what the chunk exports.
writeFileSync(`${SCRATCH}esm/package.json`, '{}\n');
const converted = await build({
  absWorkingDir: `${SCRATCH}esm`,
  entryPoints: esmChunks.map((f) => basename(f)),
  outdir: `${SCRATCH}cjs`,
  bundle: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  supported: { 'dynamic-import': false }, // `import()` of a chunk becomes the loader's `require`
  // Smaller chunks: less for V8 to scan (those stored as they are) and to inflate. callgrind, code
  // cache warm: --version 116-120 -> 110 M instructions, --help 145 -> 133 M (whitespace and syntax
  // only: no difference). Names become short: src never reads a function's or a class's name, and
  // commander's errors, which take their class's, are turned into messages by cli/program.ts.
  minify: true,
  sourcemap: 'external',
  sourcesContent: false,
  legalComments: 'none',
  write: false,
  logLevel: 'warning',
});
rmSync(SCRATCH, { recursive: true, force: true });

const chunks = converted.outputFiles.filter((f) => f.path.endsWith('.js')).map((f) => {
  const name = basename(f.path);
  // The entry's `#!` line would be a syntax error inside the chunk's function: it becomes empty.
  // esbuild escapes every non-ASCII character but those in comments; these become `?` (the loader
  // decodes chunks as latin1).
  const code = f.text.replace(/^#![^\n]*/, '').replace(/[^\x00-\x7f]/g, '?');
  // Wrapped here, not by the loader: concatenating at run time would copy every chunk's text once more.
  const wrapped = `(function (exports, require, module, __enrichctlMeta) {\n${code}\n})`;
  const map = JSON.parse(converted.outputFiles.find((m) => m.path === `${f.path}.map`).text);
  // Sources relative to bin/, where the map is; esbuild's own (the glue it writes, the plugins'
  // modules) by name: `enrichctl:<chunk>.js`, `enrichctl:lazy-builtin:node:fs`.
  map.sources = map.sources.map((s) => {
    const full = resolve(dirname(f.path), s);
    if (!full.startsWith(SCRATCH)) return relative(`${ROOT}bin`, full);
    const own = full.slice(SCRATCH.length).replace(/^(esm|cjs)\//, '');
    return own.startsWith('enrichctl:') ? own : `enrichctl:${own}`;
  });
  return { name, code: wrapped, map, raw: uncompressed.has(name) && !wrapped.includes('*/') };
}).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
if (!chunks.some((c) => c.name === 'main.js')) throw new Error('esbuild wrote no main.js chunk');

const notices = thirdPartyNotices(Object.values(split.metafile.outputs));
const composed = compose(read('scripts/loader.cjs'), chunks, notices);
mkdirSync(new URL('bin/', `file://${ROOT}`), { recursive: true });
writeFileSync(`${ROOT}${OUT}`, composed.code);
chmodSync(`${ROOT}${OUT}`, 0o755);
writeFileSync(`${ROOT}${OUT}.map`, JSON.stringify(composed.map));
chmodSync(`${ROOT}${OUT}.map`, 0o644);

/**
 * The file: the loader (with its BUILD), the notices as one comment, the function `payload` whose
 * body is one comment holding the chunks (`name raw`, its code, `name end`; or `name base64`), and the
 * source map comment. Each chunk is compiled at lines past the end of the file, so none shares a line
 * with another; the map is an index map with a section per chunk at its lines.
 */
function compose(loader, chunks, notices) {
  const records = chunks.map((c) => (c.raw
    ? `${c.name} raw\n${c.code}\n${c.name} end`
    : `${c.name} ${brotliCompressSync(c.code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: c.code.length } }).toString('base64')}`));
  // The loader reads the chunks from `payload.toString()`: this function's text, from `function`.
  const payload = [
    'function payload() {/* enrichctl:payload',
    '   The program, in chunks that the loader (above) compiles on first use: what --version, --help and validate run as it is, the rest compressed (brotli), in base64.',
    ...records,
    'enrichctl:end */}',
  ].join('\n');
  const tail = `/*\n${notices.replaceAll('*/', '* /').split('\n').map((l) => (l ? ` * ${l}` : ' *')).join('\n')}\n */\n${payload}\n//# sourceMappingURL=${basename(OUT)}.map\n`;
  const placeholder = 'const BUILD = null;';
  if (!loader.includes(placeholder)) throw new Error(`scripts/loader.cjs lost its "${placeholder}"`);
  // BUILD is one line whatever it holds, so the file's line count is known before it is filled in.
  let line = newlines(`#!/usr/bin/env node\n${loader}${tail}`) + 1;
  const build = { digest: '', lines: {}, at: {} };
  const sections = [];
  // The digest names the build's code cache folder: it covers what V8 keeps in a cache, each chunk's
  // code and the line it is compiled at (scripts/loader.cjs).
  const hash = createHash('sha256');
  for (const c of chunks) {
    hash.update(`${c.name}\n${line}\n${c.code}\n`);
    build.lines[c.name] = line;
    sections.push({ offset: { line, column: 0 }, map: c.map });
    line += newlines(c.code) + 1; // the wrapper opens on the line before `line`: the next chunk starts past this one's `})`
    const head = c.raw ? `\n${c.name} raw\n` : `\n${c.name} `;
    const at = payload.indexOf(head) + head.length;
    build.at[c.name] = [at, c.raw ? c.code.length : payload.indexOf('\n', at) - at, c.raw ? 1 : 0];
  }
  build.digest = hash.digest('hex').slice(0, 16);
  const code = `#!/usr/bin/env node\n${loader.replace(placeholder, `const BUILD = ${JSON.stringify(build)};`)}${tail}`;
  if (/[^\x00-\x7f]/.test(code)) throw new Error(`${OUT} must be ASCII`);
  return { code, map: { version: 3, file: basename(OUT), sections } };
}

function newlines(text) {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * src/source/schema-diagnostics.ts loads the validators generated into dist/validators/ (and, when
 * one is missing, ajv's compiler) with `createRequire(import.meta.url)`, a require esbuild cannot
 * follow and that would look beside bin/. In the bundle its `node:module` is this module instead,
 * whose `createRequire` serves each validator from its own chunk, compiled on first require.
 * ajv's compiler is not bundled: every validator exists here (the build writes them all), and
 * compiling would only add ~270 KB to the file. Asking for it, or for any other id, fails with an
 * error saying so. The build fails if that import is gone.
 */
function bundledRequire() {
  const importer = 'src/source/schema-diagnostics.ts';
  return {
    name: 'bundled-require',
    setup(b) {
      let used = false;
      b.onResolve({ filter: /^node:module$/ }, (args) => {
        if (relative(ROOT, args.importer) !== importer) return undefined;
        used = true;
        return { path: 'bundled-require', namespace: 'enrichctl' };
      });
      // A validator's chunk, required at run time through the loader (scripts/loader.cjs).
      b.onResolve({ filter: /^\.\/validator-[\w-]+\.js$/, namespace: 'enrichctl' }, (args) => ({ path: args.path, external: true }));
      b.onLoad({ filter: /.*/, namespace: 'enrichctl' }, () => ({
        resolveDir: ROOT,
        loader: 'js',
        contents: [
          `// ${importer}'s require, served from the bundle (scripts/bundle.mjs).`,
          'const modules = {',
          ...VALIDATORS.map((f) => `  ${JSON.stringify(`../validators/${f}`)}: () => require(${JSON.stringify(`./${validatorChunk(f)}`)}).default,`),
          '};',
          'export function createRequire() {',
          '  return (id) => {',
          "    const load = modules[id];",
          "    if (load) return load();",
          "    throw Object.assign(new Error(`${id} is not in this bundle: it carries the validators generated at build time and no schema compiler (scripts/bundle.mjs)`), { code: 'MODULE_NOT_FOUND' });",
          '  };',
          '}',
        ].join('\n'),
      }));
      b.onEnd((r) => {
        if (!used && r.errors.length === 0) r.errors.push({ text: `${importer} no longer imports node:module: update bundledRequire() in scripts/bundle.mjs` });
      });
    },
  };
}

/**
 * Node's built-in modules, imported by src, are required when first used, not when the importing
 * chunk loads: esbuild evaluates a chunk's imports when the chunk loads, so `validate` would load
 * node:crypto and node:fs/promises (~10 ms) for a file writer it never calls. Each becomes a
 * CommonJS module of getters, one per export of the module (listed at build time: the same Node
 * major runs the build and the bundle), that require it on first read. Not those Node loads before
 * any program runs (`process.moduleLoadList` of an empty .cjs on Node 20): requiring them is free,
 * and each file that imports a module of getters copies them all (esbuild's `__toESM`), which for
 * node:fs's hundred was ~150 KB of a validate's allocations, with its scavenge.
 */
function lazyBuiltins() {
  const PRELOADED = new Set(['node:buffer', 'node:events', 'node:fs', 'node:path', 'node:url', 'node:util']);
  return {
    name: 'lazy-builtins',
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (args) => (args.namespace === 'lazy-builtin' || args.importer.includes('/node_modules/') || PRELOADED.has(args.path) ? undefined : { path: args.path, namespace: 'lazy-builtin' }));
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => ({
        resolveDir: ROOT,
        loader: 'js',
        contents: [
          'let m;',
          `const load = () => (m ??= require(${JSON.stringify(args.path)}));`,
          'module.exports = {',
          ...Object.keys(await import(args.path)).filter((k) => k !== 'default').sort().map((k) => `  get ${JSON.stringify(k)}() { return load()[${JSON.stringify(k)}]; },`),
          '};',
        ].join('\n'),
      }));
    },
  };
}

/**
 * Built-in modules that bundled packages require when they load but that enrichctl never uses
 * there, or uses only when something goes wrong; each costs a plan's start before its first request:
 *   node:child_process, commander's (for executable subcommands, which enrichctl has none of): a
 *     stand-in that requires it on first use (~6 ms, every command);
 *   node:http2, undici's (HTTP/2, which undici speaks only with `allowH2`, never set): absent, as on
 *     a Node built without it, which undici handles (lib/dispatcher/client-h2.js) (~15 ms);
 *   node:assert, undici's (it only calls `assert(value)`, a hundred times): a stand-in that returns
 *     when the value is truthy and hands a failing one to node:assert, which throws its own
 *     AssertionError; any other use (`assert.ok`...) goes to node:assert (~8 M instructions).
 *   node:http, undici's (its client reads `maxHeaderSize` when it loads, the default of a Client
 *     given none, and its `destroy` tells Node's IncomingMessage apart, a body enrichctl never
 *     sends): a stand-in with Node's documented default and a class nothing is an instance of;
 *     anything else goes to node:http. enrichctl gives the Pool its header cap itself
 *     (api/dispatcher.ts). Node's _http_agent, _http_client and the rest: ~2.5 ms of every start
 *     that sends a request, before the first one.
 */
function unusedBuiltins() {
  const users = { 'node:child_process': 'commander', 'node:http2': 'undici', 'node:assert': 'undici', 'node:http': 'undici' };
  const standIns = {
    'node:http2': "throw new Error('HTTP/2 is not bundled: enrichctl speaks HTTP/1.1');\n",
    'node:child_process': "let m;\nmodule.exports = new Proxy({}, { get: (_, key) => (m ??= require('node:child_process'))[key] });\n",
    'node:assert': [
      "let m;",
      "const load = () => (m ??= require('node:assert'));",
      "function assert(value, message) {",
      "  if (!value) load()(value, message);",
      "}",
      "module.exports = new Proxy(assert, { get: (target, key) => (key in target ? target[key] : load()[key]) });",
      '',
    ].join('\n'),
    'node:http': [
      "let m;",
      "const own = { maxHeaderSize: 16384, IncomingMessage: class IncomingMessage {} };",
      "module.exports = new Proxy(own, { get: (target, key) => (key in target ? target[key] : (m ??= require('node:http'))[key]) });",
      '',
    ].join('\n'),
  };
  return {
    name: 'unused-builtins',
    setup(b) {
      b.onResolve({ filter: /^node:(child_process|http2|assert|http)$/ }, (args) =>
        (args.importer.includes(`/node_modules/${users[args.path]}/`) ? { path: args.path, namespace: 'unused-builtin' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'unused-builtin' }, (args) => ({ resolveDir: ROOT, loader: 'js', contents: standIns[args.path] }));
    },
  };
}

/**
 * The chunks stored as they are, not compressed: what `--version`, `--help` and `validate` run (the
 * static imports of the entry, of the command tree, of validate's handler and of the manifest's
 * validator). A compressed chunk costs the command that runs it node:zlib (~1 ms once stdout's
 * streams are loaded, 3.4 ms before) and a decompression (~0.07 ms each, plus the bytes); one stored
 * as it is costs every command V8's scan of its bytes (~1 M instructions per 100 KB, measured on a
 * comment of 1 and 2 MB). validate of one entry ran 30 chunks: 11.5 ms of its ~45 went to decompressing
 * them. The rest (the HTTP client, the planner, the emulator, the other validators) stays compressed.
 * A chunk that holds a comment's end (`*\/`) cannot sit in the comment as it is: it is compressed.
 */
function startUpChunks(outputs) {
  const roots = [/^main\.js$/, /^version-/, /^program-/, /^validate-run-/, /^validator-manifest\.js$/];
  const imports = new Map(Object.entries(outputs).map(([file, o]) => [basename(file), o.imports.filter((i) => i.kind === 'import-statement').map((i) => basename(i.path))]));
  const found = new Set();
  const visit = (name) => {
    if (found.has(name)) return;
    found.add(name);
    for (const next of imports.get(name) ?? []) visit(next);
  };
  for (const name of imports.keys()) if (roots.some((r) => r.test(name))) visit(name);
  for (const r of roots) if (![...found].some((name) => r.test(name))) throw new Error(`no chunk matches ${r}: update startUpChunks() in scripts/bundle.mjs`);
  return found;
}

/**
 * The loader reads a chunk's exports once the chunk has run (scripts/loader.cjs, `settled`): a
 * binding a chunk exports must not change after that. This fails the build when one may: when code
 * inside a function assigns it (`x = `, `x += `, `++x`, `x--`, `[x] = `, `({ x } = `, `for (x of`),
 * found by TypeScript's checker, which tells the exported binding from a local of the same name.
 * Assignments at a chunk's top level run before the chunk has, and are fine (a TypeScript
 * namespace's `(N || (N = {}))`). The sources export no `let`, and the bundled packages are CommonJS
 * modules or export constants, so it finds nothing today.
 */
function checkExportsSettle(files) {
  const program = ts.createProgram(files, { allowJs: true, noResolve: true, noLib: true, types: [] });
  const checker = program.getTypeChecker();
  for (const file of files) {
    const source = program.getSourceFile(file);
    const exported = new Set();
    for (const statement of source.statements) {
      if (!ts.isExportDeclaration(statement) || statement.moduleSpecifier || !statement.exportClause || !ts.isNamedExports(statement.exportClause)) continue;
      for (const specifier of statement.exportClause.elements) exported.add(checker.getExportSpecifierLocalTargetSymbol(specifier));
    }
    if (exported.size === 0) continue;
    const check = (name, symbol, within) => {
      if (!within || !exported.has(symbol)) return;
      const { line } = source.getLineAndCharacterOfPosition(name.getStart(source));
      throw new Error(`${basename(file)}:${line + 1} assigns its export ${name.text} inside a function: scripts/loader.cjs reads a chunk's exports once, when it has run`);
    };
    const assigned = (target, within) => {
      if (ts.isParenthesizedExpression(target)) return assigned(target.expression, within);
      if (ts.isIdentifier(target)) {
        check(target, checker.getSymbolAtLocation(target), within);
      } else if (ts.isArrayLiteralExpression(target)) {
        for (const element of target.elements) assigned(ts.isSpreadElement(element) ? element.expression : element, within);
      } else if (ts.isObjectLiteralExpression(target)) {
        for (const property of target.properties) {
          if (ts.isShorthandPropertyAssignment(property)) check(property.name, checker.getShorthandAssignmentValueSymbol(property), within);
          else if (ts.isPropertyAssignment(property)) assigned(property.initializer, within);
          else if (ts.isSpreadAssignment(property)) assigned(property.expression, within);
        }
      } else if (ts.isBinaryExpression(target) && target.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        assigned(target.left, within); // a default in a pattern: `[x = 1] = ...`
      }
    };
    const visit = (node, within) => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) assigned(node.left, within);
      else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) assigned(node.operand, within);
      else if ((ts.isForOfStatement(node) || ts.isForInStatement(node)) && !ts.isVariableDeclarationList(node.initializer)) assigned(node.initializer, within);
      ts.forEachChild(node, (child) => visit(child, within || ts.isFunctionLike(node)));
    };
    visit(source, false);
  }
}

/** The chunk that holds a prebuilt validator (dist/validators/<name>.cjs). */
function validatorChunk(file) {
  return `validator-${file.replace(/\.cjs$/, '.js')}`;
}

/** Every package with code in the bundle: name, version, licence and the text of its licence file. */
function thirdPartyNotices(outputs) {
  const folders = new Set();
  for (const [input, { bytesInOutput }] of outputs.flatMap((output) => Object.entries(output.inputs))) {
    const folder = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
    if (folder && bytesInOutput > 0) folders.add(folder);
  }
  const entries = [...folders].map((folder) => {
    const pkg = JSON.parse(read(`${folder}/package.json`));
    const licenceFile = readdirSync(new URL(`${folder}/`, `file://${ROOT}`)).sort().find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    if (!licenceFile) throw new Error(`${folder} has no licence file to bundle with it`);
    return { name: pkg.name, version: pkg.version, license: pkg.license, text: read(`${folder}/${licenceFile}`).trim() };
  });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [
    `Third-party software bundled in ${basename(OUT)}, each under its own licence:`,
    ...entries.map((e) => `  ${e.name} ${e.version} (${e.license})`),
    ...entries.flatMap((e) => ['', `--- ${e.name} ${e.version} (${e.license}) ---`, '', e.text]),
  ].join('\n');
}
