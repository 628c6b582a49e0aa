/**
 * Request validation the way FastAPI answers it: a 422 whose `detail` is a list of pydantic v2
 * errors, `{type, loc, msg, input, ctx?}`, one per bad value, every one reported. The types and
 * messages are pydantic v2's; the shapes of `missing`, `json_invalid` and `model_attributes_type`
 * for a body are FastAPI's (see README.md beside this file).
 *
 * The enrichment settings are checked by the emulator's own statement of their ranges
 * (`setting-rules.ts`), never by `core/settings.ts`'s rule functions: a test compares the two
 * verdicts on a table of inputs, so a mistake in either shows.
 */
import { normalisePrefix } from '../core/prefix.js';
import { SETTING_FIELD_RULES, type FieldRule, type SettingField } from './setting-rules.js';

export type Loc = Array<string | number>;

export type ValidationError = {
  type: string;
  loc: Loc;
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
};

/** The 422 FastAPI sends for request validation errors. */
export function unprocessable(errors: readonly ValidationError[]): { status: 422; body: { detail: ValidationError[] } } {
  return { status: 422, body: { detail: [...errors] } };
}

/** pydantic's way of listing expected values: `'a', 'b' or 'c'`. */
function expected(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1) ?? ''}`;
}

export const issue = {
  missing: (loc: Loc, input: unknown): ValidationError => ({ type: 'missing', loc, msg: 'Field required', input }),
  intParsing: (loc: Loc, input: unknown): ValidationError => ({
    type: 'int_parsing',
    loc,
    msg: 'Input should be a valid integer, unable to parse string as an integer',
    input,
  }),
  intType: (loc: Loc, input: unknown): ValidationError => ({ type: 'int_type', loc, msg: 'Input should be a valid integer', input }),
  stringType: (loc: Loc, input: unknown): ValidationError => ({ type: 'string_type', loc, msg: 'Input should be a valid string', input }),
  boolType: (loc: Loc, input: unknown): ValidationError => ({ type: 'bool_type', loc, msg: 'Input should be a valid boolean', input }),
  boolParsing: (loc: Loc, input: unknown): ValidationError => ({
    type: 'bool_parsing',
    loc,
    msg: 'Input should be a valid boolean, unable to interpret input',
    input,
  }),
  listType: (loc: Loc, input: unknown): ValidationError => ({ type: 'list_type', loc, msg: 'Input should be a valid list', input }),
  tooShort: (loc: Loc, input: unknown[], min: number): ValidationError => ({
    type: 'too_short',
    loc,
    msg: `List should have at least ${min} item${min === 1 ? '' : 's'} after validation, not ${input.length}`,
    input,
    ctx: { field_type: 'List', min_length: min, actual_length: input.length },
  }),
  greaterThanEqual: (loc: Loc, input: unknown, ge: number): ValidationError => ({
    type: 'greater_than_equal',
    loc,
    msg: `Input should be greater than or equal to ${ge}`,
    input,
    ctx: { ge },
  }),
  lessThanEqual: (loc: Loc, input: unknown, le: number): ValidationError => ({
    type: 'less_than_equal',
    loc,
    msg: `Input should be less than or equal to ${le}`,
    input,
    ctx: { le },
  }),
  stringTooShort: (loc: Loc, input: unknown, min: number): ValidationError => ({
    type: 'string_too_short',
    loc,
    msg: `String should have at least ${min} character${min === 1 ? '' : 's'}`,
    input,
    ctx: { min_length: min },
  }),
  stringTooLong: (loc: Loc, input: unknown, max: number): ValidationError => ({
    type: 'string_too_long',
    loc,
    msg: `String should have at most ${max} character${max === 1 ? '' : 's'}`,
    input,
    ctx: { max_length: max },
  }),
  enum: (loc: Loc, input: unknown, values: readonly string[]): ValidationError => ({
    type: 'enum',
    loc,
    msg: `Input should be ${expected(values)}`,
    input,
    ctx: { expected: expected(values) },
  }),
  literal: (loc: Loc, input: unknown, values: readonly string[]): ValidationError => ({
    type: 'literal_error',
    loc,
    msg: `Input should be ${expected(values)}`,
    input,
    ctx: { expected: expected(values) },
  }),
  /** A custom validator's ValueError; FastAPI encodes the exception in `ctx.error` as `{}`. */
  valueError: (loc: Loc, input: unknown, text: string): ValidationError => ({
    type: 'value_error',
    loc,
    msg: `Value error, ${text}`,
    input,
    ctx: { error: {} },
  }),
  /** FastAPI's own entry for a body that is not JSON: the position and Python's json message. */
  jsonInvalid: (position: number, error: string): ValidationError => ({
    type: 'json_invalid',
    loc: ['body', position],
    msg: 'JSON decode error',
    input: {},
    ctx: { error },
  }),
  /** A body model validated with `from_attributes` (as FastAPI does) given something else than an object. */
  modelAttributesType: (input: unknown): ValidationError => ({
    type: 'model_attributes_type',
    loc: ['body'],
    msg: 'Input should be a valid dictionary or object to extract fields from',
    input,
  }),
} as const;

// ---------------------------------------------------------------------------------------------
// Query and path values: strings, validated in pydantic's lax mode.

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ValidationError };

/**
 * pydantic's lax str -> int: surrounding whitespace, an optional sign, digits. Values beyond
 * JavaScript's safe integers stay integers (Python's are unbounded) but are never a datastore id.
 */
export function parseIntParam(loc: Loc, raw: string): Parsed<number> {
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) return { ok: false, error: issue.intParsing(loc, raw) };
  return { ok: true, value: Number(BigInt(text)) };
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'f', 'n']);

/** The spellings pydantic accepts for a boolean from a string (any case). */
export function parseBoolParam(loc: Loc, raw: string): Parsed<boolean> {
  const word = raw.toLowerCase();
  if (TRUE_WORDS.has(word)) return { ok: true, value: true };
  if (FALSE_WORDS.has(word)) return { ok: true, value: false };
  return { ok: false, error: issue.boolParsing(loc, raw) };
}

// ---------------------------------------------------------------------------------------------
// The enrichment settings in a PUT body, by the rules in setting-rules.ts. Values are checked
// strictly (a JSON string is not an integer), as a pydantic field with `strict=True`.

/** What is wrong with one setting's value in a body (nothing: `[]`). */
export function settingFieldErrors(key: SettingField, value: unknown): ValidationError[] {
  const rule: FieldRule = SETTING_FIELD_RULES[key];
  const loc = ['body', key];
  switch (rule.kind) {
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return [issue.intType(loc, value)];
      if (value < rule.ge) return [issue.greaterThanEqual(loc, value, rule.ge)];
      if (value > rule.le) return [issue.lessThanEqual(loc, value, rule.le)];
      return [];
    case 'choice':
      return typeof value === 'string' && rule.values.includes(value) ? [] : [issue.enum(loc, value, rule.values)];
    case 'prefix': {
      if (typeof value !== 'string') return [issue.stringType(loc, value)];
      // The limit applies to the stored (normalised) form, as the API reference fixes for enrichctl.
      const stored = normalisePrefix(value);
      if (stored === '') return [issue.valueError(loc, value, `${key} must contain at least one letter or digit`)];
      if (stored.length > rule.maxLength) return [issue.stringTooLong(loc, value, rule.maxLength)];
      return [];
    }
    default: {
      const unreachable: never = rule;
      return unreachable;
    }
  }
}

/**
 * Why a seed's value of a setting could not be stored, in the words of the server's 422
 * (`high_count_rollup_threshold: Input should be less than or equal to 1000`), or undefined.
 */
export function settingValueProblem(key: SettingField, value: unknown): string | undefined {
  const [first] = settingFieldErrors(key, value);
  if (first === undefined) return undefined;
  if (first.type === 'string_too_long' && typeof value === 'string') {
    // The limit is on the stored form: say what that is, since the seed's text may look short enough.
    const stored = normalisePrefix(value);
    return `${key}: ${first.msg} once normalised (${JSON.stringify(stored)} has ${stored.length})`;
  }
  return `${key}: ${first.msg}`;
}

/** A required-or-optional string field of a body (`name`). */
export function stringFieldErrors(loc: Loc, value: unknown, minLength: number, maxLength: number): ValidationError[] {
  if (typeof value !== 'string') return [issue.stringType(loc, value)];
  if (value.length < minLength) return [issue.stringTooShort(loc, value, minLength)];
  if (value.length > maxLength) return [issue.stringTooLong(loc, value, maxLength)];
  return [];
}

/** A list of names (`teams`, `tags`): one error for a non-list, else one per bad item. */
export function nameListErrors(loc: Loc, value: unknown, minItems: number): ValidationError[] {
  if (!Array.isArray(value)) return [issue.listType(loc, value)];
  const errors = value.flatMap((item: unknown, i) => (typeof item === 'string' ? [] : [issue.stringType([...loc, i], item)]));
  if (errors.length === 0 && value.length < minItems) return [issue.tooShort(loc, value, minItems)];
  return errors;
}

/** Python's json module's message and position for text JSON.parse refused (best effort). */
export function jsonDecodeError(text: string, error: unknown): ValidationError {
  const message = error instanceof Error ? error.message : '';
  const at = /position (\d+)/.exec(message);
  // Python reports the end of the text for truncated JSON, as V8's "Unexpected end" does without a position.
  const position = at ? Number(at[1]) : /end of/i.test(message) ? text.length : 0;
  return issue.jsonInvalid(position, 'Expecting value');
}
