import { afterEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { call, start, testSeed, TOKENS } from './helpers.js';
import { startEmulator } from '../../src/emulator/index.js';

let em: RunningEmulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});

async function started(put?: 'partial' | 'full'): Promise<RunningEmulator> {
  em = await start(put ? { put } : {});
  return em;
}

/** The official CLI's flattening of a GET for a PUT, restated: teams and tags as names, connection as connection_id. */
function flattened(datastore: Record<string, unknown>): Record<string, unknown> {
  const { connection, teams, ...rest } = datastore as { connection: { id: number }; teams: Array<{ name: string }> };
  return { ...rest, teams: teams.map((t) => t.name), connection_id: connection.id };
}

const missing = (field: string, input: unknown) => ({ type: 'missing', loc: ['body', field], msg: 'Field required', input });

describe('PUT in full mode (the official CLI, commit 0d5c7c5)', () => {
  it('answers one missing entry per absent required field, with the body as input, and changes nothing', async () => {
    const e = await started('full');
    const before = e.snapshot();
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ high_count_rollup_threshold: 5 }, ['name', 'connection_id', 'enrichment_only']],
      [{ name: 'A', connection_id: 7 }, ['enrichment_only']],
      [{ name: 'A', enrichment_only: false }, ['connection_id']],
      [{ connection_id: 7, enrichment_only: false }, ['name']],
    ];
    for (const [body, fields] of cases) {
      const reply = await call(e, 'PUT', '/datastores/42', { body });
      expect([reply.status, reply.body]).toStrictEqual([422, { detail: fields.map((f) => missing(f, body)) }]);
    }
    expect(e.snapshot()).toStrictEqual(before);
  });

  it('reports missing fields and bad values together, in field order', async () => {
    const e = await started('full');
    const body = { connection_id: 'seven', enrichment_only: false, high_count_rollup_threshold: 0 };
    const reply = await call(e, 'PUT', '/datastores/42', { body });
    const detail = (reply.body as { detail: Array<{ type: string; loc: unknown[] }> }).detail;
    expect(detail.map((d) => [d.type, d.loc])).toStrictEqual([
      ['missing', ['body', 'name']],
      ['int_type', ['body', 'connection_id']],
      ['greater_than_equal', ['body', 'high_count_rollup_threshold']],
    ]);
  });

  it("accepts the CLI's flattened GET with a change merged in: settings applied, lists replaced, name kept, extras ignored", async () => {
    const e = await started('full');
    const got = (await call(e, 'GET', '/datastores/42')).body as Record<string, unknown>;
    const body = { ...flattened(got), tags: ['gold'], teams: ['Finance'], enrichment_source_record_limit: 500 };
    const reply = await call(e, 'PUT', '/datastores/42', { body });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      id: 42,
      name: 'Healthcare Database',
      enrichment_source_record_limit: 500,
      enrichment_prefix: '_healthcare_prod',
      enrich_datastore: { id: 100 },
      teams: [{ id: 3, name: 'Finance' }],
      global_tags: [{ name: 'gold' }],
      connection: { id: 7, name: 'postgres_production', type: 'postgresql' },
    });
  });

  it('in full mode too, absent teams and tags stay unchanged', async () => {
    const e = await started('full');
    const reply = await call(e, 'PUT', '/datastores/42', { body: { name: 'Health', connection_id: 7, enrichment_only: false } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ name: 'Health', teams: [{ name: 'Data Platform' }], global_tags: [{ name: 'production' }, { name: 'phi' }] });
  });

  it('the seed can ask for full mode, and startEmulator({put}) overrides the seed', async () => {
    const seed = { ...testSeed(), put: 'full' as const };
    em = await startEmulator({ seed });
    expect((await call(em, 'PUT', '/datastores/42', { body: {} })).status).toBe(422);
    await em.close();
    em = await startEmulator({ seed, put: 'partial' });
    expect((await call(em, 'PUT', '/datastores/42', { body: {} })).status).toBe(200);
  });
});

describe('PUT fields beyond the settings (both modes)', () => {
  it('partial mode: name renames, teams and tags replace the lists, connection_id moves the connection', async () => {
    const e = await started();
    const reply = await call(e, 'PUT', '/datastores/43', {
      body: { name: 'Sales DW', teams: ['Finance', 'Finance'], tags: [], connection_id: 7 },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      name: 'Sales DW',
      teams: [{ id: 3, name: 'Finance' }],
      global_tags: [],
      connection: { id: 7, name: 'postgres_production', type: 'snowflake' },
    });
    const unknownConnection = await call(e, 'PUT', '/datastores/43', { body: { connection_id: 555 } });
    expect(unknownConnection.body).toMatchObject({ connection: { id: 555, name: 'Connection 555' } });
  });

  it('refuses an enrichment_only different from the stored one (422 string), accepts the same value', async () => {
    const e = await started();
    const before = e.snapshot();
    const reply = await call(e, 'PUT', '/datastores/43', { body: { enrichment_only: true } });
    expect([reply.status, reply.body]).toStrictEqual([
      422,
      { detail: 'enrichment_only cannot be changed: datastore id: 43 is a source datastore' },
    ]);
    expect(e.snapshot()).toStrictEqual(before);
    expect((await call(e, 'PUT', '/datastores/43', { body: { enrichment_only: false } })).status).toBe(200);
  });

  it('refuses unknown team names (422 string) and bad list shapes (422 list), changing nothing', async () => {
    const e = await started();
    const before = e.snapshot();
    const unknown = await call(e, 'PUT', '/datastores/43', { body: { teams: ['Finance', 'Nobody', "O'Brien Team"] } });
    expect([unknown.status, unknown.body]).toStrictEqual([422, { detail: "Teams not found: ['Nobody']" }]);
    const shapes = await call(e, 'PUT', '/datastores/43', { body: { teams: [], tags: 'gold', name: '' } });
    const detail = (shapes.body as { detail: Array<{ type: string; loc: unknown[] }> }).detail;
    expect(detail.map((d) => [d.type, d.loc])).toStrictEqual([
      ['string_too_short', ['body', 'name']],
      ['list_type', ['body', 'tags']],
      ['too_short', ['body', 'teams']],
    ]);
    const items = await call(e, 'PUT', '/datastores/43', { body: { tags: ['ok', 3] } });
    expect(items.body).toMatchObject({ detail: [{ type: 'string_type', loc: ['body', 'tags', 1], input: 3 }] });
    expect(e.snapshot()).toStrictEqual(before);
  });

  it('a teams change is seen at once by the listing (the per-caller cache is invalidated)', async () => {
    const e = await started();
    const listed = async (token: string) =>
      ((await call(e, 'GET', '/datastores', { token })).body as { items: Array<{ id: number }> }).items.map((i) => i.id);
    expect(await listed(TOKENS.outsider)).toStrictEqual([44]);
    expect(await listed(TOKENS.editor)).toStrictEqual([42, 43, 44, 45]);
    expect((await call(e, 'PUT', '/datastores/42', { token: TOKENS.editor, body: { teams: ['Public'] } })).status).toBe(200);
    expect(await listed(TOKENS.outsider)).toStrictEqual([42, 44]);
    expect((await call(e, 'PUT', '/datastores/44', { token: TOKENS.admin, body: { teams: ['Finance'] } })).status).toBe(200);
    expect(await listed(TOKENS.outsider)).toStrictEqual([42]);
    expect(await listed(TOKENS.editor)).toStrictEqual([42, 43, 45]);
    // 42 is now only in Public, where the editor is a Reporter: a PUT is refused.
    expect((await call(e, 'PUT', '/datastores/42', { token: TOKENS.editor, body: {} })).status).toBe(403);
  });

  it('a rename is seen at once by name, search and sort_name (the listing\'s index by name included)', async () => {
    const e = await started();
    const ids = async (query: string) =>
      ((await call(e, 'GET', `/datastores${query}`)).body as { items: Array<{ id: number }> }).items.map((i) => i.id);
    expect(await ids('?name=Public%20Lake')).toStrictEqual([44]);
    expect((await call(e, 'PUT', '/datastores/44', { body: { name: 'Aardvark Lake' } })).status).toBe(200);
    expect(await ids('?name=Aardvark%20Lake')).toStrictEqual([44]);
    expect(await ids('?name=Public%20Lake')).toStrictEqual([]);
    expect(await ids('?search=aardvark')).toStrictEqual([44]);
    expect((await ids('?sort_name=asc'))[0]).toBe(44);
  });

  it('a rename onto a name in use makes twins, found by id in both orders, each caller seeing only what it may read', async () => {
    const e = await started();
    const ids = async (query: string, token?: string) =>
      ((await call(e, 'GET', `/datastores${query}`, token ? { token } : {})).body as { items: Array<{ id: number }> }).items.map((i) => i.id);
    expect((await call(e, 'PUT', '/datastores/46', { body: { name: 'Busy Store' } })).status).toBe(200);
    expect(await ids('?name=Busy%20Store')).toStrictEqual([45, 46]);
    expect(await ids('?name=Busy%20Store&sort_name=desc')).toStrictEqual([46, 45]);
    expect(await ids('?name=Busy%20Store', TOKENS.editor)).toStrictEqual([45]); // 46 is the O'Brien Team's only
    expect(await ids('?name=Busy%20Store&enrichment_only=true')).toStrictEqual([]);
    expect((await call(e, 'PUT', '/datastores/45', { body: { name: 'Quiet Store' } })).status).toBe(200);
    expect(await ids('?name=Busy%20Store')).toStrictEqual([46]);
    expect(await ids('?name=Quiet%20Store')).toStrictEqual([45]);
    expect(await ids('?name=Ops%20Store')).toStrictEqual([]);
  });
});

describe('the Manager role', () => {
  it('is checked like a Member: team permission decides reads, links and settings', async () => {
    const e = await started();
    expect((await call(e, 'GET', '/users/me', { token: TOKENS.manager })).body).toMatchObject({ role: 'Manager' });
    expect((await call(e, 'PUT', '/datastores/42', { token: TOKENS.manager, body: { high_count_rollup_threshold: 7 } })).status).toBe(200);
    const denied = await call(e, 'GET', '/datastores/46', { token: TOKENS.manager });
    expect([denied.status, denied.body]).toStrictEqual([
      403,
      { detail: `You must have reporter permission in at least one of these teams: ["O'Brien Team"]` },
    ]);
    const list = (await call(e, 'GET', '/datastores', { token: TOKENS.manager })).body as { items: Array<{ id: number }> };
    expect(list.items.map((i) => i.id)).toStrictEqual([42, 43, 44, 45]);
  });

  it('cannot unlink (Admin only)', async () => {
    const e = await started();
    const reply = await call(e, 'DELETE', '/datastores/42/enrichment', { token: TOKENS.manager });
    expect([reply.status, reply.body]).toStrictEqual([403, { detail: 'Admin role required' }]);
  });
});
