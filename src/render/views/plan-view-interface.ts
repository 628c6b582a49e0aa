/** What `plan` and `show` hand their view, whatever the format (its own file: every plan view implements it). */
import type { Diagnostic } from '../../core/diagnostics.js';
import type { Plan } from '../../model/plan.js';
import type { Declaration } from '../findings.js';

export interface PlanView {
  /** No plan: every error (and the declarations, for formats that list them). */
  failed(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>, declarations?: readonly Declaration[]): void;
  warnings(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void;
  plan(plan: Plan): void;
  /** The plan was saved with --out. */
  saved(file: string): void;
  /** The run stopped on an error that is not a diagnostic (network, credentials, interrupt); the CLI reports the error itself. */
  aborted(reason: string, declarations?: readonly Declaration[]): void;
}
