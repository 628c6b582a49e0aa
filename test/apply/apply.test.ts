/** applyPlan against the real emulator: what runs after a failure, asserted from the call log. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QualyticsClient } from '../../src/api/client.js';
import { applyPlan } from '../../src/apply/apply.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { Seed } from '../../src/core/seed-types.js';
import { PLAIN } from '../../src/render/colour.js';
import { renderResultLine } from '../../src/render/apply-text.js';
import type { Change, EnrichmentState, Operation, Plan } from '../../src/model/plan.js';
import { state } from '../plan/builders.js';
import { link } from '../helpers/operations.js';

const TOKEN = 'apply-admin-token-2b8e';
const SRC = { id: 42, name: 'Orders' };
const ENR = { id: 100, name: 'Warehouse Enrichment' };
const seed: Seed = {
  users: [{ name: 'Ada', role: 'Admin', token: TOKEN }],
  datastores: [{ ...SRC, enrichment_prefix: '_source' }, { ...ENR, enrichment_only: true }],
};

/** Link, then append: the PUT depends on the PATCH (append needs a link). */
const linkAndAppend: Change = {
  datastore: SRC, action: 'update', declared_at: { file: 'm.yaml', line: 3, column: 5 },
  before: state(), after: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'append' }),
  changed_fields: ['enrich_datastore', 'enrichment_remediation_strategy'],
  operations: [
    { type: 'link', enrich_datastore: ENR },
    { type: 'update_settings', body: { enrichment_remediation_strategy: 'append' } },
  ],
};

let em: RunningEmulator;
let client: QualyticsClient;
beforeEach(async () => {
  em = await startEmulator({ seed });
  client = new QualyticsClient({ baseUrl: em.url, token: TOKEN, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
});
afterEach(async () => {
  await client.close();
  await em.close();
});

function plan(changes: Change[]): Plan {
  return {
    format_version: 1, base_url: em.url, manifest_digest: `sha256:${'0'.repeat(64)}`, manifest_paths: ['m.yaml'],
    changes, summary: { link: 1, unlink: 0, update: 0, unchanged: 0 },
  };
}

describe('applyPlan after a failed operation', () => {
  it('stops that datastore: the PUT after a refused PATCH is never sent, and the report says it did not run', async () => {
    // 403 is permanent: no retry.
    em.setFaults({ script: [{ method: 'PATCH', status: 403, times: 1 }] });
    const report = await applyPlan(client, plan([linkAndAppend]), { parallelism: 4, signal: new AbortController().signal });

    expect(em.calls().map((c) => `${c.method} ${c.path} -> ${c.status}`)).toStrictEqual(['PATCH /api/datastores/42/enrichment/100 -> 403']);
    expect(report.results).toHaveLength(1);
    const [result] = report.results;
    expect(result).toMatchObject({ datastore: SRC, status: 'failed', reason: 'operation-failed' });
    expect(result!.operations.map((o) => o.outcome)).toStrictEqual(['failed', 'not-run']);
    expect(result!.operations[0]!.error).toMatchObject({ status: 403 });
    expect(result!.mismatches).toBeUndefined();
    expect(renderResultLine(result!, PLAIN).split('\n')[2]).toBe('         not run  PUT /datastores/42');
    // Nothing changed on the server.
    expect(em.snapshot().find((d) => d.id === 42)).toMatchObject({ enrich_datastore: null, enrichment_remediation_strategy: 'none' });
  });
});

const unlinkPayments = (): Change => ({
  datastore: { id: 43, name: 'Payments' }, action: 'update', declared_at: { file: 'm.yaml', line: 6, column: 5 },
  before: state({ enrich_datastore: ENR }), after: state(),
  changed_fields: ['enrich_datastore'],
  operations: [{ type: 'unlink' }],
});
const setRollup = (id: number, sent: number, expected: EnrichmentState = state({ high_count_rollup_threshold: sent })): Change => ({
  datastore: { id, name: id === 42 ? 'Orders' : 'Payments' }, action: 'update', declared_at: { file: 'm.yaml', line: 3, column: 5 },
  before: state(), after: expected, changed_fields: ['high_count_rollup_threshold'],
  operations: [{ type: 'update_settings', body: { high_count_rollup_threshold: sent } } satisfies Operation],
});

describe('applyPlan: interrupts, read-back, convergence', () => {
  beforeEach(async () => {
    await em.close();
    em = await startEmulator({ seed: { ...seed, datastores: [...seed.datastores, { id: 43, name: 'Payments', enrich_datastore: 100, enrichment_prefix: '_source' }] } });
    await client.close();
    client = new QualyticsClient({ baseUrl: em.url, token: TOKEN, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
  });

  it('starts nothing when interrupted before it begins: every datastore skipped, no request', async () => {
    const aborted = new AbortController();
    aborted.abort();
    const report = await applyPlan(client, plan([linkAndAppend, unlinkPayments()]), { parallelism: 0, signal: aborted.signal });
    expect(report.interrupted).toBe(true);
    expect(report.results.map((r) => [r.status, r.reason, r.operations.map((o) => o.outcome)])).toStrictEqual([
      ['skipped', 'interrupted', ['not-run', 'not-run']],
      ['skipped', 'interrupted', ['not-run']],
    ]);
    expect(em.calls()).toStrictEqual([]);
  });

  it('finishes the operation in flight when interrupted, then starts no other: partial', async () => {
    // The PATCH commits but its answer is a 503; the interrupt comes while the client waits to retry.
    em.setFaults({ script: [{ method: 'PATCH', status: 503, afterCommit: true, times: 1 }] });
    const interrupt = new AbortController();
    const retrying = new QualyticsClient({ baseUrl: em.url, token: TOKEN, retry: { baseDelayMs: 1, maxDelayMs: 2 }, onRetry: () => interrupt.abort() });
    try {
      const report = await applyPlan(retrying, plan([linkAndAppend]), { parallelism: 1, signal: interrupt.signal });
      expect(report.interrupted).toBe(true);
      expect(report.results.map((r) => [r.status, r.reason, r.operations.map((o) => o.outcome)])).toStrictEqual([['partial', 'interrupted', ['done', 'not-run']]]);
      expect(em.calls().map((c) => `${c.method} ${c.status}`)).toStrictEqual(['PATCH 503', 'PATCH 200']);
    } finally {
      await retrying.close();
    }
  });

  it('reads an unlinked datastore back once (a DELETE answers no body), and says so when that read fails', async () => {
    const ok = await applyPlan(client, plan([unlinkPayments()]), { parallelism: 1, signal: new AbortController().signal });
    expect(ok.results.map((r) => r.status)).toStrictEqual(['applied']);
    expect(em.calls().map((c) => `${c.method} ${c.path} ${c.status}`)).toStrictEqual(['DELETE /api/datastores/43/enrichment 204', 'GET /api/datastores/43 200']);

    em.clearCalls();
    await link(client, 43, 100);
    em.setFaults({ script: [{ method: 'GET', status: 404, times: 1 }] });
    const unread = await applyPlan(client, plan([unlinkPayments()]), { parallelism: 1, signal: new AbortController().signal });
    expect(unread.results).toStrictEqual([{
      datastore: { id: 43, name: 'Payments' }, status: 'failed', reason: 'not-converged',
      operations: [{ operation: unlinkPayments().operations[0], outcome: 'done' }],
      mismatches: [expect.stringMatching(/^could not read the datastore back to confirm the result: GET \/datastores\/43 answered 404: /)],
    }]);
  });

  it('an interrupt after a DELETE and before its read-back: partial (interrupted), not failed', async () => {
    const interrupt = new AbortController();
    const stopping = new QualyticsClient({
      baseUrl: em.url, token: TOKEN, signal: interrupt.signal,
      onExchange: (e) => { if (e.method === 'DELETE') interrupt.abort(); },
    });
    try {
      const report = await applyPlan(stopping, plan([unlinkPayments()]), { parallelism: 1, signal: interrupt.signal });
      expect(report.results).toStrictEqual([{
        datastore: { id: 43, name: 'Payments' }, status: 'partial', reason: 'interrupted',
        operations: [{ operation: unlinkPayments().operations[0], outcome: 'done' }],
      }]);
      expect(em.calls().map((c) => `${c.method} ${c.status}`)).toStrictEqual(['DELETE 204']);
    } finally {
      await stopping.close();
    }
  });

  it('reports a result other than the plan expected as not converged, naming the field', async () => {
    const report = await applyPlan(client, plan([setRollup(42, 30, state({ high_count_rollup_threshold: 20 }))]), { parallelism: 2, signal: new AbortController().signal });
    expect(report.results.map((r) => [r.status, r.reason, r.mismatches])).toStrictEqual([
      ['failed', 'not-converged', ['high_count_rollup_threshold is 30 on the server, but the plan expected 20']],
    ]);
  });

  it('records a network failure on the operation, with no status, and goes on with other datastores', async () => {
    const port = em.port;
    await em.close();
    const offline = new QualyticsClient({ baseUrl: `http://127.0.0.1:${port}/api`, token: TOKEN, retry: { retries: 0 } });
    try {
      const report = await applyPlan(offline, plan([setRollup(42, 30), setRollup(43, 31)]), { parallelism: 1, signal: new AbortController().signal });
      expect(report.results.map((r) => [r.datastore.id, r.status, r.operations[0]!.outcome])).toStrictEqual([[42, 'failed', 'failed'], [43, 'failed', 'failed']]);
      const error = report.results[0]!.operations[0]!.error!;
      expect(error.status).toBeUndefined();
      expect(error.message).toBe(`PUT /datastores/42 failed: ${error.detail}`);
      expect(error.detail).toMatch(/^connection refused by 127\.0\.0\.1:/);
    } finally {
      await offline.close();
      em = await startEmulator({ seed });
    }
  });
});

describe('applyPlan: a write that failed for good, but may have landed', () => {
  it('a gateway answering 502 to every attempt of a write the server committed: unknown, with its error; a refusal stays failed', async () => {
    em.setFaults({ script: [{ method: 'PUT', pathPattern: '^/api/datastores/42$', status: 502, afterCommit: true, times: 10 }, { method: 'PUT', pathPattern: '^/api/datastores/43$', status: 409, times: 10 }] });
    const report = await applyPlan(client, plan([setRollup(42, 30), setRollup(43, 31)]), { parallelism: 1, signal: new AbortController().signal });
    expect(report.results.map((r) => [r.datastore.id, r.status, r.operations[0]!.outcome])).toStrictEqual([[42, 'failed', 'unknown'], [43, 'failed', 'failed']]);
    expect(report.results[0]!.operations[0]!.error?.message).toBe('PUT /datastores/42 answered 502 (after 5 attempts): Bad Gateway (injected by the emulator)');
    // It did land: the next plan sees it.
    expect(em.snapshot().find((d) => d.id === 42)?.high_count_rollup_threshold).toBe(30);
    expect(renderResultLine(report.results[0]!, PLAIN)).toContain('unknown  PUT /datastores/42 answered 502 (after 5 attempts): Bad Gateway (injected by the emulator); it may have landed (run plan to see)');
  });

  it('a connection refused was never sent: failed, not unknown', async () => {
    const port = em.port;
    await em.close();
    const offline = new QualyticsClient({ baseUrl: `http://127.0.0.1:${port}/api`, token: TOKEN, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 } });
    try {
      const report = await applyPlan(offline, plan([setRollup(42, 30)]), { parallelism: 1, signal: new AbortController().signal });
      expect(report.results[0]!.operations[0]!.outcome).toBe('failed');
    } finally {
      await offline.close();
      em = await startEmulator({ seed });
    }
  });
});

describe('applyPlan after a second interrupt', () => {
  it('returns at once: the datastore in flight is partial with its call of unknown outcome, those never started are skipped', async () => {
    em.setFaults({ latencyMs: 2_000 });
    const second: Change = { ...linkAndAppend, datastore: { id: 43, name: 'Second' } };
    const urgent = new AbortController();
    const signal = new AbortController();
    // With one datastore at a time, the first is in flight when the second interrupt comes.
    const running = applyPlan(client, plan([linkAndAppend, second]), { parallelism: 1, signal: signal.signal, urgent: urgent.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    signal.abort();
    urgent.abort();
    const report = await running;
    await client.destroy();
    expect(report.interrupted).toBe(true);
    expect(report.results.map((r) => [r.datastore.id, r.status, r.operations.map((o) => o.outcome)])).toStrictEqual([
      [42, 'partial', ['unknown', 'not-run']],
      [43, 'skipped', ['not-run', 'not-run']],
    ]);
    // The emulator answers nothing within its latency: the report did not wait for the PATCH.
    expect(em.calls()).toStrictEqual([]);
  });

  it('an urgent stop before anything started skips every datastore', async () => {
    const urgent = new AbortController();
    urgent.abort();
    const signal = new AbortController();
    signal.abort();
    const report = await applyPlan(client, plan([linkAndAppend]), { parallelism: 2, signal: signal.signal, urgent: urgent.signal });
    expect(report.results.map((r) => r.status)).toStrictEqual(['skipped']);
    expect(em.calls()).toStrictEqual([]);
  });
});
