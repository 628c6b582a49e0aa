'use strict';
/*
 * enrichctl, bundled into this one file by scripts/bundle.mjs; the sources are at src/*.ts. This
 * is the loader; the program follows it as compressed chunks, one line each, in the comment at the
 * end, where V8 does not parse them: each command compiles only the chunks it runs (the command
 * tree for --help, the reader for validate, the HTTP client for plan), so a start costs little more
 * than Node's own. A chunk is a CommonJS function (esbuild), compressed (brotli) and written in
 * base64; it is compiled at lines of its own, past the end of this file, where bin/enrichctl.cjs.map
 * (an index map, a section per chunk) finds it, so ENRICHCTL_DEBUG's stacks point at src/
 * (cli/debug-stack.ts).
 */
// Written by scripts/bundle.mjs: the build's digest, and per chunk its first line and where its
// line is, counted from the end of the file: [offset, length] of the text after `name digest `.
const BUILD = null;

const { fstatSync, openSync, readFileSync, readSync } = require('node:fs');
const { pathToFileURL } = require('node:url');

const url = pathToFileURL(__filename).href;
// Opened once: a file replaced while enrichctl runs (an upgrade) is not read from.
const fd = openSync(__filename, 'r');
const size = fstatSync(fd).size;
const loaded = new Map();
/** The whole file, read only if a chunk is not where the build put it. */
let whole;

/** The chunk `name`'s exports, evaluated on first use. */
function load(name) {
  let module = loaded.get(name);
  if (module) return module.exports;
  const text = chunkText(name);
  // The chunks are ASCII (the build checks), so latin1 decodes them exactly, and fastest.
  const code = require('node:zlib').brotliDecompressSync(Buffer.from(text, 'base64')).toString('latin1');
  module = { exports: {} };
  loaded.set(name, module);
  const { Script } = require('node:vm');
  // The wrapper has a line of its own, the one before the chunk's first.
  const script = new Script(`(function (exports, require, module, __enrichctlUrl) {\n${code}\n})`, { filename: __filename, lineOffset: BUILD.lines[name] - 1 });
  script.runInThisContext()(module.exports, chunkRequire, module, url);
  return module.exports;
}

/** The chunk's base64 text: read where the build put it, else (line ends converted by a checkout) found. */
function chunkText(name) {
  const head = `\n${name} ${BUILD.digest} `;
  const [offset, length] = BUILD.at[name];
  const bytes = Buffer.allocUnsafe(head.length + length);
  const read = size >= offset + head.length ? readSync(fd, bytes, 0, bytes.length, size - offset - head.length) : 0;
  if (read === bytes.length && bytes.toString('latin1', 0, head.length) === head) return bytes.toString('latin1', head.length);
  whole ??= readFileSync(fd); // from its start: the reads above do not move the file's position
  const at = whole.indexOf(head);
  if (at < 0) {
    process.stderr.write(`error: ${__filename} changed while enrichctl ran (it is not the same build): run the command again\n`);
    process.exit(1);
  }
  // base64 decoding skips the `\r` of a converted line end.
  return whole.toString('latin1', at + head.length, whole.indexOf(10, at + head.length));
}

/** A chunk's `require`: another chunk (`./name`), or one of Node's built-in modules. */
function chunkRequire(id) {
  return id.startsWith('./') ? load(id.slice(2)) : require(id);
}

load('main.js');
