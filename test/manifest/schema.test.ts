import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSeedSchema } from '../../src/emulator/seed-schema.js';
import { buildManifestSchema } from '../../src/manifest/schema-source.js';
import { buildPlanSchema } from '../../src/model/plan-schema.js';
import { schemaChecker } from '../../src/source/schema-diagnostics.js';
import { schemaFileText } from '../../src/source/schema-file.js';

/**
 * `titled`: the schemas users write documents against (editor completion shows titles); the plan
 * schema describes an output, and its properties have descriptions only.
 */
const SCHEMAS = [
  { file: 'schemas/enrichment-manifest.schema.json', build: buildManifestSchema, titled: true },
  { file: 'schemas/emulator-seed.schema.json', build: buildSeedSchema, titled: true },
  { file: 'schemas/plan.schema.json', build: buildPlanSchema, titled: false },
];

/** Every property schema, with its path: under `properties`, `items` and `additionalProperties`. */
function* propertySchemas(schema: unknown, path: string): Generator<[string, Record<string, unknown>]> {
  if (typeof schema !== 'object' || schema === null) return;
  const s = schema as Record<string, unknown>;
  const properties = s.properties;
  if (typeof properties === 'object' && properties !== null) {
    for (const [key, child] of Object.entries(properties)) {
      yield [`${path}.${key}`, child as Record<string, unknown>];
      yield* propertySchemas(child, `${path}.${key}`);
    }
  }
  if (typeof s.items === 'object') {
    yield [`${path}[]`, s.items as Record<string, unknown>];
    yield* propertySchemas(s.items, `${path}[]`);
  }
  if (typeof s.additionalProperties === 'object') {
    yield [`${path}.*`, s.additionalProperties as Record<string, unknown>];
    yield* propertySchemas(s.additionalProperties, `${path}.*`);
  }
}

describe.each(SCHEMAS)('$file', ({ file, build, titled }) => {
  const committed = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

  it('is the generated schema, byte for byte (run `npm run schemas` after changing the source)', () => {
    expect(committed).toBe(schemaFileText(build()));
  });

  it('is a valid JSON Schema 2020-12', () => {
    const schema = JSON.parse(committed) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schemaChecker().validateSchema(schema)).toBe(true);
    expect(schemaChecker().errors ?? null).toBeNull();
  });

  it(`gives every property ${titled ? 'a title and ' : ''}a description, and closes every object`, () => {
    const schema = JSON.parse(committed) as Record<string, unknown>;
    const found = [...propertySchemas(schema, '$'), ...Object.entries((schema.$defs ?? {}) as Record<string, unknown>).flatMap(([name, def]) => [...propertySchemas(def, `$defs.${name}`)])];
    expect(found.length).toBeGreaterThan(5);
    for (const [path, property] of found) {
      expect(typeof property.description, `${path} has a description`).toBe('string');
      if (titled) expect(typeof property.title, `${path} has a title`).toBe('string');
      if (property.type === 'object' && property.properties) {
        expect(property.additionalProperties, `${path} is closed`).toBe(false);
      }
    }
    expect(schema.additionalProperties).toBe(false);
  });
});
