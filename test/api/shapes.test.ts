/** The answer checks (api/shapes.ts) and the one rule for server text on a terminal (core/visible-text.ts), as tables. */
import { describe, expect, it } from 'vitest';
import { MAX_PAGES, checkUser, datastoreCheck, pageCheck } from '../../src/api/shapes.js';
import { quoteText, quoteValue, visibleText } from '../../src/core/visible-text.js';

const DS = { id: 1, name: 'Orders' };

describe('pageCheck(100)', () => {
  const check = pageCheck(100);
  const cases: Array<[string, unknown, string | undefined]> = [
    ['a well-formed page', { items: [DS], total: 1, page: 1, size: 100, pages: 1 }, undefined],
    ['an empty listing with 0 pages', { items: [], total: 0, page: 1, size: 100, pages: 0 }, undefined],
    ['an empty listing with 1 page', { items: [], total: 0, page: 1, size: 100, pages: 1 }, undefined],
    ['the last allowed page count', { items: [], total: MAX_PAGES * 100, page: 1, size: 100, pages: MAX_PAGES }, undefined],
    ['an array', [DS], 'the answer is [{"id":1,"name":"Orders"}], expected a page object with items'],
    ['items missing', { total: 0, page: 1, size: 100, pages: 0 }, 'items is missing, expected an array'],
    ['a negative total', { items: [], total: -1, page: 1, size: 100, pages: 0 }, 'total is -1, expected a non-negative integer'],
    ['a fractional page count', { items: [], total: 1, page: 1, size: 100, pages: 1.5 }, 'pages is 1.5, expected a non-negative integer'],
    ['an unsafe total', { items: [], total: 2 ** 60, page: 1, size: 100, pages: 1 }, 'total is 1152921504606847000, expected a non-negative integer'],
    ['size 0 with datastores', { items: [], total: 3, page: 1, size: 0, pages: 0 }, 'size is 0, expected 1 to 100 as requested'],
    ['a billion pages', { items: [DS], total: 5, page: 1, size: 100, pages: 1e9 }, 'the server claims 1000000000 pages of 100 for 5 datastores; a listing has ceil(total / size) = 1'],
    ['one page too many', { items: [], total: MAX_PAGES * 100 + 1, page: 1, size: 100, pages: MAX_PAGES + 1 },
      'the server claims 10001 pages of 100 for 1000001 datastores; enrichctl reads at most 10000 pages (1000000 datastores)'],
    ['more items than size', { items: [DS, { id: 2, name: 'B' }], total: 2, page: 1, size: 1, pages: 2 }, 'the page holds 2 items, more than its size 1'],
    ['an item that is not an object', { items: [DS, 7], total: 2, page: 1, size: 100, pages: 1 }, 'items[1] is 7, expected a datastore object'],
  ];
  for (const [name, value, expected] of cases) it(name, () => expect(check(value)).toStrictEqual(expected));
});

describe('pageCheck(100, page, first): a page asked by number is the one asked for, and holds what its place holds', () => {
  const items = (n: number, from = 1): unknown[] => Array.from({ length: n }, (_, i) => ({ id: from + i, name: `ds ${from + i}` }));
  const FIRST = { total: 150, size: 100, pages: 2 };
  const cases: Array<[string, number, unknown, string | undefined]> = [
    ['page 1 of 2, full', 1, { items: items(100), total: 150, page: 1, size: 100, pages: 2 }, undefined],
    ['page 2 of 2, the rest', 2, { items: items(50, 101), total: 150, page: 2, size: 100, pages: 2 }, undefined],
    ['a page past the end, empty', 3, { items: [], total: 150, page: 3, size: 100, pages: 2 }, undefined],
    ['an empty listing', 1, { items: [], total: 0, page: 1, size: 100, pages: 0 }, undefined],
    ['another page than asked', 2, { items: items(50, 101), total: 150, page: 1, size: 100, pages: 2 }, 'page is 1, expected 2, the page asked for'],
    ['a short page before the last', 1, { items: items(60), total: 150, page: 1, size: 100, pages: 2 },
      'page 1 holds 60 items, but 150 datastores in 2 pages of 100 put 100 on it'],
    ['a full last page that should hold the rest', 2, { items: items(100, 101), total: 150, page: 2, size: 100, pages: 2 },
      'page 2 holds 100 items, but 150 datastores in 2 pages of 100 put 50 on it'],
    ['items past the end', 3, { items: items(1, 151), total: 150, page: 3, size: 100, pages: 2 }, 'page 3 holds 1 item, but 150 datastores in 2 pages of 100 put 0 on it'],
  ];
  for (const [name, page, value, expected] of cases) it(name, () => expect(pageCheck(100, page)(value)).toStrictEqual(expected));

  it('after page 1, the total, size and page count page 1 said', () => {
    expect(pageCheck(100, 2, FIRST)({ items: items(50, 101), total: 150, page: 2, size: 100, pages: 2 })).toBeUndefined();
    expect(pageCheck(100, 2, FIRST)({ items: items(100, 101), total: 250, page: 2, size: 100, pages: 3 })).toBe(
      'the listing changed while it was read: page 1 said 150 datastores in 2 pages of 100, this page says 250 datastores in 3 pages of 100; run the command again');
    expect(pageCheck(100, 2, FIRST)({ items: items(50, 101), total: 150, page: 2, size: 50, pages: 3 })).toBe(
      'the listing changed while it was read: page 1 said 150 datastores in 2 pages of 100, this page says 150 datastores in 3 pages of 50; run the command again');
  });
});

describe('datastoreCheck', () => {
  const cases: Array<[string, unknown, string | undefined]> = [
    ['an abbreviated list item', DS, undefined],
    ['a full datastore, linked', { ...DS, enrichment_only: false, enrich_datastore: { id: 100, name: 'E', extra: [1] }, enrichment_prefix: '_o',
      enrichment_source_record_limit: 10, enrichment_remediation_strategy: 'append', high_count_rollup_threshold: 10 }, undefined],
    ['null', null, 'the answer is null, expected a datastore object'],
    ['id 0', { ...DS, id: 0 }, 'id is 0, expected a positive integer'],
    ['id missing', { name: 'Orders' }, 'id is missing, expected an integer'],
    ['a bare link id', { ...DS, enrich_datastore: 7 }, 'enrich_datastore is 7, expected an object or null'],
    ['a link without a name', { ...DS, enrich_datastore: { id: 7 } }, 'enrich_datastore.name is missing, expected a string'],
    ['a prefix that is a number', { ...DS, enrichment_prefix: 5 }, 'enrichment_prefix is 5, expected a string'],
    ['a fractional limit', { ...DS, enrichment_source_record_limit: 1.5 }, 'enrichment_source_record_limit is 1.5, expected an integer'],
    ['a strategy in capitals', { ...DS, enrichment_remediation_strategy: 'NONE' }, 'enrichment_remediation_strategy is "NONE", expected one of "none", "append", "overwrite"'],
    ['a threshold of null', { ...DS, high_count_rollup_threshold: null }, 'high_count_rollup_threshold is null, expected an integer'],
    ['another datastore than the one asked for', { ...DS, id: 999 }, 'id is 999, expected 1: the answer is about another datastore than the one asked for'],
  ];
  for (const [name, value, expected] of cases) it(name, () => expect(datastoreCheck(1)(value)).toStrictEqual(expected));
});

describe('checkUser', () => {
  it('wants a name and a role, both strings', () => {
    expect(checkUser({ name: 'Ada', role: 'Admin' })).toBeUndefined();
    expect(checkUser({ name: 'Ada' })).toBe('role is missing, expected a string');
    expect(checkUser('Ada')).toBe('the answer is "Ada", expected an object');
  });
});

describe('visible text', () => {
  const cases: Array<[string, string, string]> = [
    ['plain text stays', 'Orders é 中文 🙂', 'Orders é 中文 🙂'],
    ['newline, tab, carriage return', 'a\nb\tc\rd', 'a\\nb\\tc\\rd'],
    ['ESC and BEL (C0)', '\u001b[2J\u0007', '\\u001b[2J\\u0007'],
    ['DEL and C1 (CSI)', '\u007f\u009b31m\u0085', '\\u007f\\u009b31m\\u0085'],
    ['bidi overrides and isolates', '\u202aa\u202eb\u2066c\u2069\u200e\u200f\u061c', '\\u202aa\\u202eb\\u2066c\\u2069\\u200e\\u200f\\u061c'],
    ['line and paragraph separators', 'a\u2028b\u2029', 'a\\u2028b\\u2029'],
  ];
  for (const [name, raw, shown] of cases) it(name, () => expect(visibleText(raw)).toBe(shown));

  it('quotes what JSON.stringify quotes, and escapes what it leaves raw', () => {
    expect(JSON.stringify('a\u009bb\u202e')).toBe('"a\u009bb\u202e"');
    expect(quoteText('a\u009bb\u202e"\\\n')).toBe('"a\\u009bb\\u202e\\"\\\\\\n"');
  });

  it('quotes a value in at most 60 characters', () => {
    expect(quoteValue('x'.repeat(100))).toBe(`"${'x'.repeat(59)}...`);
    expect(quoteValue(undefined)).toBe('missing');
    expect(quoteValue({ a: 1 })).toBe('{"a":1}');
  });
});
