/** observe against the real emulator: what a name look-up keeps when the server filters loosely. */
import { afterEach, describe, expect, it } from 'vitest';
import { QualyticsClient } from '../../src/api/client.js';
import { requestFirstPages, type FirstPages } from '../../src/api/first-pages.js';
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
    await client.onWire(1_000);
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
    await client.onWire(1_000);
    first.cancel();
    await expect(first.source).rejects.toThrow('cancelled');
    await expect(first.enrichment).rejects.toThrow('cancelled');
    // Past the latency, the emulator would have answered (and logged) a request still connected.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(em.calls()).toStrictEqual([]);
  });

  // 250 sources: page 1 and two more. Told ahead that the manifests name at least `named` sources.
  const listing: Seed = {
    users: [{ name: 'Ada', role: 'Admin', token: TOKEN }],
    datastores: [...Array.from({ length: 250 }, (_, i) => ({ id: i + 1, name: `db-${i + 1}` })), { id: 900, name: 'Enrichment', enrichment_only: true }],
  };
  const sources = ['db-1', 'db-2', 'db-120', 'db-250'];

  /** The first pages against an emulator of `seed`, told `atLeast` ahead, once `kind`'s page 1 is in and what it led to is on the wire. */
  async function toldAhead(seed: Seed, atLeast: { source: number; enrichment: number }, kind: 'source' | 'enrichment'): Promise<FirstPages> {
    em = await startEmulator({ seed });
    client = new QualyticsClient({ baseUrl: em.url, token: TOKEN });
    const first = requestFirstPages(client);
    first.ahead(atLeast);
    await first[kind];
    await client.onWire(1_000);
    return first;
  }

  it('ask the rest of a listing ahead, once page 1 says it is no more requests than the datastores named, and observe reads it', async () => {
    em = await startEmulator({ seed: listing, faults: { latencyMs: 100 } });
    client = new QualyticsClient({ baseUrl: em.url, token: TOKEN });
    const first = requestFirstPages(client);
    // Told before page 1 is known: asked once it arrives, without waiting for observe.
    first.ahead({ source: 2, enrichment: 0 });
    first.ahead({ source: sources.length, enrichment: 1 });
    await first.source;
    // Nobody reads them yet: past the latency, the emulator has answered both by itself.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const rest = em.calls().filter((c) => c.query.startsWith('page=2') || c.query.startsWith('page=3'));
    expect(rest.map((c) => c.query).sort()).toStrictEqual(['page=2&size=100&enrichment_only=false', 'page=3&size=100&enrichment_only=false']);
    // Nothing a larger count could ask now: the enrichment listing is one page.
    expect(first.settled).toBe(true);
    const { observation, strategy } = await observe(client, { sources, targets: ['Enrichment'] }, { first });
    expect(strategy).toBe('listing');
    expect(observation.datastores.size).toBe(251);
    // Each page once: observe read them instead of asking again.
    expect(em.calls()).toHaveLength(4);
  });

  it('ask nothing ahead when the rest is more requests than the datastores named, and nothing once abandoned', async () => {
    const few = await toldAhead(listing, { source: 1, enrichment: 5 }, 'source');
    expect(few.rest).toStrictEqual({});
    await few.enrichment;
    // A larger count still could ask the two pages.
    expect(few.settled).toBe(false);
    // observe decides as before: one look-up by name is cheaper than two more pages.
    const { strategy } = await observe(client, { sources: ['db-7'], targets: [] }, { first: few });
    expect(strategy).toBe('lookups');

    const abandoned = requestFirstPages(client);
    abandoned.cancel();
    abandoned.ahead({ source: 100, enrichment: 100 });
    await abandoned.source.catch(() => undefined);
    expect(abandoned.rest).toStrictEqual({});
    expect(abandoned.settled).toBe(true);
  });

  it('are read only for a kind observe reads page 1 of: a rest asked ahead for no target is left', async () => {
    // 250 enrichment datastores; the count said link targets, the manifests (as checked) name none.
    const lakes: Seed = {
      users: [{ name: 'Ada', role: 'Admin', token: TOKEN }],
      datastores: [{ id: 1, name: 'db-1' }, ...Array.from({ length: 250 }, (_, i) => ({ id: 100 + i, name: `lake-${i}`, enrichment_only: true }))],
    };
    const first = await toldAhead(lakes, { source: 0, enrichment: 5 }, 'enrichment');
    expect(first.rest.enrichment).toHaveLength(2);
    // An enrichment datastore declared as a source: found by the look-up in the other kind, as
    // without the pages asked ahead (a listing read from page 2 on would have hidden it).
    const { observation } = await observe(client, { sources: ['lake-7'], targets: [] }, { first });
    expect(observation.names.get('lake-7')).toStrictEqual([107]);
    expect(observation.datastores.get(107)?.enrichment_only).toBe(true);
    expect(observation.datastores.has(200)).toBe(false);
  });

  it('abandon what was asked ahead too, unanswered and never failing loudly', async () => {
    em = await startEmulator({ seed: listing });
    client = new QualyticsClient({ baseUrl: em.url, token: TOKEN });
    const first = requestFirstPages(client);
    // The rest is asked when page 1 arrives; it arrives at the emulator held by its latency.
    em.setFaults({ latencyMs: 200 });
    first.ahead({ source: sources.length, enrichment: 0 });
    await Promise.all([first.source, first.enrichment]);
    await client.onWire(1_000);
    expect(first.rest.source).toHaveLength(2);
    first.cancel();
    for (const page of first.rest.source!) await expect(page).rejects.toThrow('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(em.calls().map((c) => c.query).sort()).toStrictEqual(['page=1&size=100&enrichment_only=false', 'page=1&size=100&enrichment_only=true']);
  });
});
