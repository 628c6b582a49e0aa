import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { call, start, TOKENS, type CallOptions } from './helpers.js';

let em: RunningEmulator;
beforeEach(async () => {
  em = await start();
});
afterEach(() => em.close());

function settingsOf(id: number) {
  const ds = em.snapshot().find((d) => d.id === id);
  return ds && {
    enrichment_prefix: ds.enrichment_prefix,
    enrichment_source_record_limit: ds.enrichment_source_record_limit,
    enrichment_remediation_strategy: ds.enrichment_remediation_strategy,
    high_count_rollup_threshold: ds.high_count_rollup_threshold,
  };
}

async function put(id: number, options: CallOptions) {
  return call(em, 'PUT', `/datastores/${id}`, { token: TOKENS.editor, ...options });
}

/** A 422 with exactly this detail, and nothing changed anywhere. */
async function expect422(id: number, options: CallOptions, detail: string) {
  const before = em.snapshot();
  const reply = await put(id, options);
  expect([reply.status, reply.body]).toStrictEqual([422, { detail }]);
  expect(em.snapshot()).toStrictEqual(before);
}

describe('PUT /api/datastores/{id}', () => {
  it('updates only the fields given and returns the updated datastore', async () => {
    const reply = await put(42, { body: { enrichment_source_record_limit: 500 } });
    expect(reply.status).toBe(200);
    expect(reply.body).toStrictEqual(em.snapshot().find((d) => d.id === 42));
    expect(settingsOf(42)).toStrictEqual({
      enrichment_prefix: '_healthcare_prod',
      enrichment_source_record_limit: 500,
      enrichment_remediation_strategy: 'append',
      high_count_rollup_threshold: 10,
    });
  });

  it('updates all four at once', async () => {
    const body = {
      enrichment_prefix: '_sales',
      enrichment_source_record_limit: 1_000_000_000,
      enrichment_remediation_strategy: 'none',
      high_count_rollup_threshold: 1_000,
    };
    expect((await put(43, { body })).status).toBe(200);
    expect(settingsOf(43)).toStrictEqual(body);
  });

  it('stores the prefix normalised', async () => {
    const reply = await put(43, { body: { enrichment_prefix: 'Analytics Bronze' } });
    expect((reply.body as Record<string, unknown>).enrichment_prefix).toBe('_analytics_bronze');
    expect(settingsOf(43)?.enrichment_prefix).toBe('_analytics_bronze');
  });

  it('accepts a prefix of 60 characters once normalised, and one longer before normalising', async () => {
    const sixty = `_${'a'.repeat(59)}`;
    expect((await put(43, { body: { enrichment_prefix: sixty } })).status).toBe(200);
    expect((await put(43, { body: { enrichment_prefix: `__${'B'.repeat(59)}__` } })).status).toBe(200);
    expect(settingsOf(43)?.enrichment_prefix).toBe(`_${'b'.repeat(59)}`);
  });

  it('answers 422 for a prefix longer than 60 characters once normalised', () => {
    const long = `_${'a'.repeat(60)}`;
    return expect422(
      43,
      { body: { enrichment_prefix: long } },
      `enrichment_prefix must be at most 60 characters once normalised ("${long}" has 61)`,
    );
  });

  it('answers 422 for a prefix with no letter or digit', () =>
    expect422(43, { body: { enrichment_prefix: '__ -' } }, 'enrichment_prefix must contain at least one letter or digit'));

  it('answers 422 for numbers out of range, at both ends', async () => {
    await expect422(43, { body: { enrichment_source_record_limit: 0 } }, 'enrichment_source_record_limit must be between 1 and 1,000,000,000');
    await expect422(
      43,
      { body: { enrichment_source_record_limit: 1_000_000_001 } },
      'enrichment_source_record_limit must be between 1 and 1,000,000,000',
    );
    await expect422(43, { body: { high_count_rollup_threshold: 1_001 } }, 'high_count_rollup_threshold must be between 1 and 1,000');
    await expect422(43, { body: { high_count_rollup_threshold: 0 } }, 'high_count_rollup_threshold must be between 1 and 1,000');
  });

  it('answers 422 for a strategy outside the enum', () =>
    expect422(
      42,
      { body: { enrichment_remediation_strategy: 'replace' } },
      "enrichment_remediation_strategy must be one of 'none', 'append', 'overwrite'",
    ));

  it('answers 422 for append or overwrite while nothing is linked', async () => {
    await expect422(
      43,
      { body: { enrichment_remediation_strategy: 'append' } },
      "enrichment_remediation_strategy 'append' needs a linked enrichment datastore, and datastore id: 43 has none",
    );
    await expect422(
      43,
      { body: { enrichment_remediation_strategy: 'overwrite', high_count_rollup_threshold: 5 } },
      "enrichment_remediation_strategy 'overwrite' needs a linked enrichment datastore, and datastore id: 43 has none",
    );
  });

  it('accepts append once a link exists', async () => {
    expect((await call(em, 'PATCH', '/datastores/43/enrichment/100')).status).toBe(200);
    expect((await put(43, { body: { enrichment_remediation_strategy: 'overwrite' } })).status).toBe(200);
    expect(settingsOf(43)?.enrichment_remediation_strategy).toBe('overwrite');
  });

  it('answers 422 for values of the wrong type, null included, never 500', async () => {
    await expect422(43, { body: { enrichment_source_record_limit: '100' } }, 'enrichment_source_record_limit must be an integer');
    await expect422(43, { body: { enrichment_source_record_limit: 10.5 } }, 'enrichment_source_record_limit must be an integer');
    await expect422(43, { body: { high_count_rollup_threshold: true } }, 'high_count_rollup_threshold must be an integer');
    await expect422(43, { body: { enrichment_prefix: 7 } }, 'enrichment_prefix must be a string');
    await expect422(43, { body: { enrichment_prefix: null } }, 'enrichment_prefix must be a string');
    await expect422(
      43,
      { body: { enrichment_remediation_strategy: null } },
      "enrichment_remediation_strategy must be one of 'none', 'append', 'overwrite'",
    );
  });

  it('reports every bad field in one detail and applies none of the good ones', () =>
    expect422(
      43,
      { body: { enrichment_prefix: '_fine', enrichment_source_record_limit: -1, high_count_rollup_threshold: 'x' } },
      'enrichment_source_record_limit must be between 1 and 1,000,000,000; high_count_rollup_threshold must be an integer',
    ));

  it('answers 422 for a body that is not JSON, not an object, or missing', async () => {
    await expect422(43, { rawBody: '{"enrichment_prefix": ', headers: { 'content-type': 'application/json' } }, 'Request body is not valid JSON');
    await expect422(43, { body: ['enrichment_prefix'] }, 'Request body must be a JSON object');
    await expect422(43, { body: 'a string' }, 'Request body must be a JSON object');
    await expect422(43, { rawBody: 'null' }, 'Request body must be a JSON object');
    await expect422(43, {}, 'Request body is required: a JSON object with the settings to change');
  });

  it('ignores fields outside the four (like pydantic) and still applies the four', async () => {
    const reply = await put(43, { body: { name: 'Renamed', enrich_datastore: 100, high_count_rollup_threshold: 20 } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ name: 'Sales Warehouse', enrich_datastore: null, high_count_rollup_threshold: 20 });
  });

  it('accepts an empty object as a no-op', async () => {
    const before = em.snapshot();
    expect((await put(43, { body: {} })).status).toBe(200);
    expect(em.snapshot()).toStrictEqual(before);
  });

  it('answers 403 with the editor text for a Viewer, before looking at the body', async () => {
    const before = em.snapshot();
    const reply = await put(42, { token: TOKENS.viewer, body: { enrichment_remediation_strategy: 'bogus' } });
    expect([reply.status, reply.body]).toStrictEqual([
      403,
      { detail: "You must have editor permission in at least one of these teams: ['Data Platform']" },
    ]);
    expect(em.snapshot()).toStrictEqual(before);
  });

  it('answers 404 for a missing datastore, before the 403', async () => {
    const reply = await put(999, { token: TOKENS.outsider, body: { high_count_rollup_threshold: 5 } });
    expect([reply.status, reply.body]).toStrictEqual([404, { detail: 'Datastore id: 999 not found' }]);
  });

  it('resets to none on unlink, then refuses append again', async () => {
    expect((await call(em, 'DELETE', '/datastores/42/enrichment')).status).toBe(204);
    expect(settingsOf(42)?.enrichment_remediation_strategy).toBe('none');
    await expect422(
      42,
      { body: { enrichment_remediation_strategy: 'append' } },
      "enrichment_remediation_strategy 'append' needs a linked enrichment datastore, and datastore id: 42 has none",
    );
  });
});
