/**
 * Golden files for the text rendering: one folder per case under `golden/`, holding `input.yaml`
 * or an `input/` folder, and `expected.txt`. Only `UPDATE_GOLDEN=1 npx vitest run test/manifest` writes them (a missing one fails).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../src/manifest/load.js';
import { diagnosticsToJson, renderDiagnosticsText, renderSummary } from '../../src/render/diagnostics.js';
import { expectGolden } from '../helpers/golden.js';

const goldenDir = fileURLToPath(new URL('./golden', import.meta.url));
const cases = readdirSync(goldenDir).sort();

function render(caseDir: string, colour: boolean): string {
  const input = existsSync(join(caseDir, 'input')) ? 'input' : 'input.yaml';
  const load = loadManifests([input], caseDir);
  const datastores = load.state?.datastores.length;
  return (
    renderDiagnosticsText(load.diagnostics, { sources: load.sources, colour }) +
    renderSummary(load.diagnostics, { files: load.files.length, ...(datastores === undefined ? {} : { datastores }) })
  );
}

describe('text rendering (golden files)', () => {
  it.each(cases)('%s', (name) => {
    const caseDir = join(goldenDir, name);
    const actual = render(caseDir, false);
    expectGolden(join(caseDir, 'expected.txt'), actual, 'test/manifest/render.test.ts');
  });

  it('colours only when asked', () => {
    const caseDir = join(goldenDir, 'unknown-key');
    expect(render(caseDir, false)).not.toContain('\u001b[');
    expect(render(caseDir, true)).toContain('\u001b[1;31merror:\u001b[0m');
  });
});

describe('JSON rendering', () => {
  it('is a flat array with fixed keys, null positions for whole-file problems', () => {
    const load = loadManifests(['input'], join(goldenDir, 'whole-file-problems'));
    expect(diagnosticsToJson(load.diagnostics)).toStrictEqual([
      {
        severity: 'error',
        file: 'input/broken.yaml',
        line: 3,
        column: 1,
        endLine: 3,
        endColumn: 1, // the end of the file: nothing after it to mark
        message: 'invalid YAML: unexpected end of the stream within a flow collection',
        code: 'yaml-syntax',
        hints: [],
      },
      {
        severity: 'error',
        file: 'input/empty.yaml',
        line: null,
        column: null,
        endLine: null,
        endColumn: null,
        message: 'file is empty: no YAML content',
        code: 'empty-file',
        hints: [],
      },
    ]);
  });
});
