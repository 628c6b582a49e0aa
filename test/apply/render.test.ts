/**
 * The text of an apply report, from ApplyReport values (pure): every kind of line and summary, held
 * to golden files in test/apply/golden/ (only UPDATE_GOLDEN=1 writes them).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ApplyReport, DatastoreResult } from '../../src/model/report.js';
import { COLOUR, PLAIN } from '../../src/render/colour.js';
import { renderApplySummary, renderResultLine } from '../../src/render/apply-text.js';
import type { Operation } from '../../src/model/plan.js';
import { expectGolden } from '../helpers/golden.js';

const ENR = { id: 100, name: 'Warehouse Enrichment' };
const link = (id: number): Operation => ({ type: 'link', enrich_datastore: ENR });
const put = (id: number): Operation => ({ type: 'update_settings', body: { enrichment_remediation_strategy: 'append' } });
const unlink = (id: number): Operation => ({ type: 'unlink' });

const RESULTS: Record<string, DatastoreResult> = {
  applied: {
    datastore: { id: 1, name: 'Orders' }, status: 'applied',
    operations: [{ operation: link(1), outcome: 'done' }, { operation: put(1), outcome: 'done' }],
  },
  'operation-failed': {
    datastore: { id: 2, name: 'Customers' }, status: 'failed', reason: 'operation-failed',
    operations: [
      { operation: link(2), outcome: 'failed', error: { status: 403, detail: 'Forbidden', message: 'PATCH /datastores/2/enrichment/100 answered 403: Forbidden' } },
      { operation: put(2), outcome: 'not-run' },
    ],
  },
  'network-failed': {
    datastore: { id: 3, name: 'Payments' }, status: 'failed', reason: 'operation-failed',
    operations: [{ operation: unlink(3), outcome: 'failed', error: { detail: 'connection reset', message: 'DELETE /datastores/3/enrichment failed (after 4 attempts): connection reset' } }],
  },
  'not-converged': {
    datastore: { id: 4, name: 'Busy' }, status: 'failed', reason: 'not-converged',
    operations: [{ operation: put(4), outcome: 'done' }],
    mismatches: [
      'enrichment_remediation_strategy is "none" on the server, but the plan expected "append"',
      'the settings update also changed what enrichctl does not manage: name "Busy" -> "Busy (copy)"',
    ],
  },
  'read-back-failed': {
    datastore: { id: 5, name: 'Inventory' }, status: 'failed', reason: 'not-converged',
    operations: [{ operation: unlink(5), outcome: 'done' }],
    mismatches: ['could not read the datastore back to confirm the result: GET /datastores/5 answered 503 (after 4 attempts): Service Unavailable'],
  },
  partial: {
    datastore: { id: 6, name: 'Shipments' }, status: 'partial', reason: 'interrupted',
    operations: [{ operation: link(6), outcome: 'done' }, { operation: put(6), outcome: 'not-run' }],
  },
  skipped: {
    datastore: { id: 7, name: 'Returns' }, status: 'skipped', reason: 'interrupted',
    operations: [{ operation: link(7), outcome: 'not-run' }, { operation: put(7), outcome: 'not-run' }],
  },
};

const report = (interrupted: boolean, ...names: string[]): ApplyReport => ({
  base_url: 'http://127.0.0.1:1/api', interrupted, results: names.map((n) => RESULTS[n]!),
});

const SUMMARIES: Record<string, ApplyReport> = {
  complete: report(false, 'applied'),
  'with errors': report(false, 'applied', 'operation-failed', 'not-converged'),
  interrupted: report(true, 'applied', 'partial', 'skipped'),
  'interrupted with errors': report(true, 'operation-failed', 'partial'),
};

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));

describe('apply report text (golden)', () => {
  it('one block per kind of result line', () => {
    const text = Object.entries(RESULTS).map(([name, r]) => `# ${name}\n${renderResultLine(r, PLAIN)}`).join('\n');
    expectGolden(`${GOLDEN}result-lines.txt`, text, 'test/apply/render.test.ts');
  });

  it('one summary per kind of outcome', () => {
    const text = Object.entries(SUMMARIES).map(([name, r]) => `# ${name}\n${renderApplySummary(r, PLAIN)}`).join('\n');
    expectGolden(`${GOLDEN}summaries.txt`, text, 'test/apply/render.test.ts');
  });
});

describe('apply report text (exact lines)', () => {
  it('says a read-back failure is not converged, with the reason, after the operation that was done', () => {
    expect(renderResultLine(RESULTS['read-back-failed']!, PLAIN)).toBe(
      'failed   "Inventory" (id 5)\n' +
        '         done     DELETE /datastores/5/enrichment\n' +
        '         not converged: could not read the datastore back to confirm the result: GET /datastores/5 answered 503 (after 4 attempts): Service Unavailable\n',
    );
  });

  it('counts partially applied datastores, and colours only when asked', () => {
    expect(renderApplySummary(SUMMARIES.interrupted!, PLAIN)).toBe(
      'Apply interrupted: 1 applied, 0 failed, 1 skipped, 1 partially applied.\n' +
        'Run apply again to finish: every call enrichctl makes is idempotent, so it converges.\n',
    );
    expect(renderApplySummary(SUMMARIES.complete!, PLAIN)).toBe('Apply complete: 1 applied, 0 failed, 0 skipped.\n');
    expect(renderResultLine(RESULTS.partial!, COLOUR)).toContain('\u001b[33mpartial\u001b[39m');
    expect(renderResultLine(RESULTS.applied!, PLAIN)).not.toContain('\u001b[');
  });
});
