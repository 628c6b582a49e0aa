/**
 * The program as it ships: the bundle `npm run build` writes (npm test builds first). Every test that
 * spawns enrichctl runs this file; test/cli/lazy-loading.test.ts also looks at tsc's dist/ output.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/enrichctl.cjs', import.meta.url));

if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (npm test builds first)`);
