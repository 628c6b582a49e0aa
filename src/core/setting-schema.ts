/**
 * The JSON Schema of one managed setting, from its row in the settings table: shared by the manifest
 * schema and the emulator's seed schema, which differ only in what "left out" means.
 */
import type { SettingSpec } from './settings.js';

export type JsonSchema = { [keyword: string]: unknown };

export function settingSchema(spec: SettingSpec, leftOut: string): JsonSchema {
  const head = { title: spec.title, description: `${spec.description} ${leftOut}` };
  switch (spec.kind) {
    case 'integer':
      return { ...head, type: 'integer', minimum: spec.minimum, maximum: spec.maximum, default: spec.default };
    case 'enum':
      return { ...head, type: 'string', enum: [...spec.values], default: spec.default };
    case 'prefix':
      // Length is checked on the normalised form (a semantic rule), which a schema cannot express.
      return { ...head, type: 'string' };
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}
