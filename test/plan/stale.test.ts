/** Staleness and resume of a plan against the live state, table-driven over whole values. */
import { describe, expect, it } from 'vitest';
import { changeProgress, datastoreProgress, type ChangeProgress } from '../../src/plan/stale.js';
import type { Change } from '../../src/model/plan.js';
import { observed, state } from './builders.js';

const SRC = { id: 42, name: 'Healthcare Database' };
const ENR = { id: 100, name: 'Healthcare Enrichment' };
const AT = { file: 'm.yaml', line: 3, column: 5 };
const LINK = { type: 'link', enrich_datastore: ENR } as const;
const UNLINK = { type: 'unlink' } as const;
const put = (body: Record<string, unknown>) => ({ type: 'update_settings', body }) as const;

/** Link, then append. */
const linkAndPut: Change = {
  datastore: SRC, action: 'update', declared_at: AT,
  before: state(), after: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'append' }),
  changed_fields: ['enrich_datastore', 'enrichment_remediation_strategy'],
  operations: [LINK, put({ enrichment_remediation_strategy: 'append' })],
};
/** Link, then append, from an entry that also sets the source record limit and the rollup (at their live values). */
const linkAndPutManaging: Change = {
  ...linkAndPut,
  locations: {
    enrichment_source_record_limit: { file: 'm.yaml', line: 6, column: 5, end_line: 6, end_column: 40 },
    high_count_rollup_threshold: { file: 'm.yaml', line: 7, column: 5, end_line: 7, end_column: 36 },
  },
};
/** Rollup to 20, then unlink (the strategy resets to none). */
const putAndUnlink: Change = {
  datastore: SRC, action: 'update', declared_at: AT,
  before: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'append' }),
  after: state({ high_count_rollup_threshold: 20 }),
  changed_fields: ['enrich_datastore', 'enrichment_remediation_strategy', 'high_count_rollup_threshold'],
  operations: [put({ high_count_rollup_threshold: 20 }), UNLINK],
};

describe('changeProgress', () => {
  const cases: Array<{ name: string; change: Change; live: ReturnType<typeof state>; resume: boolean; expected: ChangeProgress }> = [
    { name: 'nothing applied yet: untouched', change: linkAndPut, live: state(), resume: true, expected: { kind: 'untouched' } },
    {
      name: 'everything applied: done',
      change: linkAndPut, live: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'append' }), resume: true,
      expected: { kind: 'done' },
    },
    {
      name: 'link done, PUT pending: only the PUT remains',
      change: linkAndPut, live: state({ enrich_datastore: ENR }), resume: true,
      expected: {
        kind: 'in-progress',
        remaining: {
          datastore: SRC, action: 'update', declared_at: AT,
          before: state({ enrich_datastore: ENR }), after: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'append' }),
          changed_fields: ['enrichment_remediation_strategy'],
          operations: [put({ enrichment_remediation_strategy: 'append' })],
        },
      },
    },
    {
      name: 'PUT done, unlink pending: only the DELETE remains (the strategy reset needs no PUT)',
      change: putAndUnlink, live: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'append', high_count_rollup_threshold: 20 }), resume: true,
      expected: {
        kind: 'in-progress',
        remaining: {
          datastore: SRC, action: 'update', declared_at: AT,
          before: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'append', high_count_rollup_threshold: 20 }),
          after: state({ high_count_rollup_threshold: 20 }),
          changed_fields: ['enrich_datastore', 'enrichment_remediation_strategy'],
          operations: [UNLINK],
        },
      },
    },
    {
      name: 'a field at a third value, neither before nor after: moved',
      change: putAndUnlink, live: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'append', high_count_rollup_threshold: 30 }), resume: true,
      expected: { kind: 'moved', problems: ['"Healthcare Database" (id 42): high_count_rollup_threshold was 10 when planned, and is 30 now'] },
    },
    {
      name: 'an untouched managed field moved while another is half-way: moved, naming only the third value',
      change: linkAndPutManaging, live: state({ enrich_datastore: ENR, enrichment_source_record_limit: 77 }), resume: true,
      expected: { kind: 'moved', problems: ['"Healthcare Database" (id 42): enrichment_source_record_limit was 10 when planned, and is 77 now'] },
    },
    {
      name: 'a field no manifest sets moved (anyone may change it): not looked at, and what remains goes on',
      change: linkAndPut, live: state({ enrich_datastore: ENR, enrichment_source_record_limit: 77 }), resume: true,
      expected: {
        kind: 'in-progress',
        remaining: {
          datastore: SRC, action: 'update', declared_at: AT,
          before: state({ enrich_datastore: ENR, enrichment_source_record_limit: 77 }),
          after: state({ enrich_datastore: ENR, enrichment_source_record_limit: 77, enrichment_remediation_strategy: 'append' }),
          changed_fields: ['enrichment_remediation_strategy'],
          operations: [put({ enrichment_remediation_strategy: 'append' })],
        },
      },
    },
    {
      name: 'the link, though no manifest sets it, is held: unlinked by someone, a planned append is stale',
      change: {
        datastore: SRC, action: 'update', declared_at: AT,
        before: state({ enrich_datastore: ENR }), after: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'append' }),
        changed_fields: ['enrichment_remediation_strategy'], operations: [put({ enrichment_remediation_strategy: 'append' })],
      },
      live: state(), resume: true,
      expected: { kind: 'moved', problems: ['"Healthcare Database" (id 42): enrich_datastore was "Healthcare Enrichment" (id 100) when planned, and is null now'] },
    },
    {
      name: 'a field no manifest sets moved, and nothing else: untouched',
      change: linkAndPut, live: state({ high_count_rollup_threshold: 99 }), resume: true,
      expected: { kind: 'untouched' },
    },
    {
      name: 'without resuming (after an interactive yes), a field no manifest sets that moved is moved too',
      change: linkAndPut, live: state({ high_count_rollup_threshold: 99 }), resume: false,
      expected: { kind: 'moved', problems: ['"Healthcare Database" (id 42): high_count_rollup_threshold was 10 when planned, and is 99 now'] },
    },
    {
      name: 'finishing would need a write the plan does not hold (unlinked by someone, strategy not yet reset): moved',
      change: putAndUnlink, live: state({ enrichment_remediation_strategy: 'append' }), resume: true,
      expected: {
        kind: 'moved',
        problems: [
          '"Healthcare Database" (id 42): cannot resume: finishing would need PUT /datastores/42, which the plan does not hold',
        ],
      },
    },
    {
      name: 'without resuming, half-way is moved, naming each field',
      change: linkAndPut, live: state({ enrich_datastore: ENR }), resume: false,
      expected: { kind: 'moved', problems: ['"Healthcare Database" (id 42): enrich_datastore was null when planned, and is "Healthcare Enrichment" (id 100) now'] },
    },
    {
      name: 'without resuming, everything applied by someone else is moved too',
      change: linkAndPut, live: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'append' }), resume: false,
      expected: {
        kind: 'moved',
        problems: [
          '"Healthcare Database" (id 42): enrich_datastore was null when planned, and is "Healthcare Enrichment" (id 100) now',
          '"Healthcare Database" (id 42): enrichment_remediation_strategy was "none" when planned, and is "append" now',
        ],
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(changeProgress(c.change, c.live, c.resume)).toStrictEqual(c.expected);
    });
  }
});

describe('datastoreProgress', () => {
  const plan = (changes: Change[]) => ({
    format_version: 1 as const, base_url: 'http://x/api', manifest_digest: `sha256:${'0'.repeat(64)}`, manifest_paths: ['m.yaml'],
    changes, summary: { link: 0, unlink: 0, update: 0, unchanged: 0 },
  });

  it('executes untouched changes as planned and half-way ones with what remains', () => {
    const obs = observed([{ ...SRC, state: { enrich_datastore: ENR } }, { ...ENR, enrichment_only: true }]);
    const p = datastoreProgress(plan([linkAndPut]), obs, { resume: true });
    expect(p.problems).toStrictEqual([]);
    expect(p.resumed).toStrictEqual([linkAndPut]);
    expect(p.changes.map((c) => c.operations)).toStrictEqual([[put({ enrichment_remediation_strategy: 'append' })]]);
  });

  it('refuses a datastore with a field at a third value, beside one already done, and runs neither', () => {
    // Orders: linked and at append as planned, but the rollup, which the entry sets, moved to 30 (the plan leaves it at 10).
    const ORDERS = { id: 7, name: 'Orders' };
    const ordersDone: Change = { ...linkAndPut, datastore: ORDERS, operations: [{ ...LINK, path: '/datastores/7/enrichment/100' }, { ...put({ enrichment_remediation_strategy: 'append' }), path: '/datastores/7' }] };
    const obs = observed([
      { ...SRC, state: { enrich_datastore: ENR, enrichment_remediation_strategy: 'append', high_count_rollup_threshold: 30 } },
      { ...ORDERS, state: { enrich_datastore: ENR, enrichment_remediation_strategy: 'append' } },
      { ...ENR, enrichment_only: true },
    ]);
    expect(datastoreProgress(plan([linkAndPutManaging, ordersDone]), obs, { resume: true })).toStrictEqual({
      changes: [],
      done: [ordersDone],
      resumed: [],
      problems: ['"Healthcare Database" (id 42): high_count_rollup_threshold was 10 when planned, and is 30 now'],
    });
  });

  it('refuses a link target renamed, or no longer an enrichment datastore, and a renamed source', () => {
    const obs = observed([{ id: 42, name: 'Renamed' }, { id: 100, name: 'Other' }]);
    expect(datastoreProgress(plan([linkAndPut]), obs, { resume: true }).problems).toStrictEqual([
      '"Healthcare Database" (id 42) is named "Renamed" now',
      'link target "Healthcare Enrichment" (id 100) is named "Other" now',
      'link target "Healthcare Enrichment" (id 100) is not an enrichment datastore',
    ]);
  });

  it('says a renamed link target once, however many datastores link to it', () => {
    const others = [7, 8, 9].map((id) => ({ ...linkAndPut, datastore: { id, name: `DS ${id}` } }));
    const obs = observed([...others.map((c) => ({ ...c.datastore, state: state() })), { id: 100, name: 'Other', enrichment_only: true }]);
    expect(datastoreProgress(plan(others), obs, { resume: true }).problems).toStrictEqual(['link target "Healthcare Enrichment" (id 100) is named "Other" now']);
  });

  it('refuses a datastore gone or unreadable', () => {
    expect(datastoreProgress(plan([linkAndPut]), observed([], { missing: new Set([42]) }), { resume: true }).problems)
      .toStrictEqual(['"Healthcare Database" (id 42) no longer exists']);
    expect(datastoreProgress(plan([linkAndPut]), observed([], { denied: new Map([[42, 'no']]) }), { resume: true }).problems)
      .toStrictEqual(['"Healthcare Database" (id 42) can no longer be read: no']);
  });
});
