// Preloaded (--require) into a run of the bundle by test/cli/lazy-loading.test.ts: appends to
// $RECORD_CHUNKS the line at which each script compiled through node:vm starts. The loader
// (scripts/loader.cjs) compiles each chunk, on first use, at lines of its own, where the bundle's
// index map has the chunk's section: the line names the chunk and the map its sources.
const vm = require('node:vm');
const { appendFileSync } = require('node:fs');

const { Script } = vm;
vm.Script = class extends Script {
  constructor(code, options) {
    super(code, options);
    appendFileSync(process.env.RECORD_CHUNKS, `${(options?.lineOffset ?? 0) + 1}\n`);
  }
};
