/**
 * Server-provided text (datastore and enrichment datastore names, prefixes, messages that quote
 * them) embedded in the Markdown a pipeline posts as a pull-request comment. Anyone who can name a
 * datastore can choose that text, so it must not be able to forge table rows, headings, links,
 * images, HTML, code blocks or @mentions in a comment reviewers trust. One function per context:
 *
 * - `markdownText`: inline Markdown (table cells, list items, block quotes, headings).
 * - `htmlText`: inside an HTML block (`<summary>`), where Markdown is not processed.
 * - `codeSpan`: inline code, delimited by more backticks than the text contains.
 * - `fencedBlock`: a code block whose fence is longer than any backtick run inside.
 *
 * Common to all: the text stays on one line (line breaks become `␤`, other control and
 * bidirectional-override characters `�`). Outside code, `@name`, `scheme://` and `www.` are broken
 * with an invisible zero-width space, so GitHub neither notifies anyone nor autolinks.
 */

/** Line breaks of every kind: shown, never obeyed. */
const LINE_BREAKS = /\r\n|[\n\r\u2028\u2029\u0085\v\f]/g;
/**
 * C0 and C1 controls (but tab) and the bidi embeddings, overrides and isolates that reorder what a
 * reviewer sees (CVE-2021-42574, "Trojan Source").
 */
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const ZWSP = '\u200b';

/** One line of visible characters: what code spans and blocks need (Markdown is not parsed there). */
function plainLine(text: string): string {
  return text.replace(LINE_BREAKS, '␤').replace(/\t/g, ' ').replace(CONTROLS, '\ufffd');
}

/**
 * One line, mentions and autolinks defused: the base of the Markdown and HTML contexts. Spaces that
 * Markdown and HTML would collapse or trim (leading, trailing, two or more in a row) are no-break
 * spaces, so ` Orders` and `Orders  Daily` read as the distinct names they are.
 */
function oneLine(text: string): string {
  return plainLine(text)
    .replace(/^ +| +$| {2,}/g, (spaces) => '\u00a0'.repeat(spaces.length))
    .replace(/@/g, `@${ZWSP}`)
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}${ZWSP}.`);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text inside an HTML block or element: entities only (a backslash would show literally there).
 * Markdown is not parsed inside an HTML block, but the characters that would mean something if a
 * renderer did (links, code, tables, math) are entities too: they look the same. (Not `_` and
 * `*`, common in datastore names: emphasis cannot forge structure.)
 */
export function htmlText(text: string): string {
  return oneLine(text).replace(/[&<>"'[\]|`$\\]/g, (c) => HTML_ENTITIES[c] ?? `&#${c.charCodeAt(0)};`);
}

/**
 * Inline Markdown: HTML characters as entities, and a backslash before every character that could
 * start emphasis, a link or image (`[`, `]`, `!`), a table cell (`|`), code (`` ` ``), a heading
 * (`#`), strikethrough (`~`), math (`$`), or an escape (`\`). A leading list or quote marker is
 * escaped too, should the text ever start a line.
 */
export function markdownText(text: string): string {
  return oneLine(text)
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c] ?? c)
    .replace(/[\\`*_[\]|~#!$]/g, '\\$&')
    .replace(/^([-+=]|\d+[.)])/, (m) => (m.length === 1 ? `\\${m}` : `${m.slice(0, -1)}\\${m.slice(-1)}`));
}

/** The longest run of backticks in `text`. */
function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/** `` `text` ``, with as many backticks as needed; padded when the text starts or ends with one. */
export function codeSpan(text: string): string {
  const content = plainLine(text);
  const ticks = '`'.repeat(longestBacktickRun(content) + 1);
  const pad = content.startsWith('`') || content.endsWith('`') || content === '' ? ' ' : '';
  return `${ticks}${pad}${content}${pad}${ticks}`;
}

/**
 * A fenced code block. Each line of `lines` is made one line as above (so a value cannot add
 * lines), and the fence is longer than any backtick run inside, so nothing can close it early.
 */
export function fencedBlock(info: string, lines: readonly string[]): string {
  const body = lines.map(plainLine);
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(body.join('\n')) + 1));
  return [`${fence}${info}`, ...body, fence].join('\n');
}
