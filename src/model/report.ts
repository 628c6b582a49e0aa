/** What apply did, per datastore: the value behind the text and JSON reports. */
import type { DatastoreRef, Operation } from './plan.js';

export interface OperationResult {
  operation: Operation;
  /**
   * `unknown`: it may or may not have landed; plan again to see. The call was on its way when a
   * second Ctrl-C/SIGTERM stopped the run (or an interrupt came between a write whose answer was lost
   * and its retry), or it failed (`error`) after an attempt that was sent got no answer or a 5xx.
   */
  outcome: 'done' | 'failed' | 'not-run' | 'unknown';
  /** For a failed operation (or an `unknown` one that failed): the server's status and detail, or the network failure. */
  error?: { status?: number; detail: string; message: string };
}

export type DatastoreStatus =
  /** Every operation done and the server's state matches the plan's `after`. */
  | 'applied'
  /** An operation failed (the rest did not run), or the result did not match the plan. */
  | 'failed'
  /** Not started: interrupted before its first operation. */
  | 'skipped'
  /**
   * Interrupted after it started: the first operations are done, or one's outcome is unknown, or all
   * are done and the interrupt came before the read that confirms them.
   */
  | 'partial';

export interface DatastoreResult {
  datastore: DatastoreRef;
  status: DatastoreStatus;
  reason?: 'operation-failed' | 'not-converged' | 'interrupted';
  operations: OperationResult[];
  /** For `not-converged`: each field that differs from the plan. */
  mismatches?: string[];
}

export interface ApplyReport {
  base_url: string;
  interrupted: boolean;
  results: DatastoreResult[];
}

export interface ApplyCounts {
  applied: number;
  failed: number;
  skipped: number;
  partial: number;
}

export function countResults(report: ApplyReport): ApplyCounts {
  const counts: ApplyCounts = { applied: 0, failed: 0, skipped: 0, partial: 0 };
  for (const r of report.results) counts[r.status]++;
  return counts;
}
