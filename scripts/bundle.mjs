/**
 * The last step of `npm run build` (after tsc and write-validators): bundles enrichctl into one file,
 * bin/enrichctl.mjs, which is the package's `bin`, the Action's program and the file a user may copy.
 * One ES module for Node 20: no code splitting (the commands' handlers, reached by `import()`, stay
 * lazily evaluated parts of the one file), its map beside it (bin/enrichctl.mjs.map, shipped but not
 * committed), and the licences of the bundled packages in its closing comment, so that they travel
 * with any copy. Deterministic: the same sources and lockfile give the same bytes (paths relative
 * to the repository, no dates).
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = 'bin/enrichctl.mjs';
const read = (file) => readFileSync(new URL(file, `file://${ROOT}`), 'utf8');

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
  },
  // Bundled CommonJS packages require Node's built-in modules; an ES module has no `require`.
  banner: { js: "import { createRequire as enrichctlRequire } from 'node:module';\nconst require = enrichctlRequire(import.meta.url);" },
  plugins: [bundledRequire()],
});

const notices = thirdPartyNotices(result.metafile.outputs[OUT]);
mkdirSync(new URL('bin/', `file://${ROOT}`), { recursive: true });
for (const file of result.outputFiles) {
  const program = file.path.endsWith('.mjs');
  writeFileSync(file.path, program ? withNotices(file.text, notices) : file.text);
  chmodSync(file.path, program ? 0o755 : 0o644);
}

/**
 * src/source/schema-diagnostics.ts loads the validators generated into dist/validators/ (and, when
 * one is missing, ajv's compiler) with `createRequire(import.meta.url)`, a require esbuild cannot
 * follow and that would look beside bin/. In the bundle its `node:module` is this module instead,
 * whose `createRequire` serves the validators from bundled copies, each evaluated on first require.
 * ajv's compiler is not bundled: every validator exists here (the build writes them all), and
 * compiling would only add ~270 KB that V8 must scan at every start. Asking for it, or for any
 * other id, fails with an error saying so. The build fails if that import is gone.
 */
function bundledRequire() {
  const importer = 'src/source/schema-diagnostics.ts';
  const served = Object.fromEntries(readdirSync(new URL('dist/validators/', `file://${ROOT}`)).sort().map((f) => [`../validators/${f}`, `./dist/validators/${f}`]));
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
          'const modules = {',
          ...Object.entries(served).map(([id, file]) => `  ${JSON.stringify(id)}: () => require(${JSON.stringify(file)}),`),
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

/** Every package with code in the bundle: name, version, licence and the text of its licence file. */
function thirdPartyNotices(output) {
  const folders = new Set();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
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

/** The notices as one comment, before the source map comment (so no mapped line moves). */
function withNotices(code, text) {
  const comment = `/*\n${text.replaceAll('*/', '* /').split('\n').map((l) => (l ? ` * ${l}` : ' *')).join('\n')}\n */\n`;
  const at = code.lastIndexOf('//# sourceMappingURL=');
  if (at < 0) throw new Error('esbuild wrote no source map comment');
  return `${code.slice(0, at)}${comment}${code.slice(at)}`;
}
