import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { Seed } from '../../src/core/seed-types.js';
import { call } from './helpers.js';

type ListBody = { items: Array<{ id: number; name: string }>; total: number; page: number; size: number; pages: number };

/** Ten sources with types and tags to filter on, and two enrichment datastores. */
function filterSeed(): Seed {
  const types = ['postgresql', 'snowflake', 's3'];
  return {
    users: [{ name: 'Ada Admin', role: 'Admin', token: 'a' }],
    datastores: [
      ...Array.from({ length: 10 }, (_, i) => ({
        id: i + 1,
        name: `Store ${String.fromCharCode(74 - i)}`, // J, I, H, ... A: the name order reverses the id order
        type: types[i % 3] ?? 'postgresql',
        tags: i % 2 === 0 ? ['even', 'all'] : ['odd', 'all'],
      })),
      { id: 20, name: 'Lake Enrichment', enrichment_only: true, type: 's3', tags: ['even'] },
      { id: 21, name: 'Warehouse Enrichment', enrichment_only: true },
    ],
  };
}

let em: RunningEmulator;
beforeAll(async () => {
  em = await startEmulator({ seed: filterSeed() });
});
afterAll(() => em.close());

async function list(query: string): Promise<ListBody> {
  const reply = await call(em, 'GET', `/datastores${query}`, { token: 'a' });
  expect([query, reply.status]).toStrictEqual([query, 200]);
  return reply.body as ListBody;
}

const ids = (body: ListBody) => body.items.map((i) => i.id);
const paging = (body: ListBody) => [body.total, body.pages, ids(body)];

describe('GET /api/datastores filters', () => {
  it('id: a repeatable list; unknown ids match nothing', async () => {
    expect(ids(await list('?id=3&id=1&id=999'))).toStrictEqual([1, 3]);
    expect(ids(await list('?id=20'))).toStrictEqual([]); // an enrichment datastore, and enrichment_only defaults to false
    expect(ids(await list('?id=20&enrichment_only=true'))).toStrictEqual([20]);
  });

  it('datastore_type: a repeatable list matched against the type', async () => {
    expect(ids(await list('?datastore_type=snowflake'))).toStrictEqual([2, 5, 8]);
    expect(ids(await list('?datastore_type=snowflake&datastore_type=s3'))).toStrictEqual([2, 3, 5, 6, 8, 9]);
    expect(ids(await list('?datastore_type=Snowflake'))).toStrictEqual([]);
  });

  it('tag: a datastore matches when it has any of the tags', async () => {
    expect(ids(await list('?tag=odd'))).toStrictEqual([2, 4, 6, 8, 10]);
    expect(ids(await list('?tag=odd&tag=even'))).toStrictEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ids(await list('?tag=none-such'))).toStrictEqual([]);
    expect(ids(await list('?tag=even&enrichment_only=true'))).toStrictEqual([20]);
  });

  it('filters combine (all must hold) and page: total and pages count the matches', async () => {
    expect(paging(await list('?tag=all&datastore_type=postgresql&datastore_type=s3&size=2'))).toStrictEqual([7, 4, [1, 3]]);
    expect(paging(await list('?tag=all&datastore_type=postgresql&datastore_type=s3&size=2&page=4'))).toStrictEqual([7, 4, [10]]);
    expect(paging(await list('?tag=even&datastore_type=postgresql&id=1&id=2&id=7'))).toStrictEqual([2, 1, [1, 7]]);
    expect(paging(await list('?search=store&tag=odd&size=3&page=2'))).toStrictEqual([5, 2, [8, 10]]);
    expect(paging(await list('?name=Store%20J&tag=even'))).toStrictEqual([1, 1, [1]]);
  });

  it('name (exact, the default): every datastore of that name, in the listing\'s order, counted and paged', async () => {
    const twins = await startEmulator({
      seed: {
        users: [{ name: 'Ada Admin', role: 'Admin', token: 'a' }],
        datastores: [5, 2, 9, 4].map((id, i) => ({ id, name: i % 2 === 0 ? 'Twin' : 'Twin ' })).concat([{ id: 7, name: 'twin' }]),
      },
    });
    try {
      const page = async (query: string) => paging((await call(twins, 'GET', `/datastores${query}`, { token: 'a' })).body as ListBody);
      expect(await page('?name=Twin')).toStrictEqual([2, 1, [5, 9]]);
      expect(await page('?name=Twin&sort_name=desc')).toStrictEqual([2, 1, [9, 5]]);
      expect(await page('?name=Twin&size=1&page=2')).toStrictEqual([2, 2, [9]]);
      expect(await page('?name=Twin%20&tag=none')).toStrictEqual([0, 0, []]);
      expect(await page('?name=Nobody')).toStrictEqual([0, 0, []]);
    } finally {
      await twins.close();
    }
  });

  it('group: accepted, validated, and matches nothing (the emulator models no groups)', async () => {
    expect(paging(await list('?group=1'))).toStrictEqual([0, 0, []]);
  });

  it('sort_name orders by name (then id), both ways, and pages in that order', async () => {
    expect(ids(await list('?sort_name=asc&size=3'))).toStrictEqual([10, 9, 8]);
    expect(ids(await list('?sort_name=asc&size=3&page=2'))).toStrictEqual([7, 6, 5]);
    expect(ids(await list('?sort_name=desc&size=3'))).toStrictEqual([1, 2, 3]);
    expect(ids(await list('?sort_name=asc&tag=odd'))).toStrictEqual([10, 8, 6, 4, 2]);
  });

  it('the other sort_* parameters are accepted and leave the id order', async () => {
    for (const key of ['sort_created', 'sort_favorite', 'sort_containers', 'sort_active_anomalies']) {
      expect(ids(await list(`?${key}=desc&size=3`))).toStrictEqual([1, 2, 3]);
      const reply = await call(em, 'GET', `/datastores?${key}=DESC`, { token: 'a' });
      expect(reply.status).toBe(422);
      expect(reply.body).toMatchObject({ detail: [{ type: 'literal_error', loc: ['query', key], input: 'DESC' }] });
    }
  });
});
