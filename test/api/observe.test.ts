/** observe against the real emulator: what a name look-up keeps when the server filters loosely. */
import { afterEach, describe, expect, it } from 'vitest';
import { QualyticsClient } from '../../src/api/client.js';
import { observe, requestFirstPages } from '../../src/api/observe.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { Seed } from '../../src/core/seed-types.js';
import { diffState } from '../../src/plan/diff.js';
import { declare, META } from '../plan/builders.js';

const TOKEN = 'observe-admin-token-5c1d';

let em: RunningEmulator | undefined;
let client: QualyticsClient | undefined;
afterEach(async () => {
  await client?.close();
  await em?.close();
  client = undefined;
  em = undefined;
});

describe('observe: name look-ups', () => {
  it('keeps only the exact name from an older server\'s case-insensitive substring filter', async () => {
    // 300 other sources make the listing dearer than one look-up, so "Sales" is looked up by name;
    // the server's substring filter answers "Sales", "sales" and "Sales Archive".
    const seed: Seed = {
      name_filter: 'substring',
      users: [{ name: 'Ada', role: 'Admin', token: TOKEN }],
      datastores: [
        ...Array.from({ length: 300 }, (_, i) => ({ id: i + 1, name: `db-${i + 1}` })),
        { id: 1001, name: 'sales' },
        { id: 1002, name: 'Sales' },
        { id: 1003, name: 'Sales Archive' },
        { id: 2000, name: 'Enrichment', enrichment_only: true },
      ],
    };
    em = await startEmulator({ seed, nameFilter: 'substring' });
    client = new QualyticsClient({ baseUrl: em.url, token: TOKEN });

    const { observation, strategy } = await observe(client, { sources: ['Sales'], targets: [] });
    expect(strategy).toBe('lookups');
    expect(em.calls().filter((c) => c.query.includes('name=')).map((c) => c.query)).toStrictEqual(['page=1&size=100&name=Sales&enrichment_only=false']);
    expect(observation.names).toStrictEqual(new Map([['Sales', [1002]]]));
    expect([...observation.datastores.keys()]).toStrictEqual([1002]);

    // That look-up answered all three (what makes this test mean something).
    const answered = await client.listDatastores({ page: 1, size: 100, name: 'Sales', enrichment_only: false });
    expect(answered.items.map((d) => d.name).sort()).toStrictEqual(['Sales', 'Sales Archive', 'sales']);

    const result = diffState([declare('Sales', { settings: { high_count_rollup_threshold: 5 } })], observation, META);
    if (!result.ok) throw new Error(`plan failed: ${JSON.stringify(result.diagnostics)}`);
    expect(result.plan.changes.map((c) => c.datastore)).toStrictEqual([{ id: 1002, name: 'Sales' }]);
  });
});

describe('the first pages, sent before the manifests are read', () => {
  const seed: Seed = {
    users: [{ name: 'Ada', role: 'Admin', token: TOKEN }],
    datastores: [{ id: 1, name: 'Orders' }, { id: 2, name: 'Enrichment', enrichment_only: true }],
  };

  it('are written before they are answered, and observe reads them instead of asking again', async () => {
    em = await startEmulator({ seed, faults: { latencyMs: 300 } });
    client = new QualyticsClient({ baseUrl: em.url, token: TOKEN });
    const first = requestFirstPages(client);
    await first.written;
    // Written, and held by the emulator's latency: nothing has been answered yet.
    expect(em.calls()).toStrictEqual([]);
    const { observation } = await observe(client, { sources: ['Orders'], targets: ['Enrichment'] }, { first });
    expect([...observation.datastores.keys()].sort()).toStrictEqual([1, 2]);
    expect(em.calls().map((c) => c.query).sort()).toStrictEqual([
      'page=1&size=100&enrichment_only=false',
      'page=1&size=100&enrichment_only=true',
    ]);
    // Each arrived before the first answer: they were on the wire together, before any waiting.
    const firstAnswer = Math.min(...em.calls().map((c) => c.at));
    for (const c of em.calls()) expect(c.received).toBeLessThan(firstAnswer);
  });

  it('once abandoned, are never answered and never fail loudly', async () => {
    em = await startEmulator({ seed, faults: { latencyMs: 200 } });
    client = new QualyticsClient({ baseUrl: em.url, token: TOKEN });
    const first = requestFirstPages(client);
    await first.written;
    first.cancel();
    await expect(first.source).rejects.toThrow('cancelled');
    await expect(first.enrichment).rejects.toThrow('cancelled');
    // Past the latency, the emulator would have answered (and logged) a request still connected.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(em.calls()).toStrictEqual([]);
  });
});
