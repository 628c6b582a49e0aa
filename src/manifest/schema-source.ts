/**
 * Builds `schemas/enrichment-manifest.schema.json` from the SETTINGS table and the manifest types.
 * The committed file is this object, written by `npm run schemas`; a test compares them byte for byte.
 */
import { settingSchema, type JsonSchema } from '../core/setting-schema.js';
import { SETTINGS } from '../core/settings.js';
import type { ManifestDocument, ManifestEntryBase } from './manifest-types.js';

export type { JsonSchema } from '../core/setting-schema.js';

/** How a setting reads in one place: in an entry, or in `defaults`. */
function settingsSchemas(where: 'entry' | 'defaults'): Record<string, JsonSchema> {
  const leftOut = where === 'entry'
    ? 'Left out (and not set in `defaults`): not managed, never changed.'
    : 'Applies to every entry of this document that leaves it out.';
  return Object.fromEntries(SETTINGS.map((spec) => [spec.key, settingSchema(spec, leftOut)]));
}

const ENTRY_PROPERTIES = {
  datastore: {
    title: 'Source datastore',
    description:
      'The source datastore whose enrichment is declared: its exact name (a string) or its id (an integer). ' +
      'Each datastore may be declared once across all manifests planned together.',
    type: ['string', 'integer'],
    minLength: 1,
    minimum: 1,
  },
  enrichment_datastore: {
    title: 'Enrichment datastore',
    description:
      'The enrichment datastore to link: its exact name, its id, or null to declare that no enrichment datastore ' +
      'is linked (unlinking resets enrichment_remediation_strategy to "none"). Left out: the link is not managed.',
    type: ['string', 'integer', 'null'],
    minLength: 1,
    minimum: 1,
  },
} satisfies Record<keyof ManifestEntryBase, JsonSchema>;

const ENTRY_REQUIRED = ['datastore'] satisfies (keyof ManifestEntryBase)[];

/** One entry of `datastores`; also compiled alone to salvage the valid entries of a broken document. */
export const ENTRY_SCHEMA: JsonSchema = {
  title: 'Source datastore entry',
  description: 'One source datastore: every key but `datastore` is optional, and a key left out is not managed.',
  type: 'object',
  additionalProperties: false,
  required: ENTRY_REQUIRED,
  properties: { ...ENTRY_PROPERTIES, ...settingsSchemas('entry') },
};

export const DEFAULTS_SCHEMA: JsonSchema = {
  title: 'Default settings',
  description: 'Settings applied to every entry of this document that leaves them out. Optional.',
  type: 'object',
  additionalProperties: false,
  properties: settingsSchemas('defaults'),
};

const DOCUMENT_PROPERTIES = {
  version: {
    title: 'Manifest format version',
    description: 'The manifest format version. Only 1 exists.',
    type: 'integer',
    const: 1,
  },
  defaults: DEFAULTS_SCHEMA,
  datastores: {
    title: 'Source datastores',
    description: 'The source datastores whose enrichment link and settings are declared.',
    type: 'array',
    items: ENTRY_SCHEMA,
  },
} satisfies Record<keyof ManifestDocument, JsonSchema>;

const DOCUMENT_REQUIRED = ['version', 'datastores'] satisfies (keyof ManifestDocument)[];

export function buildManifestSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'enrichctl enrichment manifest',
    description:
      'Declares, per Qualytics source datastore, its enrichment datastore link and enrichment settings. ' +
      'Add `# yaml-language-server: $schema=<path to this file>` at the top of a manifest for editor completion.',
    type: 'object',
    additionalProperties: false,
    required: DOCUMENT_REQUIRED,
    properties: DOCUMENT_PROPERTIES,
  };
}

/** The schema object ajv compiles; built once. */
export const MANIFEST_SCHEMA: JsonSchema = buildManifestSchema();
