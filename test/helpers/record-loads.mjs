// `node --import ./record-loads.mjs ...`: writes every module the process loaded, one a line, to the
// file $RECORD_LOADS when it exits: ES modules (and packages imported as ES modules) by a loader hook
// (node:module register), modules loaded by require() from the require cache.
import { appendFileSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.RECORD_LOADS;
if (!file) throw new Error('record-loads.mjs needs RECORD_LOADS, the file to write to');
writeFileSync(file, '');
const hooks = `import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function load(url, context, next) { appendFileSync(file, url + '\\n'); return next(url, context); }`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { file } });
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => appendFileSync(file, Object.keys(cache).map((p) => `${p}\n`).join('')));
