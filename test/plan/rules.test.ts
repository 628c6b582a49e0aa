/** Rule expansion, table-driven: entries + rules + observation -> one declaration per datastore, each value with its origin. */
import { describe, expect, it } from 'vitest';
import { expandRules, globToRegExp, type Expansion } from '../../src/plan/rules.js';
import { diffState } from '../../src/plan/diff.js';
import type { DesiredDatastore, DesiredRule } from '../../src/model/desired.js';
import { declare, loc, META, observed, rule, state, type LiveEntry } from './builders.js';

const WORLD: LiveEntry[] = [
  { id: 1, name: 'Sales EU', type: 'snowflake', tags: ['pii', 'sales'] },
  { id: 2, name: 'Sales US', type: 'postgresql', tags: ['sales'] },
  { id: 3, name: 'Marketing', type: 'snowflake', tags: [] },
  { id: 100, name: 'PII Enrichment', enrichment_only: true, type: 'snowflake', tags: ['pii'] },
];

const ruleOrigin = (line: number) => ({ from: 'rule' as const, location: loc(line) });

type Case = { name: string; entries?: DesiredDatastore[]; rules: DesiredRule[]; expected: Expansion };

const CASES: Case[] = [
  {
    name: 'a tag rule declares every source datastore with the tag, never the enrichment-only one',
    rules: [rule({ tags: ['pii'] }, { settings: { high_count_rollup_threshold: 42 } })],
    expected: {
      datastores: [{ ref: 1, location: loc(10), link: { kind: 'unmanaged' }, settings: { high_count_rollup_threshold: 42 }, origins: { high_count_rollup_threshold: ruleOrigin(12) } }],
      diagnostics: [],
    },
  },
  {
    name: 'every criterion must hold: name glob and type',
    rules: [rule({ names: ['Sales *'], types: ['snowflake', 'mysql'] }, { link: 'PII Enrichment' })],
    expected: {
      datastores: [{ ref: 1, location: loc(10), link: { kind: 'ref', ref: 'PII Enrichment', location: loc(11, 27), from: 'rule' }, settings: {}, origins: {} }],
      diagnostics: [],
    },
  },
  {
    name: 'prefix templates: {name} and {id} substituted, then normalised',
    rules: [rule({ names: ['Sales ??'] }, { settings: { enrichment_prefix: 'pii {name} {id}' } })],
    expected: {
      datastores: [1, 2].map((id) => ({
        ref: id, location: loc(10), link: { kind: 'unmanaged' as const },
        settings: { enrichment_prefix: `_pii_sales_${id === 1 ? 'eu' : 'us'}_${id}` }, origins: { enrichment_prefix: ruleOrigin(12) },
      })),
      diagnostics: [],
    },
  },
  {
    name: 'precedence key by key: the entry, then the rule, then the entry document\'s defaults',
    entries: [{
      ...declare('Sales EU', { settings: { enrichment_source_record_limit: 5 } }),
      settings: { enrichment_source_record_limit: 5, high_count_rollup_threshold: 7, enrichment_remediation_strategy: 'none' },
      origins: {
        enrichment_source_record_limit: { from: 'entry', location: loc(5) },
        high_count_rollup_threshold: { from: 'defaults', location: loc(2) },
        enrichment_remediation_strategy: { from: 'defaults', location: loc(3) },
      },
    }],
    rules: [rule({ tags: ['pii'] }, { settings: { enrichment_source_record_limit: 100, high_count_rollup_threshold: 42 } })],
    expected: {
      datastores: [{
        ref: 'Sales EU', location: loc(3), link: { kind: 'unmanaged' },
        settings: { enrichment_source_record_limit: 5, high_count_rollup_threshold: 42, enrichment_remediation_strategy: 'none' },
        origins: {
          enrichment_source_record_limit: { from: 'entry', location: loc(5) },
          high_count_rollup_threshold: ruleOrigin(13),
          enrichment_remediation_strategy: { from: 'defaults', location: loc(3) },
        },
      }],
      diagnostics: [],
    },
  },
  {
    // Overriding one key of a rule's datastore in an entry must not unmanage the rest of what the rule's document gives it.
    name: 'an entry gets the rules\' documents\' defaults below its own document\'s, for the keys it and the rules leave out',
    entries: [{
      ...declare('Sales EU', { settings: { enrichment_source_record_limit: 5 } }),
      settings: { enrichment_source_record_limit: 5, enrichment_remediation_strategy: 'none' },
      origins: { enrichment_source_record_limit: { from: 'entry', location: loc(5) }, enrichment_remediation_strategy: { from: 'defaults', location: loc(3) } },
    }],
    rules: [rule({ tags: ['pii'] }, { settings: { enrichment_source_record_limit: 100 }, defaults: { high_count_rollup_threshold: 1, enrichment_remediation_strategy: 'append', enrichment_source_record_limit: 9 } })],
    expected: {
      datastores: [{
        ref: 'Sales EU', location: loc(3), link: { kind: 'unmanaged' },
        settings: { enrichment_source_record_limit: 5, enrichment_remediation_strategy: 'none', high_count_rollup_threshold: 1 },
        origins: {
          enrichment_source_record_limit: { from: 'entry', location: loc(5) },
          enrichment_remediation_strategy: { from: 'defaults', location: loc(3) },
          high_count_rollup_threshold: { from: 'defaults', location: loc(100) },
        },
      }],
      diagnostics: [],
    },
  },
  {
    name: 'a datastore only rules declare gets its rules\' documents\' defaults below the rules',
    rules: [rule({ names: ['Marketing'] }, { settings: { high_count_rollup_threshold: 42 }, defaults: { high_count_rollup_threshold: 1, enrichment_source_record_limit: 9 } })],
    expected: {
      datastores: [{
        ref: 3, location: loc(10), link: { kind: 'unmanaged' },
        settings: { enrichment_source_record_limit: 9, high_count_rollup_threshold: 42 },
        origins: { enrichment_source_record_limit: { from: 'defaults', location: loc(101) }, high_count_rollup_threshold: ruleOrigin(12) },
      }],
      diagnostics: [],
    },
  },
  {
    name: 'two rules setting one key to equal values agree; the first rule is the origin',
    rules: [
      rule({ tags: ['sales'] }, { settings: { high_count_rollup_threshold: 42 } }),
      rule({ types: ['snowflake'] }, { settings: { high_count_rollup_threshold: 42 }, line: 20 }),
    ],
    expected: {
      datastores: [1, 2, 3].map((id) => ({
        ref: id, location: loc(id === 3 ? 20 : 10), link: { kind: 'unmanaged' as const },
        settings: { high_count_rollup_threshold: 42 }, origins: { high_count_rollup_threshold: ruleOrigin(id === 3 ? 22 : 12) },
      })),
      diagnostics: [],
    },
  },
  {
    name: 'two rules setting one key differently: an error naming the datastore and both rules\' file:line',
    rules: [
      rule({ tags: ['pii'] }, { settings: { enrichment_remediation_strategy: 'none' } }),
      rule({ names: ['Sales*'] }, { settings: { enrichment_remediation_strategy: 'append' }, line: 20, file: 'other.yaml' }),
    ],
    expected: {
      datastores: [
        { ref: 1, location: loc(10), link: { kind: 'unmanaged' }, settings: {}, origins: {} },
        { ref: 2, location: loc(20, 5, 'other.yaml'), link: { kind: 'unmanaged' }, settings: { enrichment_remediation_strategy: 'append' }, origins: { enrichment_remediation_strategy: { from: 'rule', location: loc(22, 5, 'other.yaml') } } },
      ],
      diagnostics: [{
        severity: 'error', file: 'other.yaml', start: { line: 22, column: 5 }, end: { line: 22, column: 15 }, code: 'rule-conflict',
        message: 'datastore "Sales EU" (id 1): two rules that match it set enrichment_remediation_strategy differently: "none" at m.yaml:10 and "append" at other.yaml:20',
        hints: ['give the datastore its own entry with this key (an entry wins over rules), or narrow one rule\'s match'],
      }],
      conflicted: new Set([{ ref: 1, location: loc(10), link: { kind: 'unmanaged' as const }, settings: {}, origins: {} }]),
    },
  },
  {
    name: 'two rules linking to one enrichment datastore, by name and by id, agree',
    rules: [
      rule({ tags: ['pii'] }, { link: 'PII Enrichment' }),
      rule({ names: ['Sales EU'] }, { link: 100, line: 20 }),
    ],
    expected: {
      datastores: [{ ref: 1, location: loc(10), link: { kind: 'ref', ref: 'PII Enrichment', location: loc(11, 27), from: 'rule' }, settings: {}, origins: {} }],
      diagnostics: [],
    },
  },
  {
    name: 'an entry\'s own value settles what would be a conflict',
    entries: [declare(1, { settings: { enrichment_remediation_strategy: 'none' } })],
    rules: [
      rule({ tags: ['pii'] }, { settings: { enrichment_remediation_strategy: 'overwrite' } }),
      rule({ names: ['Sales EU'] }, { settings: { enrichment_remediation_strategy: 'append' }, line: 20 }),
    ],
    expected: {
      datastores: [declare(1, { settings: { enrichment_remediation_strategy: 'none' } })],
      diagnostics: [],
    },
  },
  {
    name: 'a rule that matches nothing: a warning, located',
    rules: [rule({ tags: ['gdpr'], types: ['oracle'] }, { settings: { high_count_rollup_threshold: 3 } })],
    expected: {
      datastores: [],
      diagnostics: [{ severity: 'warning', file: 'm.yaml', start: { line: 10, column: 5 }, end: { line: 10, column: 15 }, code: 'rule-matches-nothing', message: 'this rule matches no source datastore (tag gdpr, type oracle)' }],
    },
  },
  {
    name: 'a prefix template too long for one datastore: a located error',
    rules: [rule({ names: ['Marketing'] }, { settings: { enrichment_prefix: `{name} ${'x'.repeat(55)}` } })],
    expected: {
      datastores: [{ ref: 3, location: loc(10), link: { kind: 'unmanaged' }, settings: { enrichment_prefix: `_marketing_${'x'.repeat(55)}` }, origins: { enrichment_prefix: ruleOrigin(12) } }],
      diagnostics: [{
        severity: 'error', file: 'm.yaml', start: { line: 12, column: 5 }, end: { line: 12, column: 15 }, code: 'invalid-prefix',
        message: `for datastore "Marketing" (id 3), the rule's prefix template gives "_marketing_${'x'.repeat(55)}": enrichment_prefix must be at most 60 characters once normalised ("_marketing_${'x'.repeat(55)}" has 66)`,
      }],
    },
  },
];

describe('expandRules', () => {
  it.each(CASES)('$name', ({ entries = [], rules, expected }) => {
    expect(expandRules(entries, rules, observed(WORLD))).toStrictEqual(expected);
  });

  it('without rules, the entries are the declarations, unchanged', () => {
    const entries = [declare('Sales EU', { settings: { high_count_rollup_threshold: 2 } })];
    expect(expandRules(entries, [], observed(WORLD))).toStrictEqual({ datastores: entries, diagnostics: [] });
  });

  it('globs: * any run, ? one character, everything else itself', () => {
    const re = globToRegExp(['Sales *', 'a.b?']);
    expect(['Sales ', 'Sales EU', 'a.bc'].map((n) => re.test(n))).toStrictEqual([true, true, true]);
    expect(['sales EU', 'Sales', 'axbc', 'a.b', 'a.bcd', 'x Sales EU'].map((n) => re.test(n))).toStrictEqual([false, false, false, false, false, false]);
  });
});

describe('diffState with rules', () => {
  it('plans what rules declare, each changed field located with its origin', () => {
    const result = diffState([], observed(WORLD), META, [], [rule({ tags: ['pii'] }, { settings: { high_count_rollup_threshold: 42 } })]);
    expect(result).toStrictEqual({
      ok: true,
      warnings: [],
      plan: {
        format_version: 1, ...META,
        changes: [{
          datastore: { id: 1, name: 'Sales EU' }, action: 'update', before: state(), after: state({ high_count_rollup_threshold: 42 }),
          changed_fields: ['high_count_rollup_threshold'], operations: [{ type: 'update_settings', body: { high_count_rollup_threshold: 42 } }],
          declared_at: { file: 'm.yaml', line: 10, column: 5 },
          locations: { high_count_rollup_threshold: { file: 'm.yaml', line: 12, column: 5, end_line: 12, end_column: 15, from: 'rule' } },
          matched_on: { type: 'snowflake', tags: ['pii', 'sales'] },
        }],
        summary: { link: 0, unlink: 0, update: 1, unchanged: 0 },
      },
    });
  });

  it('two rules linking differently, with a strategy that needs a link: the conflict alone, not also "would have no link"', () => {
    const result = diffState([], observed([...WORLD, { id: 101, name: 'Other Enrichment', enrichment_only: true }]), META, [], [
      rule({ tags: ['pii'] }, { link: 'PII Enrichment', settings: { enrichment_remediation_strategy: 'append' } }),
      rule({ names: ['Sales EU'] }, { link: 101, line: 20 }),
    ]);
    expect(result.ok ? [] : result.diagnostics.map((d) => d.code)).toStrictEqual(['rule-conflict']);
  });

  it('a rule\'s strategy that needs a link on a datastore its entry unlinks is refused at the rule', () => {
    const result = diffState([declare('Sales EU', { link: null })], observed(WORLD), META, [], [rule({ tags: ['pii'] }, { settings: { enrichment_remediation_strategy: 'append' } })]);
    expect(result.ok ? [] : result.diagnostics.map((d) => [d.code, d.start?.line])).toStrictEqual([['strategy-needs-link', 12]]);
  });
});
