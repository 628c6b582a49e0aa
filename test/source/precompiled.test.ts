/**
 * The validators `npm run build` generates (dist/validators/*.cjs) must judge exactly as the schemas
 * compiled at run time do: same verdicts, same errors, on valid and broken documents.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { SEED_SCHEMA } from '../../src/emulator/seed-schema.js';
import { DEFAULTS_SCHEMA, ENTRY_SCHEMA, MANIFEST_SCHEMA, RULE_SCHEMA } from '../../src/manifest/schema-source.js';
import { planSchema } from '../../src/cli/saved-plan.js';
import { schemaChecker } from '../../src/source/schema-diagnostics.js';

const DIST = fileURLToPath(new URL('../../dist/validators/', import.meta.url));
const load = (name: string): ValidateFunction => {
  const file = `${DIST}${name}.cjs`;
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` (npm test does)`);
  return createRequire(import.meta.url)(file) as ValidateFunction;
};

/** What matters of an error (the schema objects are equal in content, not identity). */
const shape = (errors: ErrorObject[] | null | undefined): unknown =>
  (errors ?? []).map((e) => ({ path: e.instancePath, keyword: e.keyword, params: e.params, message: e.message, parent: e.parentSchema }));

const CASES: Record<string, { schema: object; docs: unknown[] }> = {
  manifest: {
    schema: MANIFEST_SCHEMA,
    docs: [
      { version: 1, datastores: [{ datastore: 'A', enrichment_datastore: 'E', enrichment_prefix: '_a', enrichment_source_record_limit: 5, enrichment_remediation_strategy: 'append', high_count_rollup_threshold: 3 }] },
      { version: 2, datastores: [{ datastore: '', enrichment_prefx: 1, high_count_rollup_threshold: 0 }], extra: true },
      { version: 1, defaults: { enrichment_remediation_strategy: 'Append' }, datastores: 'nope' },
      [],
    ],
  },
  'manifest-entry': {
    schema: ENTRY_SCHEMA,
    docs: [{ datastore: 'A', enrichment_prefix: '_a' }, { datastore: 7, enrichment_datastore: null }, { datastore: '', enrichment_prefx: 1 }, { enrichment_prefix: '_a' }, 'A'],
  },
  'manifest-rule': {
    schema: RULE_SCHEMA,
    docs: [{ match: { name: 'o*', tag: ['a', 'b'] }, enrichment_prefix: '_r' }, { match: {} }, { match: { name: [] }, colour: 1 }, {}],
  },
  'manifest-defaults': {
    schema: DEFAULTS_SCHEMA,
    docs: [{ enrichment_source_record_limit: 10 }, {}, { enrichment_remediation_strategy: 'Append', datastore: 'A' }, null],
  },
  seed: {
    schema: SEED_SCHEMA,
    docs: [
      { users: [{ name: 'A', role: 'Admin', token: 't' }], datastores: [{ id: 1, name: 'X' }] },
      { users: [{ name: 'A', role: 'Boss', token: 't', teams: { T: 'Owner' } }], datastores: [{ id: 'x', name: 1, colour: 'red' }] },
    ],
  },
  plan: {
    schema: planSchema(),
    docs: [
      { format_version: 1, base_url: 'x', manifest_digest: `sha256:${'0'.repeat(64)}`, manifest_paths: [], changes: [], summary: { link: 0, unlink: 0, update: 0, unchanged: 0 } },
      { format_version: 1, changes: [{ datastore: { id: 'x' }, operations: [{ type: 'link' }] }] },
    ],
  },
};

describe('precompiled validators', () => {
  for (const [name, { schema, docs }] of Object.entries(CASES)) {
    it(`${name}: same verdicts and errors as compiling the schema at run time`, () => {
      const built = load(name);
      const runtime = schemaChecker().compile(schema);
      for (const doc of docs) {
        expect(built(doc)).toBe(runtime(doc));
        expect(shape(built.errors)).toStrictEqual(shape(runtime.errors));
      }
      // Not vacuous: the broken documents really are refused.
      expect(docs.filter((d) => !runtime(d)).length).toBeGreaterThan(0);
    });
  }
});
