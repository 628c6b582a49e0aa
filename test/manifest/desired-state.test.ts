import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../src/manifest/load.js';

function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'enrichctl-state-'));
  writeFileSync(join(dir, 'm.yaml'), text);
  return loadManifests(['m.yaml'], dir);
}

const at = (line: number, column: number, endColumn: number) => ({
  file: 'm.yaml',
  start: { line, column },
  end: { line, column: endColumn },
});

describe('desired state', () => {
  it('takes a link to the enrichment datastore that shares the source\'s name: each side resolves among its own kind', () => {
    const result = load('version: 1\ndatastores:\n  - datastore: Shared Name\n    enrichment_datastore: Shared Name\n');
    expect(result.diagnostics).toStrictEqual([]);
    expect(result.state?.datastores.map((d) => [d.ref, d.link])).toStrictEqual([['Shared Name', { kind: 'ref', ref: 'Shared Name', location: at(4, 27, 38), from: 'entry' }]]);
  });

  it('applies defaults, normalises prefixes, and leaves undeclared keys unmanaged', () => {
    const result = load(
      [
        'version: 1',
        'defaults:',
        '  enrichment_source_record_limit: 10',
        'datastores:',
        '  - datastore: Healthcare Database',
        '    enrichment_datastore: Healthcare Enrichment',
        '    enrichment_prefix: Analytics Bronze',
        '  - datastore: 42',
        '    enrichment_datastore: null',
        '    enrichment_source_record_limit: 5',
        '  - datastore: Untouched',
        '',
      ].join('\n'),
    );
    expect(result.diagnostics.map((d) => d.severity)).toStrictEqual(['note']);
    expect(result.state).toStrictEqual({
      files: ['m.yaml'],
      rules: [],
      datastores: [
        {
          ref: 'Healthcare Database',
          location: at(5, 16, 35),
          link: { kind: 'ref', ref: 'Healthcare Enrichment', location: at(6, 27, 48), from: 'entry' },
          settings: { enrichment_prefix: '_analytics_bronze', enrichment_source_record_limit: 10 },
          origins: {
            enrichment_prefix: { from: 'entry', location: at(7, 24, 40) },
            enrichment_source_record_limit: { from: 'defaults', location: at(3, 35, 37) },
          },
        },
        {
          ref: 42,
          location: at(8, 16, 18),
          link: { kind: 'none', location: at(9, 27, 31), from: 'entry' },
          settings: { enrichment_source_record_limit: 5 },
          origins: { enrichment_source_record_limit: { from: 'entry', location: at(10, 37, 38) } },
        },
        {
          ref: 'Untouched',
          location: at(11, 16, 25),
          link: { kind: 'unmanaged' },
          settings: { enrichment_source_record_limit: 10 },
          origins: { enrichment_source_record_limit: { from: 'defaults', location: at(3, 35, 37) } },
        },
      ],
    });
  });

  it('merges every file and document into one state, in order', () => {
    const result = load('version: 1\ndatastores:\n  - datastore: A\n---\nversion: 1\ndatastores:\n  - datastore: B\n');
    expect(result.state?.datastores.map((d) => d.ref)).toStrictEqual(['A', 'B']);
  });
});

describe('loading without the desired state (validate)', () => {
  it('makes the same checks and counts the datastores', () => {
    const text = ['version: 1', 'defaults:', '  enrichment_remediation_strategy: append', 'datastores:', '  - datastore: A', '    enrichment_datastore: E', '    enrichment_prefix: Mixed Case', '  - datastore: B', '    enrichment_datastore: E', ''].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-state-'));
    writeFileSync(join(dir, 'm.yaml'), text);
    const full = loadManifests(['m.yaml'], dir);
    const checked = loadManifests(['m.yaml'], dir, { state: false });
    expect(checked.diagnostics).toStrictEqual(full.diagnostics);
    expect(checked.diagnostics.map((d) => d.code)).toStrictEqual(['prefix-normalised']);
    expect(checked.state).toBeUndefined();
    expect(checked.declared).toBe(2);
    expect(full.declared).toBe(2);
    expect(full.state?.datastores).toHaveLength(2);

    writeFileSync(join(dir, 'm.yaml'), `${text}  - datastore: A\n  - datastore: B\n    enrichment_datastore: null\n`);
    const broken = loadManifests(['m.yaml'], dir, { state: false });
    expect(broken.diagnostics).toStrictEqual(loadManifests(['m.yaml'], dir).diagnostics);
    expect(broken.diagnostics.map((d) => [d.code, d.start?.line])).toStrictEqual([['prefix-normalised', 7], ['duplicate-datastore', 10], ['duplicate-datastore', 11], ['strategy-needs-link', 12]]);
    expect(broken.declared).toBeUndefined();
  });
});
