import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { call, start, TOKENS } from './helpers.js';

let em: RunningEmulator;
beforeAll(async () => {
  em = await start();
});
afterAll(() => em.close());

describe('authentication', () => {
  it('answers 401 "Not authenticated" without an Authorization header', async () => {
    const reply = await call(em, 'GET', '/datastores/42', { token: null });
    expect(reply.status).toBe(401);
    expect(reply.body).toStrictEqual({ detail: 'Not authenticated' });
    expect(reply.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers 401 "Could not validate credentials" for an unknown token', async () => {
    const reply = await call(em, 'GET', '/datastores/42', { token: 'not-a-seeded-token' });
    expect(reply.status).toBe(401);
    expect(reply.body).toStrictEqual({ detail: 'Could not validate credentials' });
  });

  it('answers 401 "Invalid authentication credentials" for another scheme', async () => {
    const reply = await call(em, 'GET', '/datastores/42', {
      token: null,
      headers: { authorization: `Basic ${TOKENS.admin}` },
    });
    expect(reply.status).toBe(401);
    expect(reply.body).toStrictEqual({ detail: 'Invalid authentication credentials' });
  });

  it('accepts the scheme in any case', async () => {
    const reply = await call(em, 'GET', '/users/me', { token: null, headers: { authorization: `bearer ${TOKENS.viewer}` } });
    expect(reply.status).toBe(200);
  });

  it('checks the token on every protected endpoint, writes included, before anything else', async () => {
    for (const [method, path] of [
      ['GET', '/datastores'],
      ['GET', '/users/me'],
      ['PUT', '/datastores/999'],
      ['PATCH', '/datastores/abc/enrichment/100'],
      ['DELETE', '/datastores/42/enrichment'],
    ] as const) {
      const body = method === 'PUT' ? { enrichment_prefix: 'x' } : undefined;
      const reply = await call(em, method, path, { token: null, body });
      expect([method, path, reply.status, reply.body]).toStrictEqual([method, path, 401, { detail: 'Not authenticated' }]);
    }
  });
});

describe('public endpoints', () => {
  it('GET /api/health answers 204 with an empty body and no token', async () => {
    const reply = await call(em, 'GET', '/health', { token: null });
    expect(reply.status).toBe(204);
    expect(reply.body).toBeNull();
  });

  it('GET /api/status answers the documented body with no token', async () => {
    const reply = await call(em, 'GET', '/status', { token: null });
    expect(reply.status).toBe(200);
    expect(reply.body).toStrictEqual({ database_connection: 'OK', rabbitmq_connection: 'OK' });
    expect(reply.headers.get('content-type')).toBe('application/json');
  });

  it('GET /api/users/me answers the caller', async () => {
    expect((await call(em, 'GET', '/users/me', { token: TOKENS.editor })).body).toStrictEqual({
      id: 2,
      name: 'Eve Editor',
      role: 'Member',
    });
    expect((await call(em, 'GET', '/users/me', { token: TOKENS.admin })).body).toStrictEqual({
      id: 1,
      name: 'Ada Admin',
      role: 'Admin',
    });
  });
});

describe('routing', () => {
  it('answers 404 {"detail":"Not Found"} for an unknown path under /api', async () => {
    const reply = await call(em, 'GET', '/datasources');
    expect(reply.status).toBe(404);
    expect(reply.body).toStrictEqual({ detail: 'Not Found' });
  });

  it('answers 404 for a path outside /api', async () => {
    const response = await fetch(`${em.origin}/datastores/42`);
    expect(response.status).toBe(404);
    expect(await response.json()).toStrictEqual({ detail: 'Not Found' });
  });

  it('answers 404 for a trailing slash (no redirect)', async () => {
    expect((await call(em, 'GET', '/datastores/')).status).toBe(404);
  });

  it('answers 405 {"detail":"Method Not Allowed"} with Allow for a known path and another method', async () => {
    const reply = await call(em, 'POST', '/datastores/42');
    expect(reply.status).toBe(405);
    expect(reply.body).toStrictEqual({ detail: 'Method Not Allowed' });
    expect(reply.headers.get('allow')).toBe('GET, PUT');
    const unlinkWithGet = await call(em, 'GET', '/datastores/42/enrichment');
    expect(unlinkWithGet.status).toBe(405);
    expect(unlinkWithGet.headers.get('allow')).toBe('DELETE');
    expect((await call(em, 'DELETE', '/health')).status).toBe(405);
  });

  it("answers FastAPI's 422 list (int_parsing) for a non-integer path id, every bad one reported", async () => {
    const parsing = (name: string, input: string) => ({
      type: 'int_parsing',
      loc: ['path', name],
      msg: 'Input should be a valid integer, unable to parse string as an integer',
      input,
    });
    const reply = await call(em, 'GET', '/datastores/abc');
    expect([reply.status, reply.body]).toStrictEqual([422, { detail: [parsing('datastore_id', 'abc')] }]);
    const target = await call(em, 'PATCH', '/datastores/42/enrichment/1.5');
    expect([target.status, target.body]).toStrictEqual([422, { detail: [parsing('enrich_store_id', '1.5')] }]);
    const both = await call(em, 'PATCH', '/datastores/x/enrichment/y');
    expect(both.body).toStrictEqual({ detail: [parsing('datastore_id', 'x'), parsing('enrich_store_id', 'y')] });
  });

  it('reports a bad path id together with the body errors of a PUT, as FastAPI collects them', async () => {
    const reply = await call(em, 'PUT', '/datastores/abc', { body: { high_count_rollup_threshold: 0 } });
    expect(reply.status).toBe(422);
    expect((reply.body as { detail: Array<{ loc: unknown[] }> }).detail.map((d) => d.loc)).toStrictEqual([
      ['path', 'datastore_id'],
      ['body', 'high_count_rollup_threshold'],
    ]);
  });

  it('answers 404 for an integer id nobody has', async () => {
    for (const id of ['999', '-1', '0']) {
      const reply = await call(em, 'GET', `/datastores/${id}`);
      expect(reply.status).toBe(404);
      expect(reply.body).toStrictEqual({ detail: `Datastore id: ${Number(id)} not found` });
    }
  });
});
