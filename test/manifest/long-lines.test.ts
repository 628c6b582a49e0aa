/** Excerpts of very long lines: a window around the column with `…` marks, the caret still in place. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/core/diagnostics.js';
import { loadManifests } from '../../src/manifest/load.js';
import { MAX_EXCERPT, renderDiagnosticsText } from '../../src/render/diagnostics.js';

/** The excerpt line and the caret line of the first diagnostic, without their `N |` gutters. */
function shown(text: string, diagnostic: Diagnostic): { line: string; caret: string } {
  const out = renderDiagnosticsText([diagnostic], { sources: new Map([[diagnostic.file, text]]), colour: false }).split('\n');
  const strip = (s: string | undefined): string => (s ?? '').replace(/^\s*\d* \| /, '');
  return { line: strip(out[1]), caret: strip(out[2]) };
}

/** The character above the caret's `^`. */
const underCaret = (s: { line: string; caret: string }): string => s.line[s.caret.indexOf('^')] ?? '';

const at = (column: number, endColumn: number): Diagnostic => ({
  severity: 'error', file: 'm.yaml', start: { line: 1, column }, end: { line: 1, column: endColumn }, message: 'here', code: 'test',
});

describe('long source lines', () => {
  // 0123456789 repeated, with a marker character at known columns.
  const line = Array.from({ length: 10_000 }, (_, i) => String(i % 10)).join('');
  const marked = (column: number): string => `${line.slice(0, column - 1)}X${line.slice(column)}`;

  it.each([
    ['the middle', 5_000, true, true],
    ['the start', 3, false, true],
    ['the end', 9_998, true, false],
  ] as const)('at %s: a window with cut marks, the caret under the right character', (_, column, cutBefore, cutAfter) => {
    const s = shown(marked(column), at(column, column + 1));
    expect(s.line.length).toBeLessThanOrEqual(MAX_EXCERPT + 2);
    expect(s.line.startsWith('…')).toBe(cutBefore);
    expect(s.line.endsWith('…')).toBe(cutAfter);
    expect(underCaret(s)).toBe('X');
    expect(s.caret.trim()).toBe('^');
  });

  it('a range running past the window is underlined to the window only', () => {
    const s = shown(marked(5_000), at(5_000, 9_000));
    expect(underCaret(s)).toBe('X');
    expect(s.caret.length).toBeLessThanOrEqual(s.line.length);
  });

  it('short lines are shown whole, as before', () => {
    const s = shown('version: 1', at(10, 11));
    expect(s).toStrictEqual({ line: 'version: 1', caret: '         ^' });
  });

  it('a real diagnostic on a 20,000-character line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-long-'));
    writeFileSync(join(dir, 'm.yaml'), `version: 1\ndatastores:\n  - {datastore: A, enrichment_prefix: _a, note${'y'.repeat(20_000)}: 1, unknwn: 1}\n`);
    const load = loadManifests(['m.yaml'], dir);
    const unknown = load.diagnostics.find((d) => d.message === 'unknown key "unknwn"');
    expect(unknown).toBeDefined();
    const out = renderDiagnosticsText([unknown!], { sources: load.sources, colour: false }).split('\n');
    expect(out.every((l) => l.length < MAX_EXCERPT + 10)).toBe(true);
    const line = (out[1] ?? '').replace(/^\d+ \| /, '');
    const caret = (out[2] ?? '').replace(/^\s+\| /, '');
    expect(line.startsWith('…')).toBe(true);
    expect(line.slice(caret.indexOf('^'), caret.indexOf('^') + 6)).toBe('unknwn');
    expect(caret.trim()).toBe('^~~~~~');
  });
});
