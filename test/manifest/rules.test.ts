/** Rules as `validate` reads them: the desired rules of a valid file (the bad ones are in the corpus). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../src/manifest/load.js';

function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'enrichctl-rules-'));
  writeFileSync(join(dir, 'm.yaml'), text);
  return loadManifests(['m.yaml'], dir);
}

const at = (line: number, column: number, endLine: number, endColumn: number) => ({ file: 'm.yaml', start: { line, column }, end: { line: endLine, column: endColumn } });

describe('rules in manifests', () => {
  it('a file of rules only: criteria as lists, the prefix kept as a template, the document defaults attached', () => {
    const result = load([
      'version: 1',
      'defaults:',
      '  enrichment_source_record_limit: 10',
      'rules:',
      '  - match:',
      '      name: "Sales *"',
      '      tag: [pii, gdpr, pii]',
      '      type: snowflake',
      '    enrichment_datastore: PII Enrichment',
      '    enrichment_prefix: "PII {name} {id}"',
      '',
    ].join('\n'));
    expect(result.diagnostics).toStrictEqual([]);
    const defaults = { settings: { enrichment_source_record_limit: 10 }, origins: { enrichment_source_record_limit: { from: 'defaults', location: at(3, 35, 3, 37) } } };
    expect(result.state).toStrictEqual({
      files: ['m.yaml'],
      datastores: [],
      rules: [{
        match: { names: ['Sales *'], tags: ['pii', 'gdpr'], types: ['snowflake'] },
        location: at(5, 5, 5, 10),
        link: { kind: 'ref', ref: 'PII Enrichment', location: at(9, 27, 9, 41), from: 'rule' },
        own: { settings: { enrichment_prefix: 'PII {name} {id}' }, origins: { enrichment_prefix: { from: 'rule', location: at(10, 24, 10, 41) } } },
        defaults,
      }],
    });
  });

  it('entries and rules in one file; a rule prefix without placeholders gets the normalisation note', () => {
    const result = load([
      'version: 1',
      'datastores:',
      '  - datastore: A',
      'rules:',
      '  - match: { tag: pii }',
      '    enrichment_prefix: PII Data',
      '',
    ].join('\n'));
    expect(result.diagnostics.map((d) => [d.severity, d.code, d.start?.line])).toStrictEqual([['note', 'prefix-normalised', 6]]);
    expect(result.state?.datastores.map((d) => d.ref)).toStrictEqual(['A']);
    expect(result.state?.rules.map((r) => r.match)).toStrictEqual([{ tags: ['pii'] }]);
  });
});
