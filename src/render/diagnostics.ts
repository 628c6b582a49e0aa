/**
 * Diagnostics for people (compiler style: `file:line:column: error: message`, the line, a caret
 * underline, hints) and for machines (a JSON array for editors and CI annotations). Pure: the
 * caller passes the source texts and whether to colour.
 */
import { visibleText } from '../core/visible-text.js';
import type { Diagnostic, Severity, SourcePosition } from '../core/diagnostics.js';
import { thousands } from '../core/format.js';

export interface TextOptions {
  /** File -> text, to show the offending line; a file without text gets no excerpt. */
  sources: ReadonlyMap<string, string>;
  colour: boolean;
}

const ANSI = { bold: '1', red: '31', yellow: '33', cyan: '36', green: '32', dim: '2' } as const;
const SEVERITY_COLOUR: Record<Severity, keyof typeof ANSI> = { error: 'red', warning: 'yellow', note: 'cyan' };

export function renderDiagnosticsText(diagnostics: readonly Diagnostic[], options: TextOptions): string {
  const paint = (style: keyof typeof ANSI, text: string, bold = false): string =>
    options.colour ? `\u001b[${bold ? '1;' : ''}${ANSI[style]}m${text}\u001b[0m` : text;
  const lines = new Map<string, string[]>();
  const lineOf = (file: string, line: number): string | undefined => {
    let split = lines.get(file);
    if (!split) {
      const text = options.sources.get(file);
      if (text === undefined) return undefined;
      split = text.split(/\r?\n/);
      lines.set(file, split);
    }
    return split[line - 1];
  };
  let out = '';
  for (const d of diagnostics) {
    // A saved plan's warnings (`show`) come from a file anyone may have edited: what they say is shown, never obeyed.
    const where = visibleText(d.start ? `${d.file}:${d.start.line}:${d.start.column}` : d.file);
    out += `${paint('bold', `${where}:`, true)} ${paint(SEVERITY_COLOUR[d.severity], `${d.severity}:`, true)} ${paint('bold', visibleText(d.message), true)}\n`;
    const source = d.start ? lineOf(d.file, d.start.line) : undefined;
    const gutter = d.start ? ' '.repeat(String(d.start.line).length) : '';
    if (d.start && source !== undefined) {
      const shown = excerpt(source, d.start, d.end);
      out += `${paint('dim', `${d.start.line} |`)} ${shown.text}\n`;
      out += `${paint('dim', `${gutter} |`)} ${paint('green', shown.caret, true)}\n`;
    }
    for (const hint of d.hints ?? []) out += `${gutter}${d.start && source !== undefined ? ' ' : ''}= ${visibleText(hint)}\n`;
  }
  return out;
}

/** At most this many characters of a source line are shown (a minified or generated line may be megabytes). */
export const MAX_EXCERPT = 200;
/** How much of a long line is kept before the column, when there is that much. */
const BEFORE_COLUMN = 60;
const ELLIPSIS = '…';

/**
 * The line, or a window of at most MAX_EXCERPT of its characters around the column with `…` where
 * it was cut, and the caret line under it, still under the right character.
 */
export function excerpt(source: string, start: SourcePosition, end: SourcePosition | undefined): { text: string; caret: string } {
  if (source.length <= MAX_EXCERPT) return { text: source, caret: caret(source, start, end) };
  const column = Math.min(start.column - 1, source.length);
  const hi = Math.min(source.length, Math.max(0, column - BEFORE_COLUMN) + MAX_EXCERPT);
  const lo = Math.max(0, hi - MAX_EXCERPT);
  const head = lo > 0 ? ELLIPSIS : '';
  const visible = head + source.slice(lo, hi);
  // Columns are 1-based; the window starts at `lo`, after the one-character head mark.
  const shift = lo - head.length;
  const at = (p: SourcePosition): SourcePosition => ({ line: p.line, column: p.column - shift });
  return { text: visible + (hi < source.length ? ELLIPSIS : ''), caret: caret(visible, at(start), end && at(end)) };
}

/** `^~~~` under the range on its first line; to the end of that line when the range goes on. */
function caret(source: string, start: SourcePosition, end: SourcePosition | undefined): string {
  const from = Math.min(start.column - 1, source.length);
  const to = end === undefined ? from + 1 : end.line === start.line ? Math.min(end.column - 1, source.length) : source.trimEnd().length;
  const width = Math.max(1, to - from);
  // Keep tabs so that the caret lines up under tab-indented text.
  const pad = source.slice(0, from).replace(/[^\t]/g, ' ');
  return `${pad}^${'~'.repeat(width - 1)}`;
}

export interface Summary {
  files: number;
  /** Shown when there are no errors: "valid: 12 datastores in 3 files". */
  datastores?: number;
  /** With them, when some: "valid: 12 datastores and 2 rules in 3 files". */
  rules?: number;
}

/** `2 errors, 1 warning in 3 files` (`1 error (no file could be read)`), or `valid: 12 datastores in 3 files (1 note)`. */
export function renderSummary(diagnostics: readonly Diagnostic[], summary: Summary): string {
  const count = (severity: Severity): number => diagnostics.filter((d) => d.severity === severity).length;
  const errors = count('error');
  const warnings = count('warning');
  const notes = count('note');
  const files = plural(summary.files, 'file');
  if (errors > 0) {
    const parts = [plural(errors, 'error'), ...(warnings > 0 ? [plural(warnings, 'warning')] : []), ...(notes > 0 ? [plural(notes, 'note')] : [])];
    return `${parts.join(', ')}${summary.files === 0 ? ' (no file could be read)' : ` in ${files}`}\n`;
  }
  const extra = [...(warnings > 0 ? [plural(warnings, 'warning')] : []), ...(notes > 0 ? [plural(notes, 'note')] : [])];
  // A rules-only manifest is not "0 datastores": its rules declare them, by what the live state holds.
  const rules = summary.rules ? ` and ${plural(summary.rules, 'rule')}` : '';
  const what = summary.datastores === undefined ? '' : `${plural(summary.datastores, 'datastore')}${rules} in `;
  return `valid: ${what}${files}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}\n`;
}

function plural(n: number, noun: string): string {
  return `${thousands(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** The JSON form: one flat object per diagnostic, positions null for whole-file problems. */
export interface DiagnosticJson {
  severity: Severity;
  file: string;
  line: number | null;
  column: number | null;
  endLine: number | null;
  endColumn: number | null;
  message: string;
  code: string;
  hints: string[];
}

export function diagnosticsToJson(diagnostics: readonly Diagnostic[]): DiagnosticJson[] {
  return diagnostics.map((d) => ({
    severity: d.severity,
    file: d.file,
    line: d.start?.line ?? null,
    column: d.start?.column ?? null,
    endLine: d.end?.line ?? d.start?.line ?? null,
    endColumn: d.end?.column ?? d.start?.column ?? null,
    message: d.message,
    code: d.code,
    hints: [...(d.hints ?? [])],
  }));
}

export function renderDiagnosticsJson(diagnostics: readonly Diagnostic[]): string {
  return `${JSON.stringify(diagnosticsToJson(diagnostics), null, 2)}\n`;
}
