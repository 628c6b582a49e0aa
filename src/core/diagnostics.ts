/**
 * Problems found in user input (manifests, seed files), collected rather than thrown one at a time,
 * after Terraform's tfdiags: a severity, a message, and where in which file.
 */
export type Severity = 'error' | 'warning' | 'note';

export interface SourcePosition {
  /** 1-based line and column. */
  line: number;
  column: number;
}

export interface Diagnostic {
  severity: Severity;
  /** The file as the user named it (relative paths stay relative). */
  file: string;
  /** Where the problem starts; absent for whole-file problems (unreadable, empty). */
  start?: SourcePosition;
  /** Where it ends (exclusive), on the same line or later; used to draw the caret underline. */
  end?: SourcePosition;
  message: string;
  /** A machine-readable code, stable across releases (e.g. `unknown-key`, `duplicate-datastore`). */
  code: string;
  /** Extra lines: a "did you mean", the other place of a duplicate, the normalised form of a prefix. */
  hints?: string[];
}

/** For sorting one file's diagnostics: whole-file problems first, then by line and column; stable for equal positions. */
export function byPosition(a: Diagnostic, b: Diagnostic): number {
  return (a.start?.line ?? 0) - (b.start?.line ?? 0) || (a.start?.column ?? 0) - (b.start?.column ?? 0);
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
