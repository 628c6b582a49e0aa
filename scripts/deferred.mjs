/**
 * Bundled into bin/enrichctl.mjs by scripts/bundle.mjs, which keeps some packages (undici) out of
 * the code V8 parses at start-up: each is written near the end of the file inside a block comment,
 * which V8 skips almost for free, where parsing the code would cost every run, `--version`
 * included, about a fifth of its time. The first import of such a package reads its part back
 * from this same file, turns each `*#` back into the comment end it stands for, and compiles it
 * with the line number it has in the file, so stack traces and the source map still point at the
 * file (and through the map at node_modules/).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { compileFunction } from 'node:vm';
import { UserError } from '../src/cli/errors.ts';

/** Each deferred part's name -> the digest of its code, set by scripts/bundle.mjs (esbuild `define`). */
const DIGESTS = JSON.parse(ENRICHCTL_DEFERRED);

const evaluated = new Map();
/** The file, read once when the first part is needed (a run needs a few: a validator, yaml, undici). */
let bytes;

/** What the part `name` exports under `id` (an import specifier), the part evaluated on first use. */
export function deferred(name, id) {
  let exports = evaluated.get(name);
  if (!exports) {
    exports = evaluate(name);
    evaluated.set(name, exports);
  }
  return exports[id]();
}

function evaluate(name) {
  const file = fileURLToPath(import.meta.url);
  bytes ??= readFileSync(file);
  // The digest in the marker ties the part to this build: a file replaced while enrichctl ran
  // (an upgrade) has another, and mixing two builds' code is refused rather than attempted.
  const marker = '\n/* enrichctl:deferred ' + name + ' ' + DIGESTS[name] + ' line ';
  const start = bytes.indexOf(marker);
  const end = bytes.indexOf('\nenrichctl:end ' + name + ' */', start); // \n or \r\n (a checkout may convert)
  if (start < 0 || end < 0) throw new UserError(`${file} changed while enrichctl ran (its ${name} part is not this build's): run the command again`);
  const body = bytes.indexOf(10, start + 1) + 1;
  const line = Number(bytes.toString('latin1', start + marker.length, body - 1));
  // The file is ASCII (the build checks), so latin1 decodes it exactly, and faster than utf8.
  const code = bytes.toString('latin1', body, end).replaceAll('*#', '*/');
  const module = { exports: {} };
  compileFunction(code, ['exports', 'require', 'module'], { filename: import.meta.url, lineOffset: line })(module.exports, createRequire(import.meta.url), module);
  return module.exports;
}
