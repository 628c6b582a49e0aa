/**
 * `npm run schemas`: rewrites the committed JSON Schemas from their TypeScript sources. A test fails
 * when the committed files differ from what this writes, so run it after changing the types.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSeedSchema } from '../emulator/seed-schema.js';
import { buildManifestSchema } from '../manifest/schema-source.js';
import { buildPlanSchema } from '../model/plan-schema.js';
import { schemaFileText } from '../source/schema-file.js';

const targets: Array<[string, object]> = [
  ['schemas/enrichment-manifest.schema.json', buildManifestSchema()],
  ['schemas/emulator-seed.schema.json', buildSeedSchema()],
  ['schemas/plan.schema.json', buildPlanSchema()],
];
for (const [relative, schema] of targets) {
  writeFileSync(fileURLToPath(new URL(`../../${relative}`, import.meta.url)), schemaFileText(schema));
  process.stdout.write(`wrote ${relative}\n`);
}
