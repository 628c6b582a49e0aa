/**
 * The built-in demo seed `enrichctl emulator` serves without `--seed`: examples/emulator/seed.yaml,
 * the one copy. The bundle embeds its text (scripts/bundle.mjs, esbuild `define`), so an installed
 * or copied enrichctl needs no repository; dist/ and the tests read the file itself.
 */
import { readFileSync } from 'node:fs';

declare const ENRICHCTL_DEMO_SEED: string | undefined;

/** How diagnostics and messages name it. */
export const DEMO_SEED_FILE = 'examples/emulator/seed.yaml';

export function demoSeedText(): string {
  return typeof ENRICHCTL_DEMO_SEED === 'string' ? ENRICHCTL_DEMO_SEED : readFileSync(new URL(`../../${DEMO_SEED_FILE}`, import.meta.url), 'utf8');
}
