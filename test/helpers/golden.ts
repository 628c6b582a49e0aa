/**
 * Golden files: compared, never written, unless `UPDATE_GOLDEN=1` is set. A missing golden file is
 * a failing test that says how to create it, so `npm test` never writes into the tree.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';

/** `testFile` is the test's own path, for the command the failure message suggests. */
export function expectGolden(path: string, actual: string, testFile: string): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  } else if (!existsSync(path)) {
    throw new Error(`missing golden file ${path}: create it with \`UPDATE_GOLDEN=1 npx vitest run ${testFile}\`, then review and commit it`);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
