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
import type { ApiDatastore } from '../core/api-types.js';
import { ApiError, NetworkError, UnusableResponseError } from '../api/errors.js';
import type { QualyticsClient } from '../api/client.js';
import { enrichmentState } from '../api/observe.js';
import { describeValue } from '../plan/describe.js';
import { differingFields } from '../plan/diff.js';
import type { Change, EnrichmentState, Operation, Plan } from '../plan/types.js';
import type { ApplyReport, DatastoreResult, OperationResult } from './report.js';

export interface ApplyOptions {
  parallelism: number;
  /** Aborted on Ctrl-C/SIGTERM: no new operation starts; those in flight finish. */
  signal: AbortSignal;
  /** Told as each datastore finishes (for live progress). */
  onResult?: (result: DatastoreResult) => void;
}

export async function applyPlan(client: QualyticsClient, plan: Plan, options: ApplyOptions): Promise<ApplyReport> {
  const queue = plan.changes.filter((c) => c.action !== 'no-op');
  const results: DatastoreResult[] = new Array(queue.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < queue.length) {
      const index = next++;
      const result = await applyChange(client, queue[index]!, options.signal);
      results[index] = result;
      options.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, options.parallelism), queue.length) }, worker));
  return { base_url: plan.base_url, interrupted: options.signal.aborted, results };
}

async function applyChange(client: QualyticsClient, change: Change, signal: AbortSignal): Promise<DatastoreResult> {
  const operations: OperationResult[] = change.operations.map((operation) => ({ operation, outcome: 'not-run' }));
  let answered: EnrichmentState | undefined;
  let needsReread = false;
  const collateral: string[] = [];
  for (const [i, slot] of operations.entries()) {
    if (signal.aborted) {
      return { datastore: change.datastore, status: i === 0 ? 'skipped' : 'partial', reason: 'interrupted', operations };
    }
    try {
      const response = await execute(client, change.datastore.id, slot.operation);
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
      slot.outcome = 'failed';
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
      return {
        datastore: change.datastore, status: 'failed', reason: 'not-converged', operations,
        mismatches: [`could not read the datastore back to confirm the result: ${err.message}`],
      };
    }
  }
  // Nothing but the planned settings may change: a whole-datastore PUT that moved a name, team, tag or
  // connection is reported as not converged, with what it moved.
  const mismatches = [...convergenceMismatches(change.after, answered), ...collateral.map((c) => `the settings update also changed what enrichctl does not manage: ${c}`)];
  if (mismatches.length > 0) {
    return { datastore: change.datastore, status: 'failed', reason: 'not-converged', operations, mismatches };
  }
  return { datastore: change.datastore, status: 'applied', operations };
}

interface Executed {
  /** The datastore as the server answered the call; none for a DELETE (204). */
  datastore?: ApiDatastore;
  collateral: string[];
}

async function execute(client: QualyticsClient, id: number, op: Operation): Promise<Executed> {
  switch (op.type) {
    case 'link':
      return { datastore: await client.linkEnrichment(id, op.enrich_datastore.id), collateral: [] };
    case 'update_settings':
      return client.updateSettings(id, op.body);
    case 'unlink':
      await client.unlinkEnrichment(id);
      return { collateral: [] };
    default: {
      const unreachable: never = op;
      throw new Error(`unknown operation ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Each field whose value on the server is not what the plan said it would be. */
export function convergenceMismatches(expected: EnrichmentState, actual: EnrichmentState | undefined): string[] {
  if (!actual) return ['the server answered without the enrichment fields, so the result could not be confirmed'];
  return differingFields(expected, actual).map(
    (f) => `${f} is ${describeValue(f, actual)} on the server, but the plan expected ${describeValue(f, expected)}`,
  );
}
