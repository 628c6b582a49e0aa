/**
 * The one rule for server-provided text (datastore names, prefixes, error details) on a terminal or
 * in plain text: every character that would act instead of show is written as a visible escape.
 *
 * `JSON.stringify` already escapes C0 controls (`\n`, `\u001b`...) inside a quoted name, but not DEL,
 * the C1 controls (U+0080-U+009F: U+009B alone is a CSI, i.e. an ANSI escape on many terminals), the
 * bidi controls (U+202A-U+202E, U+2066-U+2069, U+200E/U+200F, U+061C: "Trojan Source" reordering) nor
 * the line and paragraph separators (U+2028/U+2029, a line break on some terminals). Kept in `core/`
 * because both the pure planning core (`model/describe.ts`) and `api/errors.ts` use it.
 */

const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same characters, for a test (a global expression's `test` would keep its place between calls). */
const HAS_HIDDEN = new RegExp(HIDDEN.source);

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escape = (c: string): string => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** The text with each control, bidi or separator character written as an escape (`\n`, `\u001b`, `\u202e`). */
export function visibleText(text: string): string {
  // Most names hold none: they are returned as they are, with no replacement made.
  return HAS_HIDDEN.test(text) ? text.replace(HIDDEN, escape) : text;
}

/**
 * The same, line breaks kept: for a message enrichctl laid out on several lines, whose pieces may
 * quote a saved plan's or the server's text with `JSON.stringify` (which leaves C1, DEL and bidi
 * controls as they are). Every error message passes through it on its way to standard error.
 */
export function visibleLines(text: string): string {
  return text.split('\n').map(visibleText).join('\n');
}

/** The text quoted as a JSON string, with the escapes `JSON.stringify` leaves out added. */
export function quoteText(text: string): string {
  return visibleText(JSON.stringify(text));
}

/** At most `max` characters of a value shown as JSON (`undefined` reads as `missing`), made visible. */
export function quoteValue(value: unknown, max = 60): string {
  if (value === undefined) return 'missing';
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    json = String(value);
  }
  const shown = json.length > max ? `${json.slice(0, max)}...` : json;
  return visibleText(shown);
}
