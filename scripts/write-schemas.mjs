#!/usr/bin/env node
// Rewrites the committed JSON Schemas from their TypeScript sources (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildManifestSchema } from '../dist/manifest/schema-source.js';
import { buildSeedSchema } from '../dist/emulator/seed-schema.js';
import { schemaFileText } from '../dist/source/schema-file.js';

const targets = [
  ['../schemas/enrichment-manifest.schema.json', buildManifestSchema()],
  ['../schemas/emulator-seed.schema.json', buildSeedSchema()],
];
for (const [relative, schema] of targets) {
  const file = fileURLToPath(new URL(relative, import.meta.url));
  writeFileSync(file, schemaFileText(schema));
  console.log(`wrote ${relative.slice(3)}`);
}
