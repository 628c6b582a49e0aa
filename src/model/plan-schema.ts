/**
 * Builds `schemas/plan.schema.json`: the plan document (`plan --format json`, `plan --out`) and its
 * operations, which `schemas/apply-report.schema.json` references (`#/$defs/operation`). The state's
 * fields, the PUT body's keys, their limits and enums come from the settings table; `npm run schemas`
 * writes the file, a test keeps it byte-identical to this, and `apply --plan` validates saved plans
 * with the committed file (or the validator `npm run build` generates from it).
 */
import { SETTINGS, type SettingSpec } from '../core/settings.js';
import type { JsonSchema } from '../core/setting-schema.js';
import type { EnrichmentState } from './plan.js';

/** The fields of a state, in table order: the link, then the settings. */
const STATE_FIELDS: Array<keyof EnrichmentState> = ['enrich_datastore', ...SETTINGS.map((s) => s.key)];

/** What a value of a setting may be in a plan: its kind's type, limits and values (a prefix is any string: it is stored normalised). */
function settingValueSchema(spec: SettingSpec, description: string): JsonSchema {
  switch (spec.kind) {
    case 'integer':
      return { type: 'integer', minimum: spec.minimum, maximum: spec.maximum, description };
    case 'enum':
      return { enum: [...spec.values], description };
    case 'prefix':
      return { type: 'string', description };
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}

function described(spec: SettingSpec): string {
  return spec.kind === 'prefix' ? `${spec.title}, normalised.` : `${spec.title}.`;
}

const fieldList = (description: string): JsonSchema => ({ type: 'array', description, items: { enum: STATE_FIELDS, description: 'A field of the state.' } });

const ref = (description: string): JsonSchema => ({ $ref: '#/$defs/ref', description });

const position = {
  line: { type: 'integer', minimum: 1, description: '1-based line.' },
  column: { type: 'integer', minimum: 1, description: '1-based column.' },
};

const STATE: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: STATE_FIELDS,
  description: 'The managed values of a source datastore: its link and every setting (prefix normalised).',
  properties: {
    enrich_datastore: { description: 'The linked enrichment datastore, or null.', oneOf: [{ $ref: '#/$defs/ref' }, { type: 'null' }] },
    ...Object.fromEntries(SETTINGS.map((spec) => [spec.key, settingValueSchema(spec, described(spec))])),
  },
};

const SETTINGS_BODY: JsonSchema = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  description: 'Only the fields that change.',
  properties: Object.fromEntries(SETTINGS.map((spec) => [spec.key, settingValueSchema(spec, `New value: ${described(spec)}`)])),
};

/** One operation as the document shows it: what changes, with the route table's method and path. */
function operation(type: string, typeDescription: string, method: string, pathPattern: string, extra: Record<string, JsonSchema>): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'method', 'path', ...Object.keys(extra)],
    properties: {
      type: { const: type, description: typeDescription },
      method: { const: method, description: 'HTTP method.' },
      path: { type: 'string', pattern: pathPattern, description: 'Path below the base URL.' },
      ...extra,
    },
  };
}

const OPERATION: JsonSchema = {
  description: 'One API call. Within a datastore they run in this order: link, update_settings, unlink.',
  oneOf: [
    operation('link', 'Create or switch the link.', 'PATCH', '^/datastores/[0-9]+/enrichment/[0-9]+$', { enrich_datastore: ref('The enrichment datastore to link.') }),
    operation('update_settings', 'Change settings.', 'PUT', '^/datastores/[0-9]+$', { body: SETTINGS_BODY }),
    operation('unlink', 'Remove the link (the server resets the strategy to none).', 'DELETE', '^/datastores/[0-9]+/enrichment$', {}),
  ],
};

const CHANGE: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['datastore', 'action', 'before', 'after', 'changed_fields', 'operations', 'declared_at'],
  description: 'What the plan does to one declared datastore.',
  properties: {
    datastore: ref('The source datastore.'),
    action: { enum: ['no-op', 'update'], description: 'no-op: already matches; update: operations follow.' },
    before: { $ref: '#/$defs/state', description: 'The state observed at plan time (apply --plan checks it is unchanged).' },
    after: { $ref: '#/$defs/state', description: 'The state once the operations are applied.' },
    changed_fields: fieldList('Fields of after that differ from before (display only).'),
    operations: { type: 'array', items: { $ref: '#/$defs/operation', description: 'One API call.' }, description: 'API calls, in execution order.' },
    declared_at: {
      type: 'object',
      additionalProperties: false,
      required: ['file', 'line', 'column'],
      description: 'Where the manifest declares the datastore (display only).',
      properties: { file: { type: 'string', description: 'Manifest file.' }, ...position },
    },
    locations: {
      type: 'object',
      additionalProperties: false,
      description: 'Where the manifests set each changed field they declare (display only; a changed field absent here belongs to the entry, declared_at).',
      properties: Object.fromEntries(STATE_FIELDS.map((f) => [f, { $ref: '#/$defs/span', description: `Where ${f} is declared.` }])),
    },
    matched_on: {
      type: 'object',
      additionalProperties: false,
      description: 'What rules match on, as observed (present when the manifests have rules): apply --plan recomputes the rules from it, as it does the plan from before.',
      properties: {
        type: { type: 'string', description: 'The datastore type (datastore_type), when the API said it.' },
        tags: { type: 'array', items: { type: 'string', description: 'A tag name.' }, description: 'The tag names (global_tags), when the API said them.' },
      },
    },
  },
};

export function buildPlanSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://enrichctl.dev/schemas/plan.schema.json',
    title: 'enrichctl plan',
    description: "The output of `enrichctl plan --format json`, and the file `plan --out` saves for `apply --plan`. It never holds the API token.",
    type: 'object',
    additionalProperties: false,
    required: ['format_version', 'base_url', 'manifest_digest', 'manifest_paths', 'changes', 'summary'],
    properties: {
      format_version: { const: 1, description: "Version of this document's format; bumped on incompatible change." },
      base_url: {
        type: 'string',
        description: 'The normalised API base URL the plan was made against (e.g. https://x.qualytics.io/api). apply --plan refuses another.',
      },
      manifest_digest: {
        type: 'string',
        pattern: '^sha256:[0-9a-f]{64}$',
        description: "sha256 over the manifests' paths and contents; apply --plan refuses the plan if they changed since.",
      },
      manifest_paths: { type: 'array', items: { type: 'string', description: 'A manifest path.' }, description: 'The manifest paths given to plan, relative to where it ran.' },
      targets: {
        type: 'array',
        items: { type: 'string', description: 'A --target value.' },
        description:
          'The --target selection the plan was made with, as given; absent when everything declared was planned. apply --plan recomputes the plan from the manifests with the same selection.',
      },
      changes: { type: 'array', description: 'One entry per declared datastore, sorted by name then id.', items: { $ref: '#/$defs/change', description: 'One declared datastore.' } },
      summary: {
        type: 'object',
        additionalProperties: false,
        required: ['link', 'unlink', 'update', 'unchanged'],
        description: 'Counts for the summary line.',
        properties: {
          link: { type: 'integer', minimum: 0, description: 'Links to create or switch (PATCH).' },
          unlink: { type: 'integer', minimum: 0, description: 'Links to remove (DELETE).' },
          update: { type: 'integer', minimum: 0, description: 'Settings updates (PUT).' },
          unchanged: { type: 'integer', minimum: 0, description: 'Declared datastores that already match.' },
        },
      },
      unmanaged: {
        type: 'array',
        description:
          'With plan --report-unmanaged: live datastores with a link or non-default settings that no manifest declares. Display only; apply ignores it.',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['datastore', 'state', 'non_default'],
          description: 'One unmanaged datastore.',
          properties: {
            datastore: ref('The datastore.'),
            state: { $ref: '#/$defs/state', description: 'Its live enrichment state.' },
            non_default: fieldList("Fields that differ from a new datastore's defaults."),
          },
        },
      },
      warnings: {
        type: 'array',
        description: 'What reviewers should know about this plan (display only; apply ignores it).',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['message'],
          description: 'One warning.',
          properties: {
            message: { type: 'string', description: 'The warning.' },
            code: { type: 'string', description: "The diagnostic's code (e.g. prefix-change, unlink-needs-admin)." },
            file: { type: 'string', description: 'The manifest it concerns.' },
            ...position,
          },
        },
      },
    },
    $defs: {
      ref: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name'],
        description: 'A datastore by id, with its name for display.',
        properties: {
          id: { type: 'integer', description: 'Datastore id.' },
          name: { type: 'string', description: 'Datastore name as the API showed it.' },
        },
      },
      state: STATE,
      operation: OPERATION,
      change: CHANGE,
      span: {
        type: 'object',
        additionalProperties: false,
        required: ['file', 'line', 'column', 'end_line', 'end_column'],
        description: 'A range in a manifest (1-based; the end exclusive).',
        properties: {
          file: { type: 'string', description: 'Manifest file.' },
          line: { type: 'integer', minimum: 1, description: '1-based line of the start.' },
          column: { type: 'integer', minimum: 1, description: '1-based column of the start.' },
          end_line: { type: 'integer', minimum: 1, description: '1-based line of the end.' },
          end_column: { type: 'integer', minimum: 1, description: '1-based column of the end (exclusive).' },
          from: { enum: ['entry', 'rule', 'defaults'], description: 'What set the value there: an entry, a rule, or defaults (display only; absent in plans saved before rules: an entry).' },
        },
      },
    },
  };
}
