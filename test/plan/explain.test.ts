/** `explainDatastore`, table-driven: whole values for entries, rules, defaults, conflicts, not managed and rules that do not match. */
import { describe, expect, it } from 'vitest';
import { explainDatastore, type ExplainInput } from '../../src/plan/explain.js';
import { renderExplainText } from '../../src/render/explain-text.js';
import type { DesiredDatastore } from '../../src/model/desired.js';
import type { ExplainResult, FieldExplanation } from '../../src/model/explanation.js';
import { declare, loc, observed, rule, type LiveEntry } from './builders.js';

const WORLD: LiveEntry[] = [
  { id: 1, name: 'Sales EU', type: 'snowflake', tags: ['pii'], state: { enrichment_prefix: '_sales_eu' } },
  { id: 2, name: 'Sales US', type: 'postgresql', tags: ['sales'] },
  { id: 100, name: 'PII Enrichment', enrichment_only: true, type: 'snowflake', tags: ['pii'] },
  { id: 7, name: 'Twin', type: 'snowflake' },
  { id: 8, name: 'Twin', type: 'snowflake' },
];

const at = (line: number, column = 5) => ({ file: 'm.yaml', line, column });
const notManaged = (field: FieldExplanation['field'], live: FieldExplanation['live']): FieldExplanation => ({ field, status: 'not-managed', candidates: [], live });
const LIVE_REST = [
  notManaged('enrichment_source_record_limit', 10),
  notManaged('enrichment_remediation_strategy', 'none'),
  notManaged('high_count_rollup_threshold', 10),
];
const EU = { id: 1, name: 'Sales EU', type: 'snowflake', tags: ['pii'] };

/** An entry whose document has `defaults` (their origin 'defaults', at line 50+). */
function withDefaults(entry: DesiredDatastore, defaults: Partial<Record<'enrichment_remediation_strategy' | 'high_count_rollup_threshold', string | number>>): DesiredDatastore {
  const out: DesiredDatastore = { ...entry, settings: { ...entry.settings }, origins: { ...entry.origins } };
  Object.entries(defaults).forEach(([k, v], i) => {
    (out.settings as Record<string, unknown>)[k] = v;
    (out.origins as Record<string, unknown>)[k] = { from: 'defaults', location: loc(50 + i) };
  });
  return out;
}

type Case = { name: string; desired: ExplainInput; ref: string; expected: ExplainResult };

const CASES: Case[] = [
  {
    name: 'an entry alone: its values win, the rest is not managed',
    desired: { datastores: [declare('Sales EU', { link: 'PII Enrichment', settings: { enrichment_source_record_limit: 100 } })], rules: [] },
    ref: 'Sales EU',
    expected: { ok: true, explanation: {
      datastore: EU, entries: [at(3)], rules: [], rules_not_matching: [],
      fields: [
        { field: 'enrichment_datastore', status: 'managed', desired: { name: 'PII Enrichment', id: 100 }, candidates: [{ from: 'entry', ...at(4, 27), value: { name: 'PII Enrichment', id: 100 }, role: 'winner' }], live: null },
        notManaged('enrichment_prefix', '_sales_eu'),
        { field: 'enrichment_source_record_limit', status: 'managed', desired: 100, candidates: [{ from: 'entry', ...at(5), value: 100, role: 'winner' }], live: 10 },
        ...LIVE_REST.slice(1),
      ],
    } },
  },
  {
    name: 'a rule, by id: its prefix template expanded; a rule failing on type is listed as not matching',
    desired: { datastores: [], rules: [rule({ tags: ['pii'] }, { settings: { enrichment_prefix: 'pii {name}' } }), rule({ types: ['postgresql'] }, { line: 20, settings: { high_count_rollup_threshold: 5 } })] },
    ref: '1',
    expected: { ok: true, explanation: {
      datastore: EU, entries: [], rules: [at(10)], rules_not_matching: [{ ...at(20), failed: ['type'] }],
      fields: [
        notManaged('enrichment_datastore', null),
        { field: 'enrichment_prefix', status: 'managed', desired: '_pii_sales_eu', candidates: [{ from: 'rule', ...at(12), rule_at: at(10), value: '_pii_sales_eu', role: 'winner' }], live: '_sales_eu' },
        ...LIVE_REST,
      ],
    } },
  },
  {
    name: 'an entry overrides a rule; its own document\'s defaults fill below the rule, the rule\'s document\'s below those',
    desired: {
      datastores: [withDefaults(declare('Sales EU', { settings: { enrichment_source_record_limit: 100 } }), { high_count_rollup_threshold: 3, enrichment_remediation_strategy: 'none' })],
      rules: [rule({ tags: ['pii'] }, { settings: { enrichment_source_record_limit: 10, high_count_rollup_threshold: 42 }, defaults: { enrichment_remediation_strategy: 'append' } })],
    },
    ref: 'Sales EU',
    expected: { ok: true, explanation: {
      datastore: EU, entries: [at(3)], rules: [at(10)], rules_not_matching: [],
      fields: [
        notManaged('enrichment_datastore', null),
        notManaged('enrichment_prefix', '_sales_eu'),
        { field: 'enrichment_source_record_limit', status: 'managed', desired: 100, candidates: [
          { from: 'entry', ...at(5), value: 100, role: 'winner' },
          { from: 'rule', ...at(12), rule_at: at(10), value: 10, role: 'overridden' },
        ], live: 10 },
        { field: 'enrichment_remediation_strategy', status: 'managed', desired: 'none', candidates: [
          { from: 'defaults', ...at(51), value: 'none', role: 'winner' },
          { from: 'defaults', ...at(100), value: 'append', role: 'overridden' },
        ], live: 'none' },
        { field: 'high_count_rollup_threshold', status: 'managed', desired: 42, candidates: [
          { from: 'rule', ...at(13), rule_at: at(10), value: 42, role: 'winner' },
          { from: 'defaults', ...at(50), value: 3, role: 'overridden' },
        ], live: 10 },
      ],
    } },
  },
  {
    name: 'an entry whose document has no defaults keeps what the rule\'s document\'s defaults give the keys it leaves out',
    desired: {
      datastores: [declare('Sales EU', { settings: { enrichment_source_record_limit: 100 } })],
      rules: [rule({ tags: ['pii'] }, { settings: { high_count_rollup_threshold: 42 }, defaults: { enrichment_remediation_strategy: 'append', enrichment_source_record_limit: 9 } })],
    },
    ref: 'Sales EU',
    expected: { ok: true, explanation: {
      datastore: EU, entries: [at(3)], rules: [at(10)], rules_not_matching: [],
      fields: [
        notManaged('enrichment_datastore', null),
        notManaged('enrichment_prefix', '_sales_eu'),
        { field: 'enrichment_source_record_limit', status: 'managed', desired: 100, candidates: [
          { from: 'entry', ...at(5), value: 100, role: 'winner' },
          { from: 'defaults', ...at(101), value: 9, role: 'overridden' },
        ], live: 10 },
        { field: 'enrichment_remediation_strategy', status: 'managed', desired: 'append', candidates: [{ from: 'defaults', ...at(100), value: 'append', role: 'winner' }], live: 'none' },
        { field: 'high_count_rollup_threshold', status: 'managed', desired: 42, candidates: [{ from: 'rule', ...at(12), rule_at: at(10), value: 42, role: 'winner' }], live: 10 },
      ],
    } },
  },
  {
    name: 'two rules: equal values agree, different ones conflict (and the defaults below are overridden); one document\'s defaults counted once',
    desired: { datastores: [], rules: [
      rule({ tags: ['pii'] }, { link: 100, settings: { high_count_rollup_threshold: 42 }, defaults: { high_count_rollup_threshold: 1 } }),
      rule({ types: ['snowflake'] }, { line: 20, link: 100, settings: { high_count_rollup_threshold: 7 }, defaults: { high_count_rollup_threshold: 1 } }),
    ] },
    ref: 'Sales EU',
    expected: { ok: true, explanation: {
      datastore: EU, entries: [], rules: [at(10), at(20)], rules_not_matching: [],
      fields: [
        { field: 'enrichment_datastore', status: 'managed', desired: { id: 100, name: 'PII Enrichment' }, candidates: [
          { from: 'rule', ...at(11, 27), rule_at: at(10), value: { id: 100, name: 'PII Enrichment' }, role: 'winner' },
          { from: 'rule', ...at(21, 27), rule_at: at(20), value: { id: 100, name: 'PII Enrichment' }, role: 'agrees' },
        ], live: null },
        notManaged('enrichment_prefix', '_sales_eu'),
        ...LIVE_REST.slice(0, 2),
        { field: 'high_count_rollup_threshold', status: 'conflict', candidates: [
          { from: 'rule', ...at(12), rule_at: at(10), value: 42, role: 'conflicting' },
          { from: 'rule', ...at(22), rule_at: at(20), value: 7, role: 'conflicting' },
          { from: 'defaults', ...at(100), value: 1, role: 'overridden' },
        ], live: 10 },
      ],
    } },
  },
  {
    name: 'not declared: the rules that do not match, each with the criteria it fails',
    desired: { datastores: [declare('Sales EU')], rules: [rule({ tags: ['pii'], types: ['snowflake'] }), rule({ names: ['Sales E?'] }, { line: 20 })] },
    ref: 'Sales US',
    expected: { ok: false, refusal: { kind: 'not-declared', datastore: { id: 2, name: 'Sales US' }, rules_not_matching: [{ ...at(10), failed: ['tag', 'type'] }, { ...at(20), failed: ['name'] }] } },
  },
  {
    name: 'not found, by name and by id',
    desired: { datastores: [], rules: [] },
    ref: 'Nope',
    expected: { ok: false, refusal: { kind: 'not-found', ref: 'Nope' } },
  },
  {
    name: 'an enrichment datastore',
    desired: { datastores: [], rules: [] },
    ref: 'PII Enrichment',
    expected: { ok: false, refusal: { kind: 'enrichment-only', datastore: { id: 100, name: 'PII Enrichment' } } },
  },
  {
    name: 'a name two sources share',
    desired: { datastores: [], rules: [] },
    ref: 'Twin',
    expected: { ok: false, refusal: { kind: 'ambiguous', ref: 'Twin', ids: [7, 8] } },
  },
];

describe('explainDatastore', () => {
  it.each(CASES)('$name', ({ desired, ref, expected }) => {
    expect(explainDatastore(desired, observed(WORLD), ref)).toStrictEqual(expected);
  });

  it('two rules linking to one enrichment datastore, by name and by id, agree, as plan has them', () => {
    const result = explainDatastore({ datastores: [], rules: [rule({ tags: ['pii'] }, { link: 'PII Enrichment' }), rule({ names: ['Sales EU'] }, { link: 100, line: 20 })] }, observed(WORLD), 'Sales EU');
    if (!result.ok) throw new Error('refused');
    const link = result.explanation.fields.find((f) => f.field === 'enrichment_datastore')!;
    expect([link.status, link.candidates.map((c) => c.role)]).toStrictEqual(['managed', ['winner', 'agrees']]);
  });

  it('a link to the datastore itself wins, and says that plan refuses it', () => {
    const result = explainDatastore({ datastores: [declare('Sales EU', { link: 1 })], rules: [] }, observed(WORLD), 'Sales EU');
    if (!result.ok) throw new Error('refused');
    const link = result.explanation.fields.find((f) => f.field === 'enrichment_datastore')!;
    expect([link.status, link.refused]).toStrictEqual(['managed', 'a datastore cannot be its own enrichment datastore']);
    expect(renderExplainText(result.explanation)).toContain('entry at m.yaml:4 (plan refuses: a datastore cannot be its own enrichment datastore)');
  });

  it('an id no datastore has, and one the token may not read', () => {
    expect(explainDatastore({ datastores: [], rules: [] }, observed(WORLD, { missing: new Set([9]) }), '9')).toStrictEqual({ ok: false, refusal: { kind: 'not-found', ref: 9 } });
    expect(explainDatastore({ datastores: [], rules: [] }, observed(WORLD, { denied: new Map([[9, 'no access']]) }), '9')).toStrictEqual({ ok: false, refusal: { kind: 'denied', ref: 9, detail: 'no access' } });
  });
});
