/**
 * The convergence property: for any live state and any valid manifest, executing the plan against
 * the emulator yields a state whose new plan is empty.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QualyticsClient } from '../../src/api/client.js';
import { observe } from '../../src/api/observe.js';
import { applyPlan } from '../../src/apply/apply.js';
import { REMEDIATION_STRATEGIES, type Settings } from '../../src/core/settings.js';
import { startEmulator } from '../../src/emulator/index.js';
import type { SeedDatastore } from '../../src/core/seed-types.js';
import type { DesiredDatastore } from '../../src/model/desired.js';
import { diffState } from '../../src/plan/diff.js';
import { FC_SEED, FC_SEED_LABEL } from '../helpers/fc-seed.js';
import { declare, META } from './builders.js';

const TOKEN = 'property-admin';
const TARGETS = [{ id: 100, name: 'Enrichment A' }, { id: 101, name: 'Enrichment B' }];
const SOURCES = [1, 2, 3, 4];

const prefix = fc.oneof(
  fc.constantFrom('_p', '_orders', 'Orders Prod', '  mixed-Case__name ', '_p_2'),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9 _-]{0,20}$/),
);
const liveSource = (id: number): fc.Arbitrary<SeedDatastore> =>
  fc.record({
    link: fc.constantFrom<number | null>(null, 100, 101),
    strategy: fc.constantFrom(...REMEDIATION_STRATEGIES),
    prefix,
    limit: fc.integer({ min: 1, max: 1_000_000_000 }),
    rollup: fc.integer({ min: 1, max: 1000 }),
  }).map((s) => ({
    id,
    name: `source-${id}`,
    enrich_datastore: s.link,
    // A live datastore never holds append/overwrite without a link.
    enrichment_remediation_strategy: s.link === null ? 'none' : s.strategy,
    enrichment_prefix: s.prefix,
    enrichment_source_record_limit: s.limit,
    high_count_rollup_threshold: s.rollup,
  }));

const desiredSource = (id: number): fc.Arbitrary<DesiredDatastore> =>
  fc.record(
    {
      ref: fc.constantFrom<string | number>(id, `source-${id}`),
      link: fc.constantFrom<'unmanaged' | null | string | number>('unmanaged', null, 100, 'Enrichment B'),
      strategy: fc.constantFrom(...REMEDIATION_STRATEGIES),
      prefix,
      limit: fc.integer({ min: 1, max: 1_000_000_000 }),
      rollup: fc.integer({ min: 1, max: 1000 }),
    },
    { requiredKeys: ['ref', 'link'] },
  ).map((d) => {
    const settings: Partial<Settings> = {};
    if (d.strategy !== undefined && !(d.link === null && d.strategy !== 'none')) settings.enrichment_remediation_strategy = d.strategy;
    if (d.prefix !== undefined) settings.enrichment_prefix = d.prefix;
    if (d.limit !== undefined) settings.enrichment_source_record_limit = d.limit;
    if (d.rollup !== undefined) settings.high_count_rollup_threshold = d.rollup;
    return declare(d.ref, { ...(d.link === 'unmanaged' ? {} : { link: d.link }), settings });
  });

describe(`plan -> apply -> plan, ${FC_SEED_LABEL}`, () => {
  it('converges: the second plan is empty', async () => {
    const executed: number[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(...SOURCES.map(liveSource)),
        fc.subarray(SOURCES, { minLength: 1 }).chain((ids) => fc.tuple(...ids.map(desiredSource))),
        async (live, desired) => {
          const em = await startEmulator({
            seed: {
              users: [{ name: 'Ada', role: 'Admin', token: TOKEN }],
              datastores: [...live, ...TARGETS.map((t) => ({ ...t, enrichment_only: true }))],
            },
          });
          const client = new QualyticsClient({ baseUrl: em.url, token: TOKEN });
          try {
            const want = { sources: desired.map((d) => d.ref), targets: desired.flatMap((d) => (d.link.kind === 'ref' ? [d.link.ref] : [])) };
            const first = diffState(desired, (await observe(client, want)).observation, META);
            // A manifest can be valid yet unplannable here (append with an unmanaged link on an unlinked source).
            fc.pre(first.ok);
            if (!first.ok) return;
            executed.push(first.plan.changes.reduce((n, c) => n + c.operations.length, 0));
            const report = await applyPlan(client, first.plan, { parallelism: 4, signal: new AbortController().signal });
            expect(report.results.filter((r) => r.status !== 'applied')).toStrictEqual([]);
            const writes = em.calls().filter((c) => c.method !== 'GET').length;
            expect(writes).toBe(first.plan.changes.reduce((n, c) => n + c.operations.length, 0));
            const second = diffState(desired, (await observe(client, want)).observation, META);
            expect(second.ok && second.plan.changes.every((c) => c.action === 'no-op')).toBe(true);
          } finally {
            await client.close();
            await em.close();
          }
        },
      ),
      { numRuns: 60, seed: FC_SEED },
    );
    // The property must have exercised real plans, most of them with writes.
    expect(executed).toHaveLength(60);
    expect(executed.filter((n) => n > 0).length).toBeGreaterThan(40);
  });
});
