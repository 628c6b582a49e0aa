/**
 * The last step of `npm run build` (after tsc and write-validators): bundles enrichctl into one file,
 * bin/enrichctl.mjs, which is the package's `bin`, the Action's program and the file a user may copy.
 * One ES module for Node 20: no code splitting (the commands' handlers, reached by `import()`, stay
 * lazily evaluated parts of the one file; the big packages and the validators stay even unparsed
 * until used, as deferred parts, below), its map beside it (bin/enrichctl.mjs.map, shipped but not
 * committed), and the licences of the bundled packages in its closing comment, so that they travel
 * with any copy. Deterministic: the same sources and lockfile give the same bytes (paths relative
 * to the repository, no dates).
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = 'bin/enrichctl.mjs';
const read = (file) => readFileSync(new URL(file, `file://${ROOT}`), 'utf8');

/**
 * Parts V8 should not parse at start-up: bundled apart, each as one CommonJS function, and written
 * at the end of the file inside a block comment, which scripts/deferred.mjs compiles on first use.
 * Packages list the import specifiers src uses (the build fails on another, and on one src no
 * longer imports); each prebuilt validator is a part of its own (served by bundledRequire()).
 * Pre-parsing them cost every run, `--version` included, ~130 M instructions (~40% of its total
 * without NODE_EXTRA_CA_CERTS); a part compiled on first use costs about what its pre-parse did,
 * plus ~2 M to read it back.
 */
const VALIDATORS = readdirSync(new URL('dist/validators/', `file://${ROOT}`)).filter((f) => f.endsWith('.cjs')).sort();
// undici: only the modules src/api/dispatcher.ts loads (a third of the package, whose index also
// holds fetch, WebSocket, caches and mocks).
const PACKAGES = {
  undici: ['undici/lib/api/api-request.js', 'undici/lib/dispatcher/pool.js', 'undici/lib/dispatcher/proxy-agent.js', 'undici/lib/dispatcher/dispatcher.js', 'undici/lib/api/api-connect.js'],
  'js-yaml': ['js-yaml'],
  yaml: ['yaml'],
  diff: ['diff'],
};
const DEFERRED = { ...PACKAGES, ...Object.fromEntries(VALIDATORS.map((f) => [validatorPart(f), [`./dist/validators/${f}`]])) };
const parts = await Promise.all(Object.entries(DEFERRED).map(([name, ids]) => deferredPart(name, ids)));

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/cli/main.ts'],
  outfile: OUT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none', // the packages' licences are written in full at the end instead
  metafile: true,
  write: false,
  logLevel: 'warning',
  define: {
    ENRICHCTL_VERSION: JSON.stringify(JSON.parse(read('package.json')).version),
    ENRICHCTL_DEMO_SEED: JSON.stringify(read('examples/emulator/seed.yaml')),
    ENRICHCTL_DEFERRED: JSON.stringify(JSON.stringify(Object.fromEntries(parts.map((p) => [p.name, p.digest])))),
  },
  // Bundled CommonJS packages require Node's built-in modules; an ES module has no `require`.
  banner: { js: "import { createRequire as enrichctlRequire } from 'node:module';\nconst require = enrichctlRequire(import.meta.url);" },
  plugins: [bundledRequire(), deferredImports(), lazyBuiltins(), unusedBuiltins()],
});

// The plugins' own checks (onEnd) add errors to the result; esbuild resolves with them all the same.
if (result.errors.length > 0) throw new Error(`bundling failed:\n${result.errors.map((e) => e.text).join('\n')}`);

const notices = thirdPartyNotices([result.metafile.outputs[OUT], ...parts.map((p) => p.output)]);
const program = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
const composed = compose(program.text, JSON.parse(map.text), parts, notices);
const text = composed.code;
if (/[^\x00-\x7f]/.test(text)) throw new Error(`${OUT} must be ASCII (scripts/deferred.mjs decodes it as latin1; V8 scans one-byte text faster)`);
mkdirSync(new URL('bin/', `file://${ROOT}`), { recursive: true });
writeFileSync(program.path, text);
chmodSync(program.path, 0o755);
writeFileSync(map.path, JSON.stringify(composed.map));
chmodSync(map.path, 0o644);

/** One deferred package: its code (one CommonJS function exporting a loader per import specifier), map and digest. */
async function deferredPart(name, ids) {
  const built = await build({
    absWorkingDir: ROOT,
    stdin: { contents: `module.exports = {\n${ids.map((id) => `  ${JSON.stringify(id)}: () => require(${JSON.stringify(id)}),`).join('\n')}\n};\n`, resolveDir: ROOT, sourcefile: `enrichctl:deferred-${name}`, loader: 'js' },
    outfile: `bin/${name}.cjs`,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'external',
    sourcesContent: false,
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'warning',
    plugins: [unusedBuiltins()],
  });
  const file = (end) => built.outputFiles.find((f) => f.path.endsWith(end)).text;
  // esbuild escapes every non-ASCII character but those in comments; these become `?`. Inside the
  // block comment, each `*/` (a comment's end, or in a regular expression) is written `*#`.
  const code = file('.cjs').replace(/[^\x00-\x7f]/g, '?').replace(/\n$/, '');
  if (code.includes('*#')) throw new Error(`${name}'s code holds "*#", which scripts/deferred.mjs would turn into "*/": choose another stand-in`);
  const digest = createHash('sha256').update(code).digest('hex').slice(0, 16);
  return { name, ids, code, digest, map: JSON.parse(file('.map')), output: built.metafile.outputs[`bin/${name}.cjs`] };
}

/** Imports of a deferred package's specifiers, from src, become loads of its part (scripts/deferred.mjs). */
function deferredImports() {
  const served = new Map(Object.entries(PACKAGES).flatMap(([name, ids]) => ids.map((id) => [id, name])));
  const packages = new RegExp(`^(${[...new Set([...served.keys()].map((id) => id.split('/')[0]))].join('|')})(/|$)`);
  const imported = new Set();
  return {
    name: 'deferred-imports',
    setup(b) {
      b.onResolve({ filter: packages }, (args) => {
        if (args.importer.includes('/node_modules/')) return undefined;
        if (!served.has(args.path)) return { errors: [{ text: `${args.path} is deferred but not listed: add it to PACKAGES in scripts/bundle.mjs` }] };
        imported.add(args.path);
        return { path: args.path, namespace: 'enrichctl-deferred' };
      });
      // A listed specifier src no longer imports would still ship its part: dead bytes and a licence.
      b.onEnd((r) => {
        const unused = [...served.keys()].filter((id) => !imported.has(id));
        if (unused.length > 0 && r.errors.length === 0) r.errors.push({ text: `src no longer imports ${unused.join(', ')}: remove it from PACKAGES in scripts/bundle.mjs` });
      });
      b.onResolve({ filter: /^enrichctl:deferred$/ }, () => ({ path: `${ROOT}scripts/deferred.mjs` }));
      b.onLoad({ filter: /.*/, namespace: 'enrichctl-deferred' }, (args) => ({
        resolveDir: ROOT,
        loader: 'js',
        contents: `module.exports = require('enrichctl:deferred').deferred(${JSON.stringify(served.get(args.path))}, ${JSON.stringify(args.path)});\n`,
      }));
    },
  };
}

/**
 * The program, then the deferred parts, each in a block comment opened by a marker naming the part,
 * its digest and the line its code starts at, then the notices as one comment, all before the
 * source map comment (so no mapped line moves); and one source map for all: an index map whose
 * sections are the program's map and each part's, at its lines.
 */
function compose(code, map, deferredParts, notices) {
  const at = code.lastIndexOf('//# sourceMappingURL=');
  if (at < 0) throw new Error('esbuild wrote no source map comment');
  const pieces = [code.slice(0, at)];
  let line = newlines(pieces[0]); // the 0-based line the next piece starts at
  const sections = [{ offset: { line: 0, column: 0 }, map }];
  for (const part of deferredParts) {
    // The explanation, then the marker: the part's code starts two lines down.
    pieces.push(`// ${part.name}, compiled on first use by scripts/deferred.mjs (V8 skips a comment at almost no cost); each "*/" in it is written "*#".\n`,
      `/* enrichctl:deferred ${part.name} ${part.digest} line ${line + 2}\n${part.code.replaceAll('*/', '*#')}\nenrichctl:end ${part.name} */\n`);
    sections.push({ offset: { line: line + 2, column: 0 }, map: part.map });
    line += newlines(part.code) + 4;
  }
  const comment = `/*\n${notices.replaceAll('*/', '* /').split('\n').map((l) => (l ? ` * ${l}` : ' *')).join('\n')}\n */\n`;
  return { code: pieces.join('') + comment + code.slice(at), map: { version: 3, file: basename(OUT), sections } };
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
 * whose `createRequire` serves the validators from their deferred parts, each compiled on first require.
 * ajv's compiler is not bundled: every validator exists here (the build writes them all), and
 * compiling would only add ~270 KB that V8 must scan at every start. Asking for it, or for any
 * other id, fails with an error saying so. The build fails if that import is gone.
 */
function bundledRequire() {
  const importer = 'src/source/schema-diagnostics.ts';
  const served = Object.fromEntries(VALIDATORS.map((f) => [`../validators/${f}`, f]));
  return {
    name: 'bundled-require',
    setup(b) {
      let used = false;
      b.onResolve({ filter: /^node:module$/ }, (args) => {
        if (relative(ROOT, args.importer) !== importer) return undefined;
        used = true;
        return { path: 'bundled-require', namespace: 'enrichctl' };
      });
      b.onLoad({ filter: /.*/, namespace: 'enrichctl' }, () => ({
        resolveDir: ROOT,
        loader: 'js',
        contents: [
          `// ${importer}'s require, served from the bundle (scripts/bundle.mjs).`,
          "import { deferred } from 'enrichctl:deferred';",
          'const modules = {',
          ...Object.entries(served).map(([id, file]) => `  ${JSON.stringify(id)}: () => deferred(${JSON.stringify(validatorPart(file))}, ${JSON.stringify(`./dist/validators/${file}`)}),`),
          '};',
          'export function createRequire() {',
          '  return (id) => {',
          '    const load = modules[id];',
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
 * Node's built-in modules, imported by src, are required when the importing module is first
 * evaluated, not imported by the file: esbuild hoists every `import` of an external module to the
 * top of an ES module, so `--help` would load node:http, node:crypto, node:readline... for the
 * emulator and the client it never runs. Each becomes a CommonJS module of the bundle (evaluated on
 * first require) around the banner's `require`.
 */
function lazyBuiltins() {
  return {
    name: 'lazy-builtins',
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (args) => (args.namespace === 'lazy-builtin' || args.importer.includes('/node_modules/') ? undefined : { path: args.path, namespace: 'lazy-builtin' }));
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({ resolveDir: ROOT, loader: 'js', contents: `module.exports = require(${JSON.stringify(args.path)});\n` }));
    },
  };
}

/**
 * Built-in modules that bundled packages require when they load but that enrichctl never uses
 * there: commander's node:child_process (for executable subcommands, which enrichctl has none of)
 * becomes a stand-in that requires it on first use; undici's node:http2 (HTTP/2, which undici
 * speaks only with `allowH2`, never set) is absent, as on a Node built without it, which undici
 * handles (lib/dispatcher/client-h2.js). Loading them cost every command ~6 ms (child_process) and
 * every plan ~15 ms (http2) before its first request.
 */
function unusedBuiltins() {
  const users = { 'node:child_process': 'commander', 'node:http2': 'undici' };
  return {
    name: 'unused-builtins',
    setup(b) {
      b.onResolve({ filter: /^node:(child_process|http2)$/ }, (args) =>
        (args.importer.includes(`/node_modules/${users[args.path]}/`) ? { path: args.path, namespace: 'unused-builtin' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'unused-builtin' }, (args) => ({
        resolveDir: ROOT,
        loader: 'js',
        contents: args.path === 'node:http2'
          ? "throw new Error('HTTP/2 is not bundled: enrichctl speaks HTTP/1.1');\n"
          : `let m;\nmodule.exports = new Proxy({}, { get: (_, key) => (m ??= require(${JSON.stringify(args.path)}))[key] });\n`,
      }));
    },
  };
}

/** The deferred part that holds a prebuilt validator (dist/validators/<name>.cjs). */
function validatorPart(file) {
  return `validator-${file.replace(/\.cjs$/, '')}`;
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
