/**
 * Executes a Plan: the only module that writes. Datastores are independent and run up to
 * `parallelism` at once; inside one datastore the operations run in plan order, each only after the
 * previous one succeeded. A failure stops that datastore only. After the writes, the state the
 * server answered with is compared with the plan's `after` (convergence check).
 *
 * Requests: exactly one write per operation when nothing fails (the client retries transient faults,
 * which is safe because every call is idempotent); the PATCH and PUT answers carry the datastore, so
 * no re-read follows them; a DELETE answers 204 with no body, so a datastore whose last operation is
 * an unlink is read once more to confirm the link is gone and the strategy reset.
 */
import { ApiError, NetworkError, UnusableResponseError } from '../api/errors.js';
import type { QualyticsClient } from '../api/client.js';
import { enrichmentState } from '../api/observed-item.js';
import { describeValue } from '../model/describe.js';
import { differingIn, managedFields, STATE_FIELDS } from '../model/state.js';
import type { Change, EnrichmentState, Plan } from '../model/plan.js';
import type { ApplyReport, DatastoreResult, OperationResult } from '../model/report.js';

export interface ApplyRun {
  parallelism: number;
  /**
   * Aborted on Ctrl-C/SIGTERM: no new operation starts; those in flight finish. The client stops
   * at the same signal too: a request waiting to retry ends there, and its operation is reported
   * not run (or of unknown outcome, when a write it sent may have landed).
   */
  signal: AbortSignal;
  /**
   * Aborted on a second Ctrl-C/SIGTERM: stop waiting. The report is returned at once, with the
   * operations in flight marked `unknown`; the caller drops their connections (`client.destroy()`).
   */
  urgent?: AbortSignal;
  /** Told as each datastore finishes (for live progress); never after an urgent stop. */
  onResult?: (result: DatastoreResult) => void;
}

export async function applyPlan(client: QualyticsClient, plan: Plan, options: ApplyRun): Promise<ApplyReport> {
  const queue = plan.changes.filter((c) => c.action !== 'no-op');
  const results: Array<DatastoreResult | undefined> = new Array(queue.length);
  // The operations of each datastore under way, updated as they complete: what an urgent stop reports.
  const running = new Map<number, OperationResult[]>();
  let stopped = false;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < queue.length && !stopped) {
      const index = next++;
      const change = queue[index]!;
      const operations: OperationResult[] = change.operations.map((operation) => ({ operation, outcome: 'not-run' }));
      running.set(index, operations);
      const result = await applyChange(client, change, operations, options.signal);
      running.delete(index);
      if (stopped) return;
      results[index] = result;
      options.onResult?.(result);
    }
  };
  const work = Promise.all(Array.from({ length: Math.min(Math.max(1, options.parallelism), queue.length) }, worker));
  if (await finishesFirst(work, options.urgent)) {
    return { base_url: plan.base_url, interrupted: options.signal.aborted, results: results.map((r) => r!) };
  }
  stopped = true;
  // The writes left behind end when the caller destroys the connections; nothing waits for them.
  work.catch(() => undefined);
  return {
    base_url: plan.base_url,
    interrupted: true,
    results: queue.map((change, index) => results[index] ?? cutOff(change, running.get(index))),
  };
}

/** Whether `work` ended before `urgent` aborted (then its result is all there is). */
async function finishesFirst(work: Promise<unknown>, urgent: AbortSignal | undefined): Promise<boolean> {
  if (!urgent) {
    await work;
    return true;
  }
  if (urgent.aborted) return false;
  let onAbort = (): void => undefined;
  const stop = new Promise<false>((resolve) => {
    onAbort = () => resolve(false);
    urgent.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work.then(() => true), stop]);
  } finally {
    urgent.removeEventListener('abort', onAbort);
  }
}

/** A datastore an urgent stop left behind: its call on the way is of unknown outcome; the rest did not run. */
function cutOff(change: Change, operations: OperationResult[] | undefined): DatastoreResult {
  if (!operations) {
    return { datastore: change.datastore, status: 'skipped', reason: 'interrupted', operations: change.operations.map((operation) => ({ operation, outcome: 'not-run' })) };
  }
  const snapshot = operations.map((o) => ({ ...o }));
  const current = snapshot.find((o) => o.outcome === 'not-run');
  if (current) current.outcome = 'unknown';
  return { datastore: change.datastore, status: 'partial', reason: 'interrupted', operations: snapshot };
}

async function applyChange(client: QualyticsClient, change: Change, operations: OperationResult[], signal: AbortSignal): Promise<DatastoreResult> {
  let answered: EnrichmentState | undefined;
  let needsReread = false;
  const collateral: string[] = [];
  const interruptedAt = (i: number): DatastoreResult => ({
    datastore: change.datastore,
    status: i === 0 && operations[0]!.outcome === 'not-run' ? 'skipped' : 'partial',
    reason: 'interrupted',
    operations,
  });
  for (const [i, slot] of operations.entries()) {
    if (signal.aborted) return interruptedAt(i);
    try {
      const response = await client.perform(change.datastore.id, slot.operation);
      slot.outcome = 'done';
      collateral.push(...response.collateral);
      if (response.datastore) {
        answered = enrichmentState(response.datastore);
        needsReread = false;
      } else {
        needsReread = true;
      }
    } catch (err) {
      if (err instanceof UnusableResponseError && err.method !== 'GET' && err.status >= 200 && err.status < 300) {
        // The write was answered 2xx, so it is done on the server; only its answer is unusable.
        slot.outcome = 'done';
        return {
          datastore: change.datastore, status: 'failed', reason: 'not-converged', operations,
          mismatches: [`the server's answer could not be used to confirm the result: ${err.message}`],
        };
      }
      if (!(err instanceof ApiError || err instanceof NetworkError || err instanceof UnusableResponseError)) throw err;
      if (err instanceof NetworkError && err.interrupted) {
        // Stopped by Ctrl-C/SIGTERM before its next attempt, not failed.
        slot.outcome = err.interrupted === 'unknown' ? 'unknown' : 'not-run';
        return interruptedAt(i);
      }
      // No answer to a write that was sent, or a gateway's 5xx: it failed as far as enrichctl knows, but may have landed.
      slot.outcome = !(err instanceof UnusableResponseError) && err.mayHaveLanded ? 'unknown' : 'failed';
      slot.error = err instanceof ApiError
        ? { status: err.status, detail: err.detail, message: err.message }
        : { detail: err instanceof NetworkError ? err.reason : err.problem, message: err.message };
      return { datastore: change.datastore, status: 'failed', reason: 'operation-failed', operations };
    }
  }
  if (needsReread || !answered) {
    try {
      answered = enrichmentState(await client.getDatastore(change.datastore.id));
    } catch (err) {
      if (!(err instanceof ApiError || err instanceof NetworkError || err instanceof UnusableResponseError)) throw err;
      // Every operation is done; an interrupt came before the read that confirms them. Not failed:
      // the next apply confirms it, and finds nothing to do.
      if (err instanceof NetworkError && err.interrupted) return { datastore: change.datastore, status: 'partial', reason: 'interrupted', operations };
      return {
        datastore: change.datastore, status: 'failed', reason: 'not-converged', operations,
        mismatches: [`could not read the datastore back to confirm the result: ${err.message}`],
      };
    }
  }
  // Nothing but the planned settings may change: a whole-datastore PUT that moved a name, team, tag or
  // connection is reported as not converged, with what it moved.
  const mismatches = [...convergenceMismatches(change.after, answered, managedFields(change)), ...collateral.map((c) => `the settings update also changed what enrichctl does not manage: ${c}`)];
  if (mismatches.length > 0) {
    return { datastore: change.datastore, status: 'failed', reason: 'not-converged', operations, mismatches };
  }
  return { datastore: change.datastore, status: 'applied', operations };
}

/**
 * Each field, among `fields` (those the plan manages), whose value on the server is not what the plan
 * said it would be. A field no manifest sets is not looked at: another writer may change it meanwhile.
 */
export function convergenceMismatches(expected: EnrichmentState, actual: EnrichmentState | undefined, fields: ReadonlyArray<keyof EnrichmentState> = STATE_FIELDS): string[] {
  if (!actual) return ['the server answered without the enrichment fields, so the result could not be confirmed'];
  return differingIn(fields, expected, actual).map(
    (f) => `${f} is ${describeValue(f, actual)} on the server, but the plan expected ${describeValue(f, expected)}`,
  );
}
