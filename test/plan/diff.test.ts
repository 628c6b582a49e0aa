/** The pure planning core, table-driven, asserting whole values. */
import { describe, expect, it } from 'vitest';
import { diffState, type PlanResult } from '../../src/plan/diff.js';
import type { Change } from '../../src/model/plan.js';
import { compareRefs, sortByRef } from '../../src/model/describe.js';
import { declare, META, observed, state, type LiveEntry } from './builders.js';

const SRC = { id: 42, name: 'Healthcare Database' };
const ENR = { id: 100, name: 'Healthcare Enrichment' };
const ENR2 = { id: 101, name: 'Analytics Enrichment' };
const world = (src: Partial<LiveEntry> = {}): LiveEntry[] => [
  { ...SRC, ...src },
  { ...ENR, enrichment_only: true },
  { ...ENR2, enrichment_only: true },
];

function onlyChange(result: PlanResult): Change {
  if (!result.ok) throw new Error(`plan failed: ${JSON.stringify(result.diagnostics)}`);
  expect(result.plan.changes).toHaveLength(1);
  return result.plan.changes[0]!;
}

const AT = { file: 'm.yaml', line: 3, column: 5 };

describe('diffState: one datastore', () => {
  const cases: Array<{ name: string; live: LiveEntry[]; decl: Parameters<typeof declare>[1]; change: Omit<Change, 'datastore' | 'declared_at'> }> = [
    {
      name: 'nothing declared but the datastore: no-op',
      live: world(),
      decl: {},
      change: { action: 'no-op', before: state(), after: state(), changed_fields: [], operations: [] },
    },
    {
      name: 'link where none exists: one PATCH',
      live: world(),
      decl: { link: 'Healthcare Enrichment' },
      change: {
        action: 'update', before: state(), after: state({ enrich_datastore: ENR }), changed_fields: ['enrich_datastore'],
        operations: [{ type: 'link', enrich_datastore: ENR }],
      },
    },
    {
      name: 'link by id to the datastore already linked: no-op',
      live: world({ state: { enrich_datastore: ENR } }),
      decl: { link: 100 },
      change: { action: 'no-op', before: state({ enrich_datastore: ENR }), after: state({ enrich_datastore: ENR }), changed_fields: [], operations: [] },
    },
    {
      name: 'switch: one PATCH, never a DELETE first, strategy kept',
      live: world({ state: { enrich_datastore: ENR2, enrichment_remediation_strategy: 'append' } }),
      decl: { link: 'Healthcare Enrichment' },
      change: {
        action: 'update',
        before: state({ enrich_datastore: ENR2, enrichment_remediation_strategy: 'append' }),
        after: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'append' }),
        changed_fields: ['enrich_datastore'],
        operations: [{ type: 'link', enrich_datastore: ENR }],
      },
    },
    {
      name: 'link then append: PATCH before PUT',
      live: world(),
      decl: { link: 'Healthcare Enrichment', settings: { enrichment_remediation_strategy: 'append' } },
      change: {
        action: 'update',
        before: state(),
        after: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'append' }),
        changed_fields: ['enrich_datastore', 'enrichment_remediation_strategy'],
        operations: [
          { type: 'link', enrich_datastore: ENR },
          { type: 'update_settings', body: { enrichment_remediation_strategy: 'append' } },
        ],
      },
    },
    {
      name: 'unlink: one DELETE, the strategy reset shown in after, no PUT for it',
      live: world({ state: { enrich_datastore: ENR, enrichment_remediation_strategy: 'overwrite' } }),
      decl: { link: null },
      change: {
        action: 'update',
        before: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'overwrite' }),
        after: state(),
        changed_fields: ['enrich_datastore', 'enrichment_remediation_strategy'],
        operations: [{ type: 'unlink' }],
      },
    },
    {
      name: 'unlink with strategy none declared: still no PUT',
      live: world({ state: { enrich_datastore: ENR, enrichment_remediation_strategy: 'append' } }),
      decl: { link: null, settings: { enrichment_remediation_strategy: 'none' } },
      change: {
        action: 'update',
        before: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'append' }),
        after: state(),
        changed_fields: ['enrich_datastore', 'enrichment_remediation_strategy'],
        operations: [{ type: 'unlink' }],
      },
    },
    {
      name: 'settings then unlink: PUT before DELETE',
      live: world({ state: { enrich_datastore: ENR } }),
      decl: { link: null, settings: { high_count_rollup_threshold: 50 } },
      change: {
        action: 'update',
        before: state({ enrich_datastore: ENR }),
        after: state({ high_count_rollup_threshold: 50 }),
        changed_fields: ['enrich_datastore', 'high_count_rollup_threshold'],
        operations: [
          { type: 'update_settings', body: { high_count_rollup_threshold: 50 } },
          { type: 'unlink' },
        ],
      },
    },
    {
      name: 'unlink when nothing is linked: no-op',
      live: world(),
      decl: { link: null },
      change: { action: 'no-op', before: state(), after: state(), changed_fields: [], operations: [] },
    },
    {
      name: 'PUT carries only the fields that differ',
      live: world({ state: { enrichment_source_record_limit: 100, high_count_rollup_threshold: 10 } }),
      decl: { settings: { enrichment_source_record_limit: 100, high_count_rollup_threshold: 25, enrichment_prefix: '_source' } },
      change: {
        action: 'update',
        before: state({ enrichment_source_record_limit: 100 }),
        after: state({ enrichment_source_record_limit: 100, high_count_rollup_threshold: 25 }),
        changed_fields: ['high_count_rollup_threshold'],
        operations: [{ type: 'update_settings', body: { high_count_rollup_threshold: 25 } }],
      },
    },
    {
      name: 'an un-normalised prefix equal once normalised: no diff',
      live: world({ state: { enrichment_prefix: '_analytics_bronze' } }),
      decl: { settings: { enrichment_prefix: 'Analytics Bronze' } },
      change: { action: 'no-op', before: state({ enrichment_prefix: '_analytics_bronze' }), after: state({ enrichment_prefix: '_analytics_bronze' }), changed_fields: [], operations: [] },
    },
    {
      name: 'a prefix change is sent normalised',
      live: world(),
      decl: { settings: { enrichment_prefix: 'Healthcare PROD!' } },
      change: {
        action: 'update', before: state(), after: state({ enrichment_prefix: '_healthcare_prod' }), changed_fields: ['enrichment_prefix'],
        operations: [{ type: 'update_settings', body: { enrichment_prefix: '_healthcare_prod' } }],
      },
    },
    {
      name: 'append while already linked and the link unmanaged: PUT only',
      live: world({ state: { enrich_datastore: ENR } }),
      decl: { settings: { enrichment_remediation_strategy: 'append' } },
      change: {
        action: 'update', before: state({ enrich_datastore: ENR }), after: state({ enrich_datastore: ENR, enrichment_remediation_strategy: 'append' }),
        changed_fields: ['enrichment_remediation_strategy'],
        operations: [{ type: 'update_settings', body: { enrichment_remediation_strategy: 'append' } }],
      },
    },
  ];

  it.each(cases)('$name', ({ live, decl, change }) => {
    // `locations` (display only) has its own test below.
    const { locations: _locations, ...planned } = onlyChange(diffState([declare('Healthcare Database', decl)], observed(live), META));
    expect(planned).toStrictEqual({ datastore: SRC, declared_at: AT, ...change });
  });

  it('locates each changed field the manifest sets, and leaves the others to the entry', () => {
    const live = world({ state: { enrich_datastore: ENR, enrichment_remediation_strategy: 'append' } });
    const change = onlyChange(diffState([declare('Healthcare Database', { link: null, settings: { enrichment_prefix: 'Other' } })], observed(live), META));
    expect(change.changed_fields).toStrictEqual(['enrich_datastore', 'enrichment_prefix', 'enrichment_remediation_strategy']);
    expect(change.locations).toStrictEqual({
      enrich_datastore: { file: 'm.yaml', line: 4, column: 27, end_line: 4, end_column: 37, from: 'entry' },
      enrichment_prefix: { file: 'm.yaml', line: 5, column: 5, end_line: 5, end_column: 15, from: 'entry' },
    });
    const unchanged = onlyChange(diffState([declare('Healthcare Database', {})], observed(world()), META));
    expect('locations' in unchanged).toBe(false);
  });

  it('accepts a link by id to the datastore already linked even when the token may not read it', () => {
    const live = observed(world({ state: { enrich_datastore: { id: 555, name: 'Secret Enrichment' } } }), {
      denied: new Map([[555, "You must have reporter permission in at least one of these teams: ['Security']"]]),
    });
    expect(onlyChange(diffState([declare('Healthcare Database', { link: 555 })], live, META)).action).toBe('no-op');
    const other = diffState([declare('Healthcare Database', { link: 556 })], observed(world(), { denied: new Map([[556, 'no']]) }), META);
    expect(other.ok ? [] : other.diagnostics.map((d) => d.message)).toStrictEqual(['the token may not read enrichment datastore id 556: no']);
  });

  it('resolves a name that a source and an enrichment datastore share by the place it is declared in', () => {
    const live: LiveEntry[] = [...world(), { id: 100 + 50, name: 'Healthcare Database', enrichment_only: true }, { id: 51, name: 'Healthcare Enrichment' }];
    const change = onlyChange(diffState([declare('Healthcare Database', { link: 'Healthcare Enrichment' })], observed(live), META));
    expect(change.datastore).toStrictEqual(SRC);
    expect(change.operations).toStrictEqual([{ type: 'link', enrich_datastore: ENR }]);
  });

  it('declares by id as well as by name', () => {
    const byId = onlyChange(diffState([declare(42, { link: 100 })], observed(world()), META));
    expect(byId.datastore).toStrictEqual(SRC);
    expect(byId.operations).toStrictEqual([{ type: 'link', enrich_datastore: ENR }]);
  });
});

describe('diffState: a name a source and an enrichment datastore share', () => {
  it('resolves each side among its own kind: the source links to the enrichment datastore of its name', () => {
    const shared = 'Healthcare Database';
    const result = diffState([declare(shared, { link: shared })], observed([...world(), { id: 905, name: shared, enrichment_only: true }]), META);
    expect(onlyChange(result).operations).toStrictEqual([{ type: 'link', enrich_datastore: { id: 905, name: shared } }]);
  });
});

describe('diffState: errors before anything is written', () => {
  const cases: Array<{ name: string; live: LiveEntry[]; decls: ReturnType<typeof declare>[]; extra?: Parameters<typeof observed>[1]; messages: string[]; codes?: string[] }> = [
    {
      name: 'unknown name',
      live: world(),
      decls: [declare('Nope')],
      messages: ['datastore "Nope" not found: no datastore of exactly that name is visible to this token (it does not exist, or the token lacks Reporter permission on it)'],
    },
    {
      name: 'ambiguous name',
      live: [...world(), { id: 7, name: 'Healthcare Database' }],
      decls: [declare('Healthcare Database')],
      messages: ['datastore name "Healthcare Database" is ambiguous: ids 7, 42 share it; declare it by id instead'],
    },
    {
      name: 'unknown id',
      live: world(),
      decls: [declare(999)],
      extra: { missing: new Set([999]) },
      messages: ['datastore id 999 not found'],
    },
    {
      name: 'a datastore the token may not read',
      live: world(),
      decls: [declare(77)],
      extra: { denied: new Map([[77, "You must have reporter permission in at least one of these teams: ['Finance']"]]) },
      messages: ["the token may not read datastore id 77: You must have reporter permission in at least one of these teams: ['Finance']"],
    },
    {
      name: 'an enrichment-only source',
      live: world(),
      decls: [declare('Healthcare Enrichment', { settings: { high_count_rollup_threshold: 5 } })],
      messages: ['"Healthcare Enrichment" (id 100) is an enrichment-only datastore: it cannot have an enrichment datastore or settings of its own (the server would answer 409); remove it from the manifest'],
    },
    {
      name: 'the link target missing',
      live: world(),
      decls: [declare('Healthcare Database', { link: 'Gone Enrichment' })],
      messages: ['enrichment datastore "Gone Enrichment" not found: no datastore of exactly that name is visible to this token (it does not exist, or the token lacks Reporter permission on it)'],
    },
    {
      name: 'a source datastore as the link target, by name',
      live: [...world(), { id: 7, name: 'Analytics Database' }],
      decls: [declare('Healthcare Database', { link: 'Analytics Database' })],
      messages: ['"Analytics Database" (id 7) cannot be the enrichment datastore of "Healthcare Database" (id 42): it is a source datastore, and only an enrichment datastore (enrichment_only) can receive enrichment data'],
    },
    {
      name: 'a source datastore as the link target, by id',
      live: [...world(), { id: 7, name: 'Analytics Database' }],
      decls: [declare('Healthcare Database', { link: 7 })],
      messages: ['"Analytics Database" (id 7) cannot be the enrichment datastore of "Healthcare Database" (id 42): it is a source datastore, and only an enrichment datastore (enrichment_only) can receive enrichment data'],
    },
    {
      name: 'linked to itself through name and id',
      live: world(),
      decls: [declare('Healthcare Database', { link: 42 })],
      messages: ['"Healthcare Database" (id 42) cannot be its own enrichment datastore'],
    },
    {
      name: 'append where the result would have no link',
      live: world(),
      decls: [declare('Healthcare Database', { settings: { enrichment_remediation_strategy: 'append' } })],
      messages: ['enrichment_remediation_strategy "append" needs a linked enrichment datastore, and "Healthcare Database" (id 42) would have none; declare enrichment_datastore, or set the strategy to "none"'],
    },
    {
      name: 'unlink and append on a linked datastore: the unlink would leave append without a link',
      live: world({ state: { enrich_datastore: ENR } }),
      decls: [declare('Healthcare Database', { link: null, settings: { enrichment_remediation_strategy: 'append' } })],
      messages: ['enrichment_remediation_strategy "append" needs a linked enrichment datastore, and "Healthcare Database" (id 42) would have none; declare enrichment_datastore, or set the strategy to "none"'],
      codes: ['strategy-needs-link'],
    },
    {
      name: 'the same datastore by name and by id',
      live: world(),
      decls: [declare('Healthcare Database'), declare(42, { line: 9 })],
      messages: ['"Healthcare Database" (id 42) is declared twice: here and at m.yaml:3:5'],
    },
  ];

  it.each(cases)('$name', ({ live, decls, extra, messages, codes }) => {
    const result = diffState(decls, observed(live, extra), META);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics.map((d) => d.message)).toStrictEqual(messages);
    if (codes) expect(result.diagnostics.map((d) => d.code)).toStrictEqual(codes);
    expect(result.diagnostics.every((d) => d.severity === 'error' && d.file === 'm.yaml' && d.start !== undefined)).toBe(true);
  });

  it('collects every error, not only the first', () => {
    const result = diffState([declare('Nope'), declare(999, { line: 8 })], observed(world(), { missing: new Set([999]) }), META);
    expect(result.ok ? [] : result.diagnostics.map((d) => d.start?.line)).toStrictEqual([3, 8]);
  });
});

describe('diffState: the whole plan', () => {
  it('sorts changes by name, counts the summary and warns about shared tables and prefix changes', () => {
    const live: LiveEntry[] = [
      { id: 1, name: 'b-source', state: { enrich_datastore: ENR, enrichment_prefix: '_old' } },
      { id: 2, name: 'a-source' },
      { id: 3, name: 'c-source', state: { enrich_datastore: ENR } },
      { ...ENR, enrichment_only: true },
    ];
    const result = diffState(
      [declare('b-source', { settings: { enrichment_prefix: '_shared' } }), declare('a-source', { link: 100, settings: { enrichment_prefix: '_shared' } }), declare('c-source', { link: null })],
      observed(live),
      META,
    );
    if (!result.ok) throw new Error('expected a plan');
    expect(result.plan.changes.map((c) => c.datastore.name)).toStrictEqual(['a-source', 'b-source', 'c-source']);
    expect(result.plan.summary).toStrictEqual({ link: 1, unlink: 1, update: 2, unchanged: 0 });
    expect(result.warnings.map((w) => w.code)).toStrictEqual(['prefix-change', 'shared-enrichment-tables']);
    expect(result.warnings[1]!.message).toBe(
      '"b-source" (id 1), "a-source" (id 2) would both write into "Healthcare Enrichment" (id 100) with the prefix _shared, so into the same tables',
    );
  });
});

describe('sortByRef: the order every list of datastores is in', () => {
  const refs = [
    { id: 3, name: 'beta' },
    { id: 9, name: 'Alpha' },
    { id: 2, name: 'alpha' },
    { id: 1, name: 'alpha' },
    { id: 7, name: 'ALPHA' },
    { id: 5, name: 'Ärger' },
    { id: 4, name: 'a' },
  ];
  const expected = [
    { id: 4, name: 'a' },
    { id: 7, name: 'ALPHA' },
    { id: 9, name: 'Alpha' },
    { id: 1, name: 'alpha' },
    { id: 2, name: 'alpha' },
    { id: 3, name: 'beta' },
    { id: 5, name: 'Ärger' },
  ];
  it.each([
    ['as given', refs],
    ['reversed', [...refs].reverse()],
    ['already sorted', expected],
  ])('%s: by name ignoring case, then exactly, then by id, as compareRefs orders them', (_, input) => {
    const sorted = sortByRef(input.map((ref) => ({ ref })), (x) => x.ref).map((x) => x.ref);
    expect(sorted).toStrictEqual(expected);
    expect([...input].sort(compareRefs)).toStrictEqual(expected);
  });
});
