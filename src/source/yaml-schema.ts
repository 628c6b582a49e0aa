/**
 * YAML 1.2's core schema as the `yaml` library resolves it, written as a js-yaml schema: js-yaml's
 * own schemas differ in corners (its default one has YAML 1.1 timestamps, merge keys, binary and
 * sets; its core one reads `0b1010`, `1_000`, `+.inf`... otherwise). Each test below is `yaml`
 * 2.x's (schema/core/*.js, in its order), held to it by test/source/yaml-reader.test.ts.
 *
 * The implicit types carry a private tag, so that a tag written in the file (`!!int 10`, `!secret
 * x`) never matches one of them: every written tag goes to the catch-all types, which keep the
 * value as read, and the reader refuses it with its position (manifests are plain data).
 */
import { Schema, Type } from 'js-yaml';

/** The tag js-yaml leaves on a node whose type one of these implicit types resolved. */
export const RESOLVED_TAG = 'tag:enrichctl,2026:';

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** The value `yaml` gives a plain scalar, for the scalars that are not strings. */
function resolveNumber(text: string): number {
  if (INT_OCT.test(text)) return parseInt(text.substring(2), 8);
  if (INT.test(text)) return parseInt(text, 10);
  if (INT_HEX.test(text)) return parseInt(text.substring(2), 16);
  if (FLOAT_NAN.test(text)) return text.slice(-3).toLowerCase() === 'nan' ? NaN : text.startsWith('-') ? -Infinity : Infinity;
  return parseFloat(text);
}

/** Every number starts with a digit, a sign or a dot: other texts skip the six tests (most strings). */
const NUMBER_START = /^[-+.0-9]/;
const isNumber = (text: string): boolean =>
  NUMBER_START.test(text) && (INT_OCT.test(text) || INT.test(text) || INT_HEX.test(text) || FLOAT_NAN.test(text) || FLOAT_EXP.test(text) || FLOAT.test(text));

/** A plain scalar's value as the core schema reads it. */
export function plainValue(text: string): unknown {
  if (NULL.test(text)) return null;
  if (BOOL.test(text)) return text[0] === 't' || text[0] === 'T';
  return isNumber(text) ? resolveNumber(text) : text;
}

// js-yaml tries each type on every plain scalar: the first character rules most strings out at once.
export const NULL_START = /^[~nN]/;
const BOOL_START = /^[tTfF]/;

const implicit = [
  new Type(`${RESOLVED_TAG}null`, { kind: 'scalar', resolve: (text: string) => NULL_START.test(text) && NULL.test(text), construct: () => null }),
  new Type(`${RESOLVED_TAG}bool`, { kind: 'scalar', resolve: (text: string) => BOOL_START.test(text) && BOOL.test(text), construct: (text: string) => text[0] === 't' || text[0] === 'T' }),
  new Type(`${RESOLVED_TAG}number`, { kind: 'scalar', resolve: isNumber, construct: resolveNumber }),
];

/** Any written tag, local (`!x`) or global (`!!x`, `!<tag:...>`), on any kind of node: kept as read. */
const written = (['scalar', 'sequence', 'mapping'] as const).map(
  // A multi type matches every tag its name starts with: the empty name, every tag.
  (kind) => new Type('', { kind, multi: true, resolve: () => true, construct: (data: unknown) => data }),
);

export const CORE_SCHEMA = new Schema({ implicit, explicit: written });
