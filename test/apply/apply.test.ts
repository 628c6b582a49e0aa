/** applyPlan against the real emulator: what runs after a failure, asserted from the call log. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QualyticsClient } from '../../src/api/client.js';
import { applyPlan } from '../../src/apply/apply.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { Seed } from '../../src/emulator/seed-types.js';
import { PLAIN } from '../../src/render/colour.js';
import { renderResultLine } from '../../src/render/apply-text.js';
import type { Change, Plan } from '../../src/plan/types.js';
import { state } from '../plan/builders.js';

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
    { type: 'link', method: 'PATCH', path: '/datastores/42/enrichment/100', enrich_datastore: ENR },
    { type: 'update_settings', method: 'PUT', path: '/datastores/42', body: { enrichment_remediation_strategy: 'append' } },
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
