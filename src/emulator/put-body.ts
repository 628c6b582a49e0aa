/**
 * The body of `PUT /api/datastores/{id}`, read the way FastAPI and pydantic would: every bad field
 * reported, one entry each, or the change it asks for.
 *
 * Two modes (the sources disagree, see README.md): `partial` (the enrichment API page: omitted
 * fields stay unchanged) and `full` (the official CLI's commit 0d5c7c5: the endpoint requires the
 * whole datastore; `name`, `connection_id` and `enrichment_only` are then required). In both, the
 * official CLI's flattened GET (`flatten_datastore_for_put`) is accepted: fields the emulator does
 * not model (`id`, `created`, `global_tags`, `enrich_datastore`, ...) are ignored, as pydantic
 * ignores extra fields.
 */
import { SETTINGS, type Settings } from '../core/settings.js';
import type { PutMode } from '../core/seed-types.js';
import { issue, jsonDecodeError, nameListErrors, settingFieldErrors, stringFieldErrors, type ValidationError } from './validation.js';
import { isSettingField, SETTING_FIELD_RULES, type SettingField } from './setting-rules.js';
import { normalisePrefix } from '../core/prefix.js';

export type RequestBody = { kind: 'empty' } | { kind: 'json'; value: unknown } | { kind: 'invalid'; raw: string };

/** What a valid body asks to change; absent means unchanged. */
export type DatastorePatch = {
  settings: Partial<Settings>;
  name?: string;
  connectionId?: number;
  enrichmentOnly?: boolean;
  teams?: string[];
  tags?: string[];
};

/** Required in `full` mode, in the order errors are reported. */
export const FULL_MODE_REQUIRED = ['name', 'connection_id', 'enrichment_only'] as const;

/** The user guide's create-request limit for `name`; assumed to hold for an update too. */
const NAME_MAX_LENGTH = 255;

/** The body fields that are not settings. */
type OtherField = 'name' | 'connection_id' | 'enrichment_only' | 'tags' | 'teams';

/**
 * The settings the emulator reads, in the table's order: those it states a rule for (a field it
 * has no rule for is ignored, as pydantic ignores extra fields; `buildModel` refuses to start then).
 */
const SETTING_FIELDS: readonly SettingField[] = SETTINGS.map((s) => s.key).filter(isSettingField);

/** Model field order, which is the order pydantic reports errors in. */
const FIELDS: ReadonlyArray<OtherField | SettingField> = ['name', 'connection_id', 'enrichment_only', ...SETTING_FIELDS, 'tags', 'teams'];

export type PutBodyResult = { ok: true; value: DatastorePatch } | { ok: false; errors: ValidationError[] };

function fieldErrors(key: OtherField | SettingField, value: unknown): ValidationError[] {
  const loc = ['body', key];
  if (isSettingField(key)) return settingFieldErrors(key, value);
  switch (key) {
    case 'name':
      return stringFieldErrors(loc, value, 1, NAME_MAX_LENGTH);
    case 'connection_id':
      return typeof value === 'number' && Number.isInteger(value) ? [] : [issue.intType(loc, value)];
    case 'enrichment_only':
      return typeof value === 'boolean' ? [] : [issue.boolType(loc, value)];
    case 'teams':
      return nameListErrors(loc, value, 1);
    case 'tags':
      return nameListErrors(loc, value, 0);
    default: {
      const unreachable: never = key;
      return unreachable;
    }
  }
}

/** Every error in the body, FastAPI style, or the patch it asks for. */
export function readPutBody(body: RequestBody, mode: PutMode): PutBodyResult {
  if (body.kind === 'invalid') {
    try {
      JSON.parse(body.raw);
    } catch (error) {
      return { ok: false, errors: [jsonDecodeError(body.raw, error)] };
    }
  }
  // No body and a JSON null are the same to FastAPI: the body is missing.
  const value = body.kind === 'json' ? body.value : null;
  if (value === null) return { ok: false, errors: [issue.missing(['body'], null)] };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, errors: [issue.modelAttributesType(value)] };
  const fields = value as Record<string, unknown>;
  const errors: ValidationError[] = [];
  for (const key of FIELDS) {
    if (!Object.hasOwn(fields, key)) {
      if (mode === 'full' && (FULL_MODE_REQUIRED as readonly string[]).includes(key)) errors.push(issue.missing(['body', key], value));
      continue;
    }
    errors.push(...fieldErrors(key, fields[key]));
  }
  if (errors.length > 0) return { ok: false, errors };
  // Every present field is now known to have its type.
  const patch: DatastorePatch = { settings: {} };
  for (const key of SETTING_FIELDS) {
    if (!Object.hasOwn(fields, key)) continue;
    const raw = fields[key];
    Object.assign(patch.settings, { [key]: SETTING_FIELD_RULES[key].kind === 'prefix' ? normalisePrefix(raw as string) : raw });
  }
  if (Object.hasOwn(fields, 'name')) patch.name = fields.name as string;
  if (Object.hasOwn(fields, 'connection_id')) patch.connectionId = fields.connection_id as number;
  if (Object.hasOwn(fields, 'enrichment_only')) patch.enrichmentOnly = fields.enrichment_only as boolean;
  if (Object.hasOwn(fields, 'teams')) patch.teams = [...new Set(fields.teams as string[])];
  if (Object.hasOwn(fields, 'tags')) patch.tags = [...new Set(fields.tags as string[])];
  return { ok: true, value: patch };
}
