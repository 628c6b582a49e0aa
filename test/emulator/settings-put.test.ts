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

/** A 422 with exactly this detail (a string, or FastAPI's list), and nothing changed anywhere. */
async function expect422(id: number, options: CallOptions, detail: unknown) {
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

  it('answers 422 string_too_long for a prefix longer than 60 characters once normalised', () => {
    const long = `_${'a'.repeat(60)}`;
    return expect422(43, { body: { enrichment_prefix: long } }, [
      {
        type: 'string_too_long',
        loc: ['body', 'enrichment_prefix'],
        msg: 'String should have at most 60 characters',
        input: long,
        ctx: { max_length: 60 },
      },
    ]);
  });

  it('answers 422 value_error for a prefix with no letter or digit', () =>
    expect422(43, { body: { enrichment_prefix: '__ -' } }, [
      {
        type: 'value_error',
        loc: ['body', 'enrichment_prefix'],
        msg: 'Value error, enrichment_prefix must contain at least one letter or digit',
        input: '__ -',
        ctx: { error: {} },
      },
    ]));

  it('answers 422 greater_than_equal / less_than_equal for numbers out of range, at both ends', async () => {
    const range = (key: string, input: number, type: string, bound: number) => [
      {
        type,
        loc: ['body', key],
        msg: `Input should be ${type === 'less_than_equal' ? 'less' : 'greater'} than or equal to ${bound}`,
        input,
        ctx: type === 'less_than_equal' ? { le: bound } : { ge: bound },
      },
    ];
    const limit = 'enrichment_source_record_limit';
    const threshold = 'high_count_rollup_threshold';
    await expect422(43, { body: { [limit]: 0 } }, range(limit, 0, 'greater_than_equal', 1));
    await expect422(43, { body: { [limit]: 1_000_000_001 } }, range(limit, 1_000_000_001, 'less_than_equal', 1_000_000_000));
    await expect422(43, { body: { [threshold]: 1_001 } }, range(threshold, 1_001, 'less_than_equal', 1_000));
    await expect422(43, { body: { [threshold]: 0 } }, range(threshold, 0, 'greater_than_equal', 1));
  });

  it('answers the reference example for a threshold of 1001, message included', async () => {
    const reply = await put(43, { body: { high_count_rollup_threshold: 1001 } });
    expect(reply.body).toMatchObject({
      detail: [{ type: 'less_than_equal', loc: ['body', 'high_count_rollup_threshold'], msg: 'Input should be less than or equal to 1000', input: 1001 }],
    });
  });

  it('answers 422 enum for a strategy outside the three', () =>
    expect422(42, { body: { enrichment_remediation_strategy: 'replace' } }, [
      {
        type: 'enum',
        loc: ['body', 'enrichment_remediation_strategy'],
        msg: "Input should be 'none', 'append' or 'overwrite'",
        input: 'replace',
        ctx: { expected: "'none', 'append' or 'overwrite'" },
      },
    ]));

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

  it('answers 422 int_type / string_type / enum for values of the wrong type (strictly), null included, never 500', async () => {
    const wrong = (type: string, key: string, input: unknown, msg: string) => [{ type, loc: ['body', key], msg, input }];
    const integer = 'Input should be a valid integer';
    await expect422(43, { body: { enrichment_source_record_limit: '100' } }, wrong('int_type', 'enrichment_source_record_limit', '100', integer));
    await expect422(43, { body: { enrichment_source_record_limit: 10.5 } }, wrong('int_type', 'enrichment_source_record_limit', 10.5, integer));
    await expect422(43, { body: { high_count_rollup_threshold: true } }, wrong('int_type', 'high_count_rollup_threshold', true, integer));
    await expect422(43, { body: { enrichment_prefix: 7 } }, wrong('string_type', 'enrichment_prefix', 7, 'Input should be a valid string'));
    await expect422(43, { body: { enrichment_prefix: null } }, wrong('string_type', 'enrichment_prefix', null, 'Input should be a valid string'));
    const reply = await put(43, { body: { enrichment_remediation_strategy: null } });
    expect([reply.status, reply.body]).toMatchObject([422, { detail: [{ type: 'enum', input: null }] }]);
  });

  it('reports every bad field, one entry each in field order, and applies none of the good ones', async () => {
    const before = em.snapshot();
    const reply = await put(43, {
      body: { high_count_rollup_threshold: 'x', enrichment_prefix: '_fine', enrichment_source_record_limit: -1, name: 5 },
    });
    expect(reply.status).toBe(422);
    const detail = (reply.body as { detail: Array<{ type: string; loc: unknown[] }> }).detail;
    expect(detail.map((d) => [d.type, d.loc])).toStrictEqual([
      ['string_type', ['body', 'name']],
      ['greater_than_equal', ['body', 'enrichment_source_record_limit']],
      ['int_type', ['body', 'high_count_rollup_threshold']],
    ]);
    expect(em.snapshot()).toStrictEqual(before);
  });

  it("answers FastAPI's 422s for a body that is not JSON, not an object, or missing", async () => {
    await expect422(43, { rawBody: '{"enrichment_prefix": ', headers: { 'content-type': 'application/json' } }, [
      { type: 'json_invalid', loc: ['body', 22], msg: 'JSON decode error', input: {}, ctx: { error: 'Expecting value' } },
    ]);
    const notObject = (input: unknown) => [
      { type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input },
    ];
    await expect422(43, { body: ['enrichment_prefix'] }, notObject(['enrichment_prefix']));
    await expect422(43, { body: 'a string' }, notObject('a string'));
    await expect422(43, { body: 7 }, notObject(7));
    const missing = [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }];
    await expect422(43, { rawBody: 'null' }, missing);
    await expect422(43, {}, missing);
  });

  it('ignores fields it does not model (like pydantic), applies name and the four', async () => {
    const reply = await put(43, { body: { name: 'Renamed', enrich_datastore: 100, description: 'x', high_count_rollup_threshold: 20 } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ name: 'Renamed', enrich_datastore: null, high_count_rollup_threshold: 20 });
    expect(reply.body).not.toHaveProperty('description');
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
