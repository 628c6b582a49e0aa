/** observe against the real emulator: what a name look-up keeps when the server filters loosely. */
import { afterEach, describe, expect, it } from 'vitest';
import { QualyticsClient } from '../../src/api/client.js';
import { requestFirstPages } from '../../src/api/first-pages.js';
import { observe } from '../../src/api/observe.js';
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

describe('the rest of the source listing, started once the manifests are parsed', () => {
  // 450 sources: page 1 and 4 more of 100.
  const seed: Seed = {
    users: [{ name: 'Ada', role: 'Admin', token: TOKEN }],
    datastores: [
      ...Array.from({ length: 450 }, (_, i) => ({ id: i + 1, name: `source ${i + 1}` })),
      { id: 1000, name: 'Enrichment', enrichment_only: true },
    ],
  };
  const sources = Array.from({ length: 450 }, (_, i) => `source ${i + 1}`);
  const sourcePages = (e: RunningEmulator) => e.calls().filter((c) => c.query.includes('enrichment_only=false')).map((c) => c.query);

  it('is asked once page 1 is in, when it is the cheaper read; observe takes those pages and asks nothing again', async () => {
    em = await startEmulator({ seed, faults: { latencyMs: 100 } });
    client = new QualyticsClient({ baseUrl: em.url, token: TOKEN, maxInFlight: 3 });
    const first = requestFirstPages(client);
    first.prefetchSources(4);
    await first.source;
    // Three go out at once (the parallelism); the fourth waits for one of them.
    await first.prefetchWritten();
    // Before observe is asked anything: past the latency, pages 2 to 4 are answered, and page 5, which
    // waited for a free slot, is not.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(sourcePages(em).sort()).toStrictEqual([1, 2, 3, 4].map((p) => `page=${p}&size=100&enrichment_only=false`));
    const { observation, strategy } = await observe(client, { sources, targets: ['Enrichment'] }, { first });
    expect(strategy).toBe('listing');
    expect(observation.datastores.size).toBe(451);
    // Each page asked once.
    expect(sourcePages(em).sort()).toStrictEqual([1, 2, 3, 4, 5].map((p) => `page=${p}&size=100&enrichment_only=false`));
  });

  it('is not asked when look-ups are fewer requests', async () => {
    em = await startEmulator({ seed });
    client = new QualyticsClient({ baseUrl: em.url, token: TOKEN });
    const first = requestFirstPages(client);
    first.prefetchSources(3);
    await first.source;
    await first.prefetchWritten();
    expect(await first.prefetched).toStrictEqual([]);
    const { strategy } = await observe(client, { sources: ['source 7', 'source 9', 'source 11'], targets: [] }, { first });
    expect(strategy).toBe('lookups');
    expect(sourcePages(em).filter((q) => !q.includes('name='))).toStrictEqual(['page=1&size=100&enrichment_only=false']);
  });

  it('is abandoned, quietly, when observe chooses look-ups after all', async () => {
    em = await startEmulator({ seed, faults: { latencyMs: 200 } });
    client = new QualyticsClient({ baseUrl: em.url, token: TOKEN });
    const first = requestFirstPages(client);
    first.prefetchSources(450);
    await first.source;
    await first.prefetchWritten();
    const asked = await first.prefetched;
    expect(asked).toHaveLength(4);
    const { strategy, observation } = await observe(client, { sources: ['source 7'], targets: [] }, { first });
    expect(strategy).toBe('lookups');
    expect([...observation.datastores.keys()]).toStrictEqual([7]);
    for (const answer of asked) await expect(answer).rejects.toThrow();
    // Past the latency, none of them was answered.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sourcePages(em).filter((q) => !q.includes('name=') && !q.startsWith('page=1&'))).toStrictEqual([]);
  });
});
