/**
 * One ajv instance for every schema enrichctl ships, and the translation of ajv's errors into
 * diagnostics placed on the node the user has to change: an unknown key on the key (with a "did
 * you mean"), a wrong value on the value, a missing key on the mapping that lacks it.
 */
import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, SchemaObject, ValidateFunction } from 'ajv/dist/2020.js';
import { byPosition, type Diagnostic } from '../core/diagnostics.js';
import { locate, parsePointer } from './locate.js';
import type { YamlDocument } from './positions.js';
import { suggest } from './suggest.js';
import { thousands } from '../core/format.js';

let ajv: Ajv2020 | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * How every schema is compiled, at run time and at build time alike. `verbose` keeps each error's
 * parent schema, where the allowed keys are read. The schemas are generated and checked against the
 * meta-schema in a test, not on every start.
 */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true, validateSchema: false } as const;

const require = createRequire(import.meta.url);

/**
 * The shared instance. ajv's compiler is loaded only here, on first use: a built enrichctl uses the
 * validators generated into dist/validators/ and never loads it (~30 ms of every start).
 */
export function schemaChecker(): Ajv2020 {
  if (!ajv) {
    const { Ajv2020: Compiler } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    ajv = new Compiler(AJV_OPTIONS);
  }
  return ajv;
}

/**
 * The schemas whose validators `npm run build` generates into dist/validators/<name>.cjs: every
 * schema enrichctl validates with (a manifest's entry, rule and defaults alone salvage the valid
 * parts of a broken document).
 */
export type PrecompiledName = 'manifest' | 'manifest-entry' | 'manifest-rule' | 'manifest-defaults' | 'seed' | 'plan';

/**
 * Compiled once per schema object, on first use. The validator generated at build time is used
 * when present: compiling costs ~25 ms of every run. From source (tests), or before a build, the
 * schema is compiled here instead; both come from the same schema object and options. The bundle
 * carries only the generated validators, not ajv's compiler (scripts/bundle.mjs).
 */
export function compileSchema<T>(schema: SchemaObject, name: PrecompiledName): ValidateFunction<T> {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = loadPrecompiled(name) ?? schemaChecker().compile(schema);
    compiled.set(schema, validate);
  }
  return validate as ValidateFunction<T>;
}

function loadPrecompiled(name: PrecompiledName): ValidateFunction | undefined {
  try {
    return require(`../validators/${name}.cjs`) as ValidateFunction;
  } catch {
    return undefined;
  }
}

/** Validates a document's data: the typed value when it conforms, else the diagnostics. */
export function checkAgainstSchema<T>(document: YamlDocument, schema: SchemaObject, name: PrecompiledName): { value?: T; diagnostics: Diagnostic[] } {
  const validate = compileSchema<T>(schema, name);
  const data = document.data;
  if (validate(data)) return { value: data, diagnostics: [] };
  return { diagnostics: schemaDiagnostics(document, validate.errors ?? []) };
}

export function schemaDiagnostics(document: YamlDocument, errors: readonly ErrorObject[]): Diagnostic[] {
  // A value of the wrong type also fails its enum, range...: the type is the one thing to say.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const kept = errors.filter((e) => e.keyword === 'type' || !wrongType.has(e.instancePath));
  const made = kept.map((error) => ({ error, diagnostic: toDiagnostic(document, error) }));
  // `datastor: x` is an unknown key and a missing `datastore`; the suggestion on the first says it all.
  const suggested = new Set<string>();
  for (const { error, diagnostic } of made) {
    const hint = diagnostic.hints?.[0];
    if (error.keyword === 'additionalProperties' && hint?.startsWith('did you mean')) {
      suggested.add(`${error.instancePath}\0${suggestionOf(hint)}`);
    }
  }
  return made
    .filter(({ error }) => error.keyword !== 'required' || !suggested.has(`${error.instancePath}\0${String(error.params.missingProperty)}`))
    .map(({ diagnostic }) => diagnostic)
    .sort(byPosition);
}

function toDiagnostic(document: YamlDocument, error: ErrorObject): Diagnostic {
  const path = parsePointer(error.instancePath);
  const subject = describePath(path);
  const base = (message: string, code: string, at: string[], part: 'key' | 'value', hints?: string[]): Diagnostic => {
    return {
      severity: 'error',
      file: document.file,
      ...locate(document, at, part),
      message,
      code,
      ...(hints && hints.length > 0 ? { hints } : {}),
    };
  };
  const parent = isObject(error.parentSchema) ? error.parentSchema : {};
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const allowed = isObject(parent.properties) ? Object.keys(parent.properties) : [];
      const hints: string[] = [];
      const guess = suggest(key, allowed);
      if (key === '<<') hints.push('YAML merge keys are not supported: repeat the keys, or use `defaults`');
      else if (guess) hints.push(`did you mean "${guess}"?`);
      else if (allowed.length > 0) hints.push(`allowed keys: ${allowed.join(', ')}`);
      return base(`unknown key "${key}"`, 'unknown-key', [...path, key], 'key', hints);
    }
    case 'required': {
      const key = String(error.params.missingProperty);
      return base(`missing required key "${key}"${path.length > 0 ? ` in ${subject}` : ''}`, 'missing-key', path, 'value');
    }
    case 'type': {
      const expected = typeNames(error.params.type);
      const hints = numericStringHint(error.data, expected) ?? listHint(error.params.type, error.data);
      return base(`${subject} must be ${expected}, got ${describeYamlValue(error.data, true)}`, 'wrong-type', path, 'value', hints);
    }
    case 'enum': {
      const allowed = Array.isArray(error.params.allowedValues) ? error.params.allowedValues.map(String) : [];
      const guess = typeof error.data === 'string' ? suggest(error.data, allowed) : undefined;
      return base(
        `${subject} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, got ${describeYamlValue(error.data)}`,
        'invalid-value',
        path,
        'value',
        guess ? [`did you mean "${guess}"?`] : undefined,
      );
    }
    case 'const':
      return base(`${subject} must be ${JSON.stringify(error.params.allowedValue)}, got ${describeYamlValue(error.data)}`, 'invalid-value', path, 'value');
    case 'minimum':
    case 'maximum': {
      const min = parent.minimum;
      const max = parent.maximum;
      const bound =
        typeof min === 'number' && typeof max === 'number'
          ? `between ${thousands(min)} and ${thousands(max)}`
          : error.keyword === 'minimum'
            ? `at least ${thousands(Number(error.params.limit))}`
            : `at most ${thousands(Number(error.params.limit))}`;
      return base(`${subject} must be ${bound}, got ${describeYamlValue(error.data)}`, 'out-of-range', path, 'value');
    }
    case 'minLength': {
      const limit = Number(error.params.limit);
      return base(limit === 1 ? `${subject} must not be empty` : `${subject} must be at least ${limit} characters`, 'invalid-value', path, 'value');
    }
    case 'maxLength':
      return base(`${subject} must be at most ${Number(error.params.limit)} characters`, 'invalid-value', path, 'value');
    case 'minItems':
      return base(`${subject} must have at least ${Number(error.params.limit)} item${Number(error.params.limit) === 1 ? '' : 's'}`, 'invalid-value', path, 'value');
    case 'minProperties': {
      const allowed = isObject(parent.properties) ? Object.keys(parent.properties) : [];
      return base(`${subject} must not be empty`, 'empty-mapping', path, 'value', allowed.length > 0 ? [`give at least one of: ${allowed.join(', ')}`] : undefined);
    }
    case 'uniqueItems':
      return base(`${subject} lists the same value twice (items ${Number(error.params.j) + 1} and ${Number(error.params.i) + 1})`, 'invalid-value', path, 'value');
    default:
      return base(`${subject} ${error.message ?? 'is invalid'}`, 'invalid-value', path, 'value');
  }
}

/** `['datastores', '3', 'enrichment_prefix']` -> `enrichment_prefix`; `['datastores', '3']` -> `datastores[3]`. */
function describePath(path: readonly string[]): string {
  const last = path.at(-1);
  if (last === undefined) return 'the document';
  if (!/^\d+$/.test(last)) return last;
  let name = `[${last}]`;
  for (let i = path.length - 2; i >= 0; i--) {
    const segment = path[i] ?? '';
    if (/^\d+$/.test(segment)) {
      name = `[${segment}]${name}`;
    } else {
      return `${segment}${name}`;
    }
  }
  return `item ${name}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

function typeNames(type: unknown): string {
  const list = Array.isArray(type) ? type.map(String) : String(type).split(',');
  const names = list.map((t) => TYPE_NAMES[t] ?? t);
  return names.length <= 2 ? names.join(' or ') : `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
}

/** Never stringifies a collection: data from YAML may be cyclic (aliases) or huge. */
export function describeYamlValue(value: unknown, kind = false): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return `${JSON.stringify(shown)}${kind ? ' (a string)' : ''}`;
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isInteger(value) ? thousands(value) : String(value);
  return typeof value;
}

/** A mapping where a list belongs: `datastores:` followed by entries without their `- `. */
function listHint(type: unknown, data: unknown): string[] | undefined {
  return type === 'array' && isObject(data) ? ['start each item of the list with "- " (a dash and a space)'] : undefined;
}

function numericStringHint(data: unknown, expected: string): string[] | undefined {
  if (typeof data === 'string' && /^-?\d+$/.test(data.trim()) && expected.includes('an integer')) {
    return [`write ${data.trim()} without quotes to make it a number`];
  }
  return undefined;
}

function suggestionOf(hint: string): string {
  return /"([^"]*)"/.exec(hint)?.[1] ?? '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
