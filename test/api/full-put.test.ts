/** The pure parts of the whole-datastore PUT fallback, table-driven (error bodies: test/api/client.test.ts). */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import { collateralChanges, flattenForPut, mergeForPut, missingBodyFields } from '../../src/api/full-put.js';
import type { ApiDatastore } from '../../src/core/api-types.js';

const GET: ApiDatastore = {
  id: 42, name: 'Sales', type: 'postgresql', store_type: 'jdbc', enrichment_only: false,
  enrichment_prefix: '_sales', enrichment_source_record_limit: 10, enrichment_remediation_strategy: 'none', high_count_rollup_threshold: 10,
  enrich_datastore: null,
  teams: [{ id: 1, name: 'Public' }, { id: 2, name: 'Finance' }],
  global_tags: [{ name: 'pii' }],
  connection: { id: 7, name: 'pg', type: 'postgresql' },
};

describe('whole-datastore PUT', () => {
  it('recognises the 422 of a server that wants the whole datastore, and nothing else', () => {
    const missing = new ApiError('PUT', '/datastores/42', 422, '', '', [
      { type: 'missing', loc: ['body', 'name'], msg: 'Field required' },
      { type: 'missing', loc: ['body', 'connection_id'], msg: 'Field required' },
    ]);
    expect(missingBodyFields(missing)).toStrictEqual(['name', 'connection_id']);
    expect(missingBodyFields(new ApiError('PUT', '/datastores/42', 422, '', '', [{ type: 'less_than_equal', loc: ['body', 'high_count_rollup_threshold'], msg: 'x' }]))).toStrictEqual([]);
    expect(missingBodyFields(new ApiError('PUT', '/datastores/42', 422, '', '', [{ type: 'missing', loc: ['query', 'page'], msg: 'x' }]))).toStrictEqual([]);
    expect(missingBodyFields(new ApiError('PUT', '/datastores/42', 400, '', '', [{ type: 'missing', loc: ['body', 'name'], msg: 'x' }]))).toStrictEqual([]);
  });

  it('flattens as the official CLI does and adds no field the GET did not return', () => {
    const { connection: _connection, ...rest } = GET;
    // teams become names and connection becomes connection_id; global_tags go back as the GET had them.
    expect(flattenForPut(GET)).toStrictEqual({ ...rest, teams: ['Public', 'Finance'], connection_id: 7 });
    expect(flattenForPut({ ...GET, tags: [{ name: 'a' }, 'b'] }).tags).toStrictEqual(['a', 'b']);
    expect(mergeForPut(GET, { high_count_rollup_threshold: 3 })).toMatchObject({ high_count_rollup_threshold: 3, name: 'Sales', enrichment_source_record_limit: 10 });
  });

  it('names each unmanaged field a PUT changed, and ignores what the answer left out', () => {
    expect(collateralChanges(GET, { ...GET, high_count_rollup_threshold: 3 })).toStrictEqual([]);
    expect(collateralChanges(GET, { ...GET, teams: [{ id: 2, name: 'Finance' }, { id: 1, name: 'Public' }] })).toStrictEqual([]);
    expect(collateralChanges(GET, { ...GET, name: 'Sales (2)', global_tags: [], teams: [{ id: 1, name: 'Public' }], connection: { id: 8 } })).toStrictEqual([
      'name changed from "Sales" to "Sales (2)"',
      'teams changed from ["Finance","Public"] to ["Public"]',
      'tags changed from ["pii"] to []',
      'connection changed from 7 to 8',
    ]);
    const { teams: _teams, global_tags: _tags, ...bare } = GET;
    expect(collateralChanges(GET, bare as ApiDatastore)).toStrictEqual([]);
  });
});
