/**
 * What the manifests name before they are checked (`addDeclaredRefs`), which a plan uses to ask the
 * rest of a listing early: for manifests that load, exactly the refs the loaded state holds; for
 * anything else, only what is shaped like a ref.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { addDeclaredRefs, noDeclaredRefs, type DeclaredRefs } from '../../src/manifest/declared.js';
import { manifestSteps } from '../../src/manifest/load.js';
import { readYamlDocuments } from '../../src/source/yaml-documents.js';
import type { DeclaredRef } from '../../src/model/desired.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

function refsOf(text: string): DeclaredRefs {
  const refs = noDeclaredRefs();
  addDeclaredRefs(readYamlDocuments('m.yaml', text).documents, refs);
  return refs;
}

describe('the datastores manifests name, before their checks', () => {
  it.each(['examples/small-team', 'examples/environments/prod', 'examples/unlink', 'examples/rules'])('%s: exactly what the loaded state names', (path) => {
    const refs = noDeclaredRefs();
    const steps = manifestSteps([path], repo);
    let step = steps.next();
    let files = 0;
    while (!step.done) {
      addDeclaredRefs(step.value, refs);
      files++;
      step = steps.next();
    }
    const state = step.value.state!;
    expect(files).toBe(step.value.files.length);
    const links = [...state.datastores, ...state.rules].flatMap((d): DeclaredRef[] => (d.link.kind === 'ref' ? [d.link.ref] : []));
    const all = [...state.datastores.map((d) => d.ref), ...links];
    expect(refs.sourceNames).toStrictEqual(new Set(state.datastores.map((d) => d.ref).filter((r) => typeof r === 'string')));
    expect(refs.targetNames).toStrictEqual(new Set(links.filter((r) => typeof r === 'string')));
    expect(refs.ids).toStrictEqual(new Set(all.filter((r) => typeof r === 'number')));
    expect(refs.sourceNames.size + refs.targetNames.size).toBeGreaterThan(0);
  });

  it('counts names and ids once each, and nothing that is not shaped like a ref', () => {
    const refs = refsOf([
      'version: 1',
      'datastores:',
      '  - datastore: Orders',
      '    enrichment_datastore: Lake',
      '  - datastore: 7',
      '    enrichment_datastore: 9',
      '  - datastore: Orders',
      '  - datastore: ""',
      '  - datastore: 0',
      '  - datastore: 1.5',
      '  - datastore: [Orders, Other]',
      '  - Inventory',
      '  - datastore: Unlinked',
      '    enrichment_datastore: null',
      'rules:',
      '  - match: { name: "x*" }',
      '    enrichment_datastore: Other Lake',
      '  - datastore: Not A Source',
      '---',
      'datastores: { datastore: Nested }',
      '---',
      '- datastore: Listed',
    ].join('\n'));
    expect(refs).toStrictEqual({ sourceNames: new Set(['Orders', 'Unlinked']), ids: new Set([7, 9]), targetNames: new Set(['Lake', 'Other Lake']) });
  });

  it('leaves out what a folder holds beside its manifests: skipped there, so never checked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-declared-'));
    writeFileSync(join(dir, 'm.yaml'), 'version: 1\ndatastores:\n  - datastore: Orders\n');
    // Seed-like (it has `users`), and shaped like entries: a folder's other YAML is skipped with a note.
    writeFileSync(join(dir, 'seed.yaml'), 'users: [{ name: A, role: Admin, token: t }]\ndatastores:\n  - datastore: Ghost\n    enrichment_datastore: Lake\n');
    const refs = noDeclaredRefs();
    const steps = manifestSteps(['.'], dir);
    let step = steps.next();
    while (!step.done) {
      addDeclaredRefs(step.value, refs);
      step = steps.next();
    }
    expect(step.value.diagnostics.map((d) => d.code)).toStrictEqual(['not-a-manifest-skipped']);
    expect(refs).toStrictEqual({ sourceNames: new Set(['Orders']), ids: new Set(), targetNames: new Set() });
  });
});
