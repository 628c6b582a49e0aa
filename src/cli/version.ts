import { readFileSync } from 'node:fs';

/** Set by scripts/bundle.mjs (esbuild `define`) in bin/enrichctl.cjs, which has no package.json beside it. */
declare const ENRICHCTL_VERSION: string | undefined;

/** The package version: the bundle's, else read once from package.json next to dist/ (or src/ under vitest). */
export const VERSION: string = typeof ENRICHCTL_VERSION === 'string'
  ? ENRICHCTL_VERSION
  : (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
