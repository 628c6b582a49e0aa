/**
 * `ENRICHCTL_DEBUG`'s stack trace, each frame of a file that has a source map beside it (the bundle's
 * bin/enrichctl.cjs.map, an index map with a section per chunk at the lines where the loader compiles
 * it, or tsc's maps in dist/) shown at its place in src/*.ts. Node maps stacks only for code loaded
 * while source maps were enabled (`--enable-source-maps`), and the bundle's chunks are compiled by
 * its own loader, so `process.setSourceMapsEnabled(true)` at the time of the error would not help:
 * this reads the map itself, only when a stack is to be shown.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `file:///x/y.js:12:5` or `/x/y.js:12:5` at the end of a stack frame, after `(` or `at `: the
 * path may hold spaces and brackets (`/home/a b/tools (old)/enrichctl.cjs`).
 */
const LOCATION = /(?<=\(|\bat )(file:\/\/\/.+?|\/.+?):(\d+):(\d+)(?=\)?$)/;

export function originalStack(stack: string): string {
  const maps = new Map<string, SourceMap | undefined>();
  return stack
    .split('\n')
    .map((line) => {
      const found = LOCATION.exec(line);
      if (!found) return line;
      const [whole, where = '', row = '', column = ''] = found;
      const url = where.startsWith('file:') ? where : pathToFileURL(where).href;
      if (!maps.has(url)) maps.set(url, readMap(url));
      const origin = maps.get(url)?.findOrigin(Number(row), Number(column));
      if (!origin || !('fileName' in origin)) return line;
      const source = new URL(origin.fileName, `${url}.map`);
      const shown = where.startsWith('file:') ? source.href : fileURLToPath(source);
      return line.replace(whole, `${shown}:${origin.lineNumber}:${origin.columnNumber}`);
    })
    .join('\n');
}

function readMap(url: string): SourceMap | undefined {
  try {
    return new SourceMap(JSON.parse(readFileSync(new URL(`${url}.map`), 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
  } catch {
    return undefined;
  }
}
