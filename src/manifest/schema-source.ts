/**
 * Builds `schemas/enrichment-manifest.schema.json` from the SETTINGS table and the manifest types.
 * The committed file is this object, written by `npm run schemas`; a test compares them byte for byte.
 */
import { settingSchema, type JsonSchema } from '../core/setting-schema.js';
import { SETTINGS } from '../core/settings.js';
import type { ManifestDocument, ManifestEntryBase, ManifestRuleBase, ManifestRuleMatch } from './manifest-types.js';

export type { JsonSchema } from '../core/setting-schema.js';

/** How a setting reads in one place: in an entry, in a rule, or in `defaults`. */
function settingsSchemas(where: 'entry' | 'rule' | 'defaults'): Record<string, JsonSchema> {
  const leftOut = {
    entry: 'Left out (and not set by a rule or in `defaults`): not managed, never changed.',
    rule: 'Set for every source datastore the rule matches, unless its own entry sets it. Left out: this rule does not manage it.',
    defaults: 'Applies to every entry and rule of this document that leaves it out (below entries and rules).',
  }[where];
  return Object.fromEntries(SETTINGS.map((spec) => {
    const schema = settingSchema(spec, leftOut);
    if (where === 'rule' && spec.kind === 'prefix') {
      schema.description = `${String(schema.description)} May use the placeholders {name} and {id} (the datastore's name and id); the result is normalised.`;
    }
    return [spec.key, schema];
  }));
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

/** A string or a non-empty list of strings, none empty: how each criterion of a rule is written. */
function oneOrMany(title: string, description: string): JsonSchema {
  return { title, description, type: ['string', 'array'], minLength: 1, minItems: 1, items: { title, description: `One of the list: ${description}`, type: 'string', minLength: 1 } };
}

const MATCH_PROPERTIES = {
  name: oneOrMany('Name glob',
    'A glob on the datastore name: `*` matches any run of characters, `?` one character, everything else itself (case-sensitive). ' +
    'A list matches when any glob does. `[`, `]`, `{`, `}` and `\\` are refused: write a list of globs instead.'),
  tag: oneOrMany('Tag', 'The datastore has this tag (`global_tags`); a list matches when it has any of them.'),
  type: oneOrMany('Datastore type', 'The connection type as the API lists it (`datastore_type`, e.g. snowflake); a list matches any of them.'),
} satisfies Record<keyof ManifestRuleMatch, JsonSchema>;

const RULE_PROPERTIES = {
  match: {
    title: 'Match',
    description: 'Which source datastores the rule applies to (never enrichment-only ones): every criterion given must hold; at least one is required.',
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: MATCH_PROPERTIES,
  },
  enrichment_datastore: {
    ...ENTRY_PROPERTIES.enrichment_datastore,
    description: 'The enrichment datastore to link every matched datastore to: its exact name, its id, or null (no link). Left out: this rule does not manage the link.',
  },
} satisfies Record<keyof ManifestRuleBase, JsonSchema>;

/** One rule of `rules`; also compiled alone to salvage the valid rules of a broken document. */
export const RULE_SCHEMA: JsonSchema = {
  title: 'Rule',
  description:
    'Settings for every source datastore the rule matches, now and in every later plan. Precedence, key by key: an explicit entry, then rules, then `defaults`; ' +
    'two rules setting one key of one datastore to different values are an error.',
  type: 'object',
  additionalProperties: false,
  required: ['match'] satisfies (keyof ManifestRuleBase)[],
  properties: { ...RULE_PROPERTIES, ...settingsSchemas('rule') },
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
  rules: {
    title: 'Rules',
    description: 'Enrichment settings for every source datastore a rule matches by name glob, tag or type, including datastores created later.',
    type: 'array',
    items: RULE_SCHEMA,
  },
} satisfies Record<keyof ManifestDocument, JsonSchema>;

/** `datastores` or `rules` is required too: checked by `load.ts`, which says which. */
const DOCUMENT_REQUIRED = ['version'] satisfies (keyof ManifestDocument)[];

export function buildManifestSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'enrichctl enrichment manifest',
    description:
      'Declares, per Qualytics source datastore or by rules over many, the enrichment datastore link and enrichment settings. ' +
      'Add `# yaml-language-server: $schema=<path to this file>` at the top of a manifest for editor completion.',
    type: 'object',
    additionalProperties: false,
    required: DOCUMENT_REQUIRED,
    properties: DOCUMENT_PROPERTIES,
  };
}

/** The schema object ajv compiles; built once. */
export const MANIFEST_SCHEMA: JsonSchema = buildManifestSchema();
