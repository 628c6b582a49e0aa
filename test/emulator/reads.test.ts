import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import type { Seed } from '../../src/core/seed-types.js';
import { startEmulator } from '../../src/emulator/index.js';
import { call, start, TOKENS } from './helpers.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type ListBody = { items: Array<Record<string, unknown>>; total: number; page: number; size: number; pages: number };

let em: RunningEmulator;
beforeAll(async () => {
  em = await start();
});
afterAll(() => em.close());

async function list(query: string, token: string = TOKENS.admin): Promise<ListBody> {
  const reply = await call(em, 'GET', `/datastores${query}`, { token });
  expect(reply.status).toBe(200);
  return reply.body as ListBody;
}

/** Datastore 42 as a list item shows it; the single GET adds its `connection` object. */
const HEALTHCARE_ITEM = {
  id: 42,
  name: 'Healthcare Database',
  store_type: 'jdbc',
  type: 'postgresql',
  enrichment_only: false,
  enrichment_prefix: '_healthcare_prod',
  enrichment_source_record_limit: 100,
  enrichment_remediation_strategy: 'append',
  high_count_rollup_threshold: 10,
  enrich_datastore: { id: 100, name: 'Healthcare Enrichment', store_type: 'jdbc', type: 'postgresql', enrichment_only: true },
  teams: [{ id: 2, name: 'Data Platform' }],
  created: expect.stringMatching(ISO),
  connected: true,
  favorite: false,
  global_tags: [{ name: 'production' }, { name: 'phi' }],
};

describe('GET /api/datastores/{id}', () => {
  it('returns every field: identity, the four settings, the link, teams as objects and realistic extras', async () => {
    const reply = await call(em, 'GET', '/datastores/42');
    expect(reply.status).toBe(200);
    expect(reply.body).toStrictEqual({ ...HEALTHCARE_ITEM, connection: { id: 7, name: 'postgres_production', type: 'postgresql' } });
  });

  it('derives defaults: prefix from the name, numbers 10, strategy none, no link, team Public', async () => {
    const body = (await call(em, 'GET', '/datastores/44')).body as Record<string, unknown>;
    expect({
      prefix: body.enrichment_prefix,
      limit: body.enrichment_source_record_limit,
      strategy: body.enrichment_remediation_strategy,
      threshold: body.high_count_rollup_threshold,
      link: body.enrich_datastore,
      teams: body.teams,
      tags: body.global_tags,
      connection: body.connection,
    }).toStrictEqual({
      prefix: '_public_lake',
      limit: 10,
      strategy: 'none',
      threshold: 10,
      link: null,
      teams: [{ id: 1, name: 'Public' }],
      tags: [],
      connection: { id: 44, name: 'Public Lake connection', type: 's3' },
    });
  });

  it('keeps the created timestamp fixed between requests', async () => {
    const a = (await call(em, 'GET', '/datastores/42')).body as { created: string };
    const b = (await call(em, 'GET', '/datastores/44')).body as { created: string };
    expect(a.created).toBe(b.created);
  });

  it('answers 403 with the reporter text listing the datastore teams in their order', async () => {
    const reply = await call(em, 'GET', '/datastores/43', { token: TOKENS.outsider });
    expect(reply.status).toBe(403);
    expect(reply.body).toStrictEqual({
      detail: "You must have reporter permission in at least one of these teams: ['Finance', 'Data Platform']",
    });
  });

  it("quotes team names the way Python's repr does", async () => {
    const reply = await call(em, 'GET', '/datastores/46', { token: TOKENS.editor });
    expect(reply.status).toBe(403);
    expect(reply.body).toStrictEqual({
      detail: `You must have reporter permission in at least one of these teams: ["O'Brien Team"]`,
    });
  });

  it('checks 404 before 403', async () => {
    const reply = await call(em, 'GET', '/datastores/999', { token: TOKENS.outsider });
    expect(reply.status).toBe(404);
    expect(reply.body).toStrictEqual({ detail: 'Datastore id: 999 not found' });
  });

  it('lets any permission in one of the teams read (Viewer >= Reporter)', async () => {
    expect((await call(em, 'GET', '/datastores/43', { token: TOKENS.viewer })).status).toBe(200);
  });

  it('lets Public membership read Public datastores (Public grants Reporter by default)', async () => {
    expect((await call(em, 'GET', '/datastores/44', { token: TOKENS.outsider })).status).toBe(200);
  });

  it('lets Admin read a datastore in teams the Admin is not in', async () => {
    expect((await call(em, 'GET', '/datastores/46', { token: TOKENS.admin })).status).toBe(200);
  });
});

describe('GET /api/datastores', () => {
  it('answers the envelope of source datastores (enrichment_only defaults to false), by id, page 1, size 50', async () => {
    const body = await list('');
    expect({ ...body, items: body.items.map((i) => i.id) }).toStrictEqual({
      items: [42, 43, 44, 45, 46],
      total: 5,
      page: 1,
      size: 50,
      pages: 1,
    });
  });

  it('pages: total and pages count everything, items only the page', async () => {
    const pages = await Promise.all([1, 2, 3].map((page) => list(`?size=2&page=${page}`)));
    expect(pages.map((p) => [p.page, p.size, p.total, p.pages, p.items.map((i) => i.id)])).toStrictEqual([
      [1, 2, 5, 3, [42, 43]],
      [2, 2, 5, 3, [44, 45]],
      [3, 2, 5, 3, [46]],
    ]);
    expect((await list('?size=2&page=4')).items).toStrictEqual([]);
  });

  it('accepts size 100 and answers less_than_equal above it', async () => {
    expect((await list('?size=100')).size).toBe(100);
    const reply = await call(em, 'GET', '/datastores?size=101');
    expect(reply.status).toBe(422);
    expect(reply.body).toStrictEqual({
      detail: [{ type: 'less_than_equal', loc: ['query', 'size'], msg: 'Input should be less than or equal to 100', input: '101', ctx: { le: 100 } }],
    });
  });

  it("answers FastAPI's 422 list for page 0, size 0, non-numbers and a junk boolean", async () => {
    const ge = (key: string, input: string) => ({
      type: 'greater_than_equal', loc: ['query', key], msg: 'Input should be greater than or equal to 1', input, ctx: { ge: 1 },
    });
    const parsing = (loc: Array<string | number>, input: string) => ({
      type: 'int_parsing', loc, msg: 'Input should be a valid integer, unable to parse string as an integer', input,
    });
    for (const [query, detail] of [
      ['?page=0', [ge('page', '0')]],
      ['?page=x', [parsing(['query', 'page'], 'x')]],
      ['?size=0', [ge('size', '0')]],
      ['?enrichment_only=maybe', [{
        type: 'bool_parsing', loc: ['query', 'enrichment_only'], msg: 'Input should be a valid boolean, unable to interpret input', input: 'maybe',
      }]],
      ['?id=1&id=two&group=x', [parsing(['query', 'id', 1], 'two'), parsing(['query', 'group', 0], 'x')]],
      ['?sort_name=up&page=0', [
        { type: 'literal_error', loc: ['query', 'sort_name'], msg: "Input should be 'asc' or 'desc'", input: 'up', ctx: { expected: "'asc' or 'desc'" } },
        ge('page', '0'),
      ]],
    ] as const) {
      const reply = await call(em, 'GET', `/datastores${query}`);
      expect([query, reply.status, reply.body]).toStrictEqual([query, 422, { detail }]);
    }
  });

  it('filters by name: exact and case-sensitive', async () => {
    expect((await list(`?name=${encodeURIComponent('Healthcare Database')}`)).items.map((i) => i.id)).toStrictEqual([42]);
    for (const name of ['healthcare database', 'Healthcare', 'Healthcare Database ']) {
      const body = await list(`?name=${encodeURIComponent(name)}`);
      expect([name, body.total, body.pages]).toStrictEqual([name, 0, 0]);
    }
    expect((await list('?name=')).total).toBe(5); // an empty name does not filter
  });

  it('searches: case-insensitive substring of the name, or of the id in decimal', async () => {
    expect((await list('?search=HEALTH')).items.map((i) => i.id)).toStrictEqual([42]);
    expect((await list('?search=HEALTH&enrichment_only=true')).items.map((i) => i.id)).toStrictEqual([100]);
    expect((await list(`?search=${encodeURIComponent('re d')}`)).items.map((i) => i.id)).toStrictEqual([42]);
    expect((await list('?search=4')).items.map((i) => i.id)).toStrictEqual([42, 43, 44, 45, 46]);
    expect((await list('?search=45')).items.map((i) => i.id)).toStrictEqual([45]);
    expect((await list('?search=10&enrichment_only=1')).items.map((i) => i.id)).toStrictEqual([100, 101]);
  });

  it('filters by enrichment_only, both ways, in any pydantic spelling', async () => {
    expect((await list('?enrichment_only=true')).items.map((i) => i.id)).toStrictEqual([100, 101]);
    expect((await list('?enrichment_only=YES')).items.map((i) => i.id)).toStrictEqual([100, 101]);
    expect((await list('?enrichment_only=false')).items.map((i) => i.id)).toStrictEqual([42, 43, 44, 45, 46]);
    expect((await list('?enrichment_only=off')).items.map((i) => i.id)).toStrictEqual([42, 43, 44, 45, 46]);
    expect((await list(`?enrichment_only=true&name=${encodeURIComponent('Analytics Enrichment')}`)).items.map((i) => i.id)).toStrictEqual([101]);
  });

  it('lists and counts only datastores the caller may read', async () => {
    const outsider = await list('', TOKENS.outsider);
    expect([outsider.total, outsider.items.map((i) => i.id)]).toStrictEqual([1, [44]]);
    expect((await list('?enrichment_only=true', TOKENS.outsider)).items.map((i) => i.id)).toStrictEqual([101]);
    const viewer = await list('', TOKENS.viewer);
    expect([viewer.total, viewer.items.map((i) => i.id)]).toStrictEqual([4, [42, 43, 44, 45]]);
    const paged = await list('?size=1&page=2&enrichment_only=true', TOKENS.viewer);
    expect([paged.total, paged.pages, paged.items.map((i) => i.id)]).toStrictEqual([2, 2, [101]]);
  });

  it('list items carry the settings, the link and the tags but no connection object', async () => {
    const item = (await list('?name=Healthcare%20Database')).items[0];
    expect(item).toStrictEqual(HEALTHCARE_ITEM);
  });

  it('with listItemsCarryEnrichment false, list items omit the settings and the link; the single GET keeps them', async () => {
    const light = await start({ listItemsCarryEnrichment: false });
    try {
      const reply = await call(light, 'GET', '/datastores?name=Healthcare%20Database');
      const item = (reply.body as ListBody).items[0];
      expect(Object.keys(item ?? {}).sort()).toStrictEqual(
        ['connected', 'created', 'enrichment_only', 'favorite', 'global_tags', 'id', 'name', 'store_type', 'teams', 'type'],
      );
      const single = (await call(light, 'GET', '/datastores/42')).body as Record<string, unknown>;
      expect(single.enrichment_prefix).toBe('_healthcare_prod');
      expect(single.enrich_datastore).toMatchObject({ id: 100 });
    } finally {
      await light.close();
    }
  });
});

describe('seed permissions for Public', () => {
  it('a seed can give Public a higher permission, which then allows writes on Public datastores', async () => {
    const reply = await call(em, 'PUT', '/datastores/44', { token: TOKENS.publicEditor, body: { high_count_rollup_threshold: 11 } });
    expect(reply.status).toBe(200);
    const denied = await call(em, 'PUT', '/datastores/44', { token: TOKENS.outsider, body: { high_count_rollup_threshold: 12 } });
    expect(denied.status).toBe(403);
    expect(denied.body).toStrictEqual({ detail: "You must have editor permission in at least one of these teams: ['Public']" });
  });
});

describe('scale', () => {
  // How fast it serves them is a figure of bench/timings.mjs, not an assertion here.
  it('serves 20,000 datastores: a filtered list page and single GETs', async () => {
    const seed: Seed = {
      users: [
        { name: 'admin', role: 'Admin', token: 'a' },
        { name: 'member', role: 'Member', token: 'm', teams: { T1: 'Viewer' } },
      ],
      datastores: Array.from({ length: 20_000 }, (_, i) => ({
        id: i + 1,
        name: `Store ${i + 1}`,
        teams: [`T${i % 4}`],
        enrichment_only: i % 10 === 0,
      })),
    };
    const big = await startEmulator({ seed });
    try {
      const last = (await call(big, 'GET', '/datastores?size=100&page=50', { token: 'm' })).body as ListBody;
      expect(last.total).toBe(5_000);
      expect(last.items[0]?.id).toBe(19_602); // ids 4k+2 are in T1; item 4,900 of them
      const gets = [];
      for (let i = 0; i < 50; i += 1) gets.push((await call(big, 'GET', `/datastores/${i * 400 + 2}`, { token: 'm' })).status);
      expect(gets).toStrictEqual(Array.from({ length: 50 }, () => 200));
    } finally {
      await big.close();
    }
  });
});
