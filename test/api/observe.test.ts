/** observe against the real emulator: what a name look-up keeps when the server filters loosely. */
import { afterEach, describe, expect, it } from 'vitest';
import { QualyticsClient } from '../../src/api/client.js';
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
