/** The convergence check after apply: every field the server holds differently from the plan is named. */
import { describe, expect, it } from 'vitest';
import { convergenceMismatches } from '../../src/apply/apply.js';
import { state } from '../plan/builders.js';

describe('convergenceMismatches', () => {
  it('is empty when the server holds what the plan said (prefixes compared normalised, links by id)', () => {
    expect(convergenceMismatches(
      state({ enrich_datastore: { id: 100, name: 'A' }, enrichment_prefix: '_x' }),
      state({ enrich_datastore: { id: 100, name: 'A (renamed)' }, enrichment_prefix: 'X' }),
    )).toStrictEqual([]);
  });

  it('names each field that differs, with both values', () => {
    expect(convergenceMismatches(
      state({ enrich_datastore: { id: 100, name: 'A' }, enrichment_remediation_strategy: 'append' }),
      state({ enrich_datastore: null, enrichment_remediation_strategy: 'none', high_count_rollup_threshold: 11 }),
    )).toStrictEqual([
      'enrich_datastore is null on the server, but the plan expected "A" (id 100)',
      'enrichment_remediation_strategy is "none" on the server, but the plan expected "append"',
      'high_count_rollup_threshold is 11 on the server, but the plan expected 10',
    ]);
  });

  it('looks only at the fields the plan manages: another writer may change the others meanwhile', () => {
    const expected = state({ enrich_datastore: { id: 100, name: 'A' } });
    const live = state({ enrich_datastore: { id: 100, name: 'A' }, high_count_rollup_threshold: 99 });
    expect(convergenceMismatches(expected, live, ['enrich_datastore'])).toStrictEqual([]);
    expect(convergenceMismatches(expected, live, ['enrich_datastore', 'high_count_rollup_threshold'])).toStrictEqual([
      'high_count_rollup_threshold is 99 on the server, but the plan expected 10',
    ]);
  });

  it('says so when the answer carried no enrichment fields', () => {
    expect(convergenceMismatches(state(), undefined)).toStrictEqual(['the server answered without the enrichment fields, so the result could not be confirmed']);
  });
});
