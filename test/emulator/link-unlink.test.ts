import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { call, start, testSeed, TOKENS } from './helpers.js';

let em: RunningEmulator;
beforeEach(async () => {
  em = await start();
});
afterEach(() => em.close());

function stateOf(id: number): Record<string, unknown> | undefined {
  return em.snapshot().find((ds) => ds.id === id);
}

/** A rejected request must leave the whole state as it was. */
async function expectRejected(method: string, path: string, token: string, status: number, detail: string) {
  const before = em.snapshot();
  const reply = await call(em, method, path, { token });
  expect([reply.status, reply.body]).toStrictEqual([status, { detail }]);
  expect(em.snapshot()).toStrictEqual(before);
}

describe('PATCH /api/datastores/{id}/enrichment/{eid} (link)', () => {
  it('links and returns the full source datastore', async () => {
    const reply = await call(em, 'PATCH', '/datastores/43/enrichment/100', { token: TOKENS.editor });
    expect(reply.status).toBe(200);
    expect(reply.body).toStrictEqual(stateOf(43));
    expect(stateOf(43)?.enrich_datastore).toStrictEqual({
      id: 100,
      name: 'Healthcare Enrichment',
      store_type: 'jdbc',
      type: 'postgresql',
      enrichment_only: true,
    });
    expect((reply.body as Record<string, unknown>).connection).toStrictEqual({
      id: 43,
      name: 'Sales Warehouse connection',
      type: 'snowflake',
    });
  });

  it('is idempotent: the same id again re-confirms with 200 and changes nothing', async () => {
    const before = em.snapshot();
    const reply = await call(em, 'PATCH', '/datastores/42/enrichment/100', { token: TOKENS.editor });
    expect(reply.status).toBe(200);
    expect(em.snapshot()).toStrictEqual(before);
  });

  it('switches to another id in one call, keeping the settings', async () => {
    const reply = await call(em, 'PATCH', '/datastores/42/enrichment/101', { token: TOKENS.editor });
    expect(reply.status).toBe(200);
    expect(stateOf(42)).toMatchObject({
      enrich_datastore: { id: 101, name: 'Analytics Enrichment' },
      enrichment_remediation_strategy: 'append',
      enrichment_prefix: '_healthcare_prod',
    });
  });

  it('refuses a target that is not enrichment-only: 409 naming the target (status and text are guesses)', () =>
    expectRejected('PATCH', '/datastores/43/enrichment/44', TOKENS.admin, 409, 'The datastore id: 44 is not an enrichment store'));

  it('checks the source (409) before the target kind, and the target kind after 403 and 404', async () => {
    await expectRejected('PATCH', '/datastores/100/enrichment/44', TOKENS.admin, 409, 'The datastore id: 100 is an enrichment store');
    await expectRejected(
      'PATCH',
      '/datastores/42/enrichment/44',
      TOKENS.viewer,
      403,
      "You must have editor permission in at least one of these teams: ['Data Platform']",
    );
  });

  it('a switch to a source datastore is refused and keeps the old link', async () => {
    await expectRejected('PATCH', '/datastores/42/enrichment/43', TOKENS.editor, 409, 'The datastore id: 43 is not an enrichment store');
    expect(stateOf(42)?.enrich_datastore).toMatchObject({ id: 100 });
  });

  it('answers 404 for a missing source', () =>
    expectRejected('PATCH', '/datastores/999/enrichment/100', TOKENS.admin, 404, 'Datastore id: 999 not found'));

  it('answers 404 with the enrichment datastore id when the target is missing', () =>
    expectRejected('PATCH', '/datastores/43/enrichment/998', TOKENS.admin, 404, 'Datastore id: 998 not found'));

  it('answers 403 with the documented editor text when the caller lacks Editor', () =>
    expectRejected(
      'PATCH',
      '/datastores/42/enrichment/101',
      TOKENS.viewer,
      403,
      "You must have editor permission in at least one of these teams: ['Data Platform']",
    ));

  it('checks 403 before a missing target (404) and before 409', async () => {
    await expectRejected(
      'PATCH',
      '/datastores/42/enrichment/998',
      TOKENS.viewer,
      403,
      "You must have editor permission in at least one of these teams: ['Data Platform']",
    );
    await expectRejected(
      'PATCH',
      '/datastores/100/enrichment/101',
      TOKENS.viewer,
      403,
      "You must have editor permission in at least one of these teams: ['Data Platform']",
    );
  });

  it('passes with Editor in one of several teams, and for a Manager with Editor', async () => {
    expect((await call(em, 'PATCH', '/datastores/43/enrichment/100', { token: TOKENS.editor })).status).toBe(200);
    expect((await call(em, 'PATCH', '/datastores/43/enrichment/101', { token: TOKENS.manager })).status).toBe(200);
  });

  it('answers 409 with the source id when the source is enrichment-only', () =>
    expectRejected('PATCH', '/datastores/100/enrichment/101', TOKENS.admin, 409, 'The datastore id: 100 is an enrichment store'));

  it('checks a missing target (404) before the 409', () =>
    expectRejected('PATCH', '/datastores/100/enrichment/998', TOKENS.admin, 404, 'Datastore id: 998 not found'));

  it('answers 422 when linking a datastore to itself', () =>
    expectRejected(
      'PATCH',
      '/datastores/43/enrichment/43',
      TOKENS.admin,
      422,
      'A datastore cannot be its own enrichment datastore (datastore id: 43)',
    ));
});

describe('DELETE /api/datastores/{id}/enrichment (unlink)', () => {
  it('unlinks with 204 and an empty body, and resets the strategy to none', async () => {
    const response = await fetch(`${em.url}/datastores/42/enrichment`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKENS.admin}` },
    });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(stateOf(42)).toMatchObject({
      enrich_datastore: null,
      enrichment_remediation_strategy: 'none',
      enrichment_prefix: '_healthcare_prod',
      enrichment_source_record_limit: 100,
    });
  });

  it('is a 204 no-op when nothing is linked', async () => {
    const before = em.snapshot();
    const reply = await call(em, 'DELETE', '/datastores/43/enrichment');
    expect([reply.status, reply.body]).toStrictEqual([204, null]);
    expect(em.snapshot()).toStrictEqual(before);
  });

  it('is Admin only: a Member with Editor gets 403 "Admin role required"', () =>
    expectRejected('DELETE', '/datastores/42/enrichment', TOKENS.editor, 403, 'Admin role required'));

  it('refuses a Manager too (no team check lets anyone but an Admin through)', () =>
    expectRejected('DELETE', '/datastores/42/enrichment', TOKENS.manager, 403, 'Admin role required'));

  it('answers 404 for a missing datastore, before the role check', () =>
    expectRejected('DELETE', '/datastores/999/enrichment', TOKENS.editor, 404, 'Datastore id: 999 not found'));

  it('answers 409 while export or materialize operations are active', () =>
    expectRejected(
      'DELETE',
      '/datastores/45/enrichment',
      TOKENS.admin,
      409,
      'Cannot disconnect enrichment datastore: active export or materialize operations exist',
    ));

  it('still answers the 204 no-op on a datastore with active operations but no link', async () => {
    const seed = testSeed();
    seed.datastores = seed.datastores.map((ds) => (ds.id === 45 ? { ...ds, enrich_datastore: null } : ds));
    const other = await startEmulator({ seed });
    try {
      const reply = await call(other, 'DELETE', '/datastores/45/enrichment');
      expect([reply.status, reply.body]).toStrictEqual([204, null]);
    } finally {
      await other.close();
    }
  });
});
