'use strict';
/*
 * enrichctl, bundled into this one file by scripts/bundle.mjs; the sources are at src/*.ts. This
 * is the loader; the program follows it in chunks, inside a comment in the function `payload` at the
 * end, where V8 does not parse them: each command compiles only the chunks it runs (the command
 * tree for --help, the reader for validate, the HTTP client for plan), so a start costs little more
 * than Node's own. A chunk is a CommonJS function (esbuild): what --version, --help and validate run
 * is stored as it is, the rest compressed (brotli) and written in base64. The chunks are read from
 * the text Node already read and V8 keeps (`payload.toString()` is a slice of it, no copy), so a
 * file replaced while enrichctl runs is never read from. A chunk is compiled at lines of its own,
 * past the end of this file, where bin/enrichctl.cjs.map (an index map, a section per chunk) finds
 * it, so ENRICHCTL_DEBUG's stacks point at src/ (cli/debug-stack.ts).
 */
// Written by scripts/bundle.mjs: the build's digest, and per chunk its first line and where its text
// is in `payload.toString()`: [offset, length], and 1 for a chunk stored as it is (between the lines
// `name raw` and `name end`), 0 for one compressed (on the line `name base64`).
const BUILD = null;

const { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { isAbsolute, join } = require('node:path');

/** `import.meta` in the chunks (esbuild `define`): the file's URL, made when first read (~2.5 M instructions). */
const meta = {
  get url() {
    return require('node:url').pathToFileURL(__filename).href;
  },
};
const loaded = new Map();
/** The payload's text, as V8 holds it. */
let text;
const cache = codeCache();

/** The chunk `name`'s exports, evaluated on first use. */
function load(name) {
  let module = loaded.get(name);
  if (module) return module.exports;
  const [stored, raw] = chunkText(name);
  module = { exports: {} };
  loaded.set(name, module);
  const { Script } = require('node:vm');
  const file = cache && `${name}${cache.flags}`;
  const cachedData = cache?.read(file);
  let script;
  try {
    // The chunks are ASCII (the build checks), so latin1 decodes them exactly, and fastest.
    const code = raw ? stored : require('node:zlib').brotliDecompressSync(Buffer.from(stored, 'base64')).toString('latin1');
    // The chunk is a function expression, `(function (exports, require, module, __enrichctlMeta) {`
    // on a line of its own, the one before its code's first, then the code, then `})`.
    script = new Script(code, { filename: __filename, lineOffset: BUILD.lines[name] - 1, cachedData });
  } catch {
    // The build compiled every chunk: one that does not inflate or compile is a damaged file.
    damaged(`its part ${name} cannot be read`);
  }
  if (cache && (!cachedData || script.cachedDataRejected)) cache.compiled.push([file, script]);
  script.runInThisContext()(module.exports, chunkRequire, module, meta);
  module.exports = settled(module.exports);
  return module.exports;
}

/**
 * A chunk's exports once it has run, as plain values. esbuild gives a chunk turned into CommonJS
 * live exports: each a getter, behind another getter that marks the object as an ES module, so each
 * use of an imported constant or function in another chunk was two calls, which V8 does not inline
 * in cold code (a profiled validate of 100,000 entries spent ~45 ms of 1.5 s in them, the YAML
 * reader's flags above all; callgrind, plan 2,000 of 2,000: 1,441 -> 1,368 M instructions).
 * Every exported binding is final once its chunk has run:
 * scripts/bundle.mjs fails the build if code inside a function of a chunk may assign one. A chunk
 * required while it runs (an import cycle) was already given its live exports, which stay right.
 */
function settled(live) {
  const plain = {};
  for (const key of Object.keys(live)) plain[key] = live[key];
  if (live.__esModule) Object.defineProperty(plain, '__esModule', { value: true });
  return plain;
}

/**
 * V8's code cache of the chunks, as Node 22's compile cache keeps one for modules: the bytecode of
 * each chunk and of every function of it that ran, written when a command that compiled the chunk
 * exits, read by the next command, which then neither parses nor compiles that code again (a tenth
 * to a fifth of a start). V8 checks each cache against its own version, flags and the code's
 * length and ignores one that does not match; but it keeps the file name and the line a chunk was
 * compiled at as they were when the cache was made (ENRICHCTL_DEBUG's stacks then named another
 * copy's path, or lines of another layout). So the folder is named by this build (whose digest
 * covers each chunk's code and line), the Node version, the architecture and this file's path, and a
 * new build's first run removes the folders of the other builds at this path. A cache is code this
 * process will run: the folder must be the user's own and writable by nobody else, or it is not
 * used, nor is one that cannot be looked at or a relative path. ENRICHCTL_CACHE_DIR moves it
 * (default: $XDG_CACHE_HOME/enrichctl, else ~/.cache/enrichctl);
 * ENRICHCTL_CACHE_DIR=off turns it off. A chunk edited by hand in this file keeps the build's digest,
 * and V8 checks a cache against the code's length only: after such an edit, delete the folder.
 */
function codeCache() {
  const env = process.env;
  if (env.ENRICHCTL_CACHE_DIR === 'off') return undefined;
  // A relative folder would be one per working directory: not used (the XDG spec says so of its own).
  const root = env.ENRICHCTL_CACHE_DIR || (env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, 'enrichctl') : env.HOME ? join(env.HOME, '.cache', 'enrichctl') : undefined);
  if (!root || !isAbsolute(root)) return undefined;
  const place = fnv1a(__filename);
  const folder = `code-${BUILD.digest}-${process.version}-${process.arch}-${place}`;
  const dir = join(root, folder);
  const own = () => {
    let stat;
    try {
      stat = lstatSync(dir, { throwIfNoEntry: false });
    } catch {
      return false; // a path through a file, a folder this user may not search, a name too long: no cache
    }
    return stat?.isDirectory() === true && (process.getuid === undefined || stat.uid === process.getuid()) && (stat.mode & 0o022) === 0;
  };
  let usable;
  const compiled = [];
  const write = () => {
    if (compiled.length === 0) return;
    try {
      const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!own()) return;
      for (const [name, script] of compiled.splice(0)) {
        const temporary = join(dir, `${name}.${process.pid}.tmp`);
        try {
          writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
          renameSync(temporary, join(dir, name));
        } catch {
          rmSync(temporary, { force: true }); // the others are still written
        }
      }
      if (created !== undefined) for (const other of readdirSync(root)) if (other.startsWith('code-') && other.endsWith(`-${place}`) && other !== folder) rmSync(join(root, other), { recursive: true, force: true });
    } catch {
      // A cache that cannot be written (a read-only home, a full disk) only costs the next start its compile.
    }
  };
  process.on('exit', write);
  return {
    compiled,
    /** Appended to a cache's name once the program changed V8's flags: V8 refuses a cache made under other flags. */
    flags: '',
    /** Before the program changes V8's flags: the caches of what was compiled so far are written under the flags they were compiled with. */
    flagsChanging() {
      write();
      this.flags = '.flagged';
    },
    read(name) {
      usable ??= own();
      if (!usable) return undefined;
      try {
        return readFileSync(join(dir, name));
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * The payload's text: V8's own copy (`payload.toString()`), or, when something changed what toString
 * answers (an instrumentation tool preloaded with --require), this file read again, if it is still
 * this build.
 */
function payloadText() {
  const head = 'function payload() {/* enrichctl:payload';
  const own = payload.toString();
  if (own.startsWith(head)) return own;
  const file = readFileSync(__filename, 'latin1');
  const at = file.indexOf(`\n${head}`);
  if (at < 0 || !file.includes(`const BUILD = {"digest":"${BUILD.digest}"`)) {
    process.stderr.write(`error: ${__filename} changed while enrichctl ran (it is not the same build): run the command again\n`);
    process.exit(1);
  }
  return file.slice(at + 1);
}

/** A path's 32-bit FNV-1a hash, in hex: a folder name for it. */
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/**
 * The chunk's text (its code, or its compressed code in base64) and whether it is stored as it is:
 * where the build put it, else (line ends converted by a checkout) found by its name.
 */
function chunkText(name) {
  text ??= payloadText();
  const [offset, length, raw] = BUILD.at[name];
  const head = raw ? `\n${name} raw\n` : `\n${name} `;
  if (text.startsWith(head, offset - head.length) && text.charCodeAt(offset + length) === 10) return [text.slice(offset, offset + length), raw];
  const at = text.indexOf(raw ? `\n${name} raw` : head);
  const start = at < 0 ? -1 : raw ? text.indexOf('\n', at + 1) + 1 : at + head.length;
  const end = at < 0 ? -1 : text.indexOf(raw ? `\n${name} end` : '\n', start);
  if (end < 0) damaged(`its part ${name} is missing`);
  // base64 decoding skips the `\r` of a converted line end, and V8 reads `\r\n` as one line end.
  return [text.slice(start, end), raw];
}

/** Ends the run: this file is not the build it says it is. */
function damaged(what) {
  process.stderr.write(`error: ${__filename} is damaged (${what}): install enrichctl again\n`);
  process.exit(1);
}

/** A chunk's `require`: another chunk (`./name`), or one of Node's built-in modules. */
function chunkRequire(id) {
  if (id.startsWith('./')) return load(id.slice(2));
  return id === 'node:v8' ? v8ForChunks() : require(id);
}

/**
 * node:v8 as the chunks see it. Its `setFlagsFromString` (src/api/dispatcher.ts keeps WebAssembly at
 * V8's baseline compiler, before undici's first connection) tells the code cache first: V8 keys a
 * cache by its flags, so what was compiled before is cached under one name and what is compiled
 * after under another (a command that sends requests loads, after its first, chunks that
 * `validate` loads without).
 */
let v8Seen;
function v8ForChunks() {
  if (!v8Seen) {
    const v8 = require('node:v8');
    v8Seen = Object.assign(Object.create(v8), {
      setFlagsFromString(flags) {
        if (cache && cache.flags === '') cache.flagsChanging();
        v8.setFlagsFromString(flags);
      },
    });
  }
  return v8Seen;
}

load('main.js');
