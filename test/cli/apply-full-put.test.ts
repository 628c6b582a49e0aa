/**
 * apply against a server that wants the whole datastore in a PUT (the official CLI's commit 0d5c7c5):
 * the emulator's `put: full` mode, and a forwarder in front of it that plays a server wiping what a
 * whole-datastore PUT left out. The call log proves the fallback happens once per run and that
 * nothing but the planned settings changed.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { Seed } from '../../src/core/seed-types.js';
import { manifest, run, workspace } from '../helpers/cli.js';
import { ADMIN_TOKEN, world } from './world.js';

function taggedWorld(): Seed {
  const seed = world();
  return {
    ...seed,
    put: 'full',
    datastores: seed.datastores.map((d) => (d.enrichment_only ? d : { ...d, tags: ['finance', `ds-${d.id}`], connection: { id: 700 + d.id, name: `conn ${d.id}` } })),
  };
}

let em: RunningEmulator;
beforeEach(async () => {
  em = await startEmulator({ seed: taggedWorld() });
});
afterEach(async () => {
  await em.close();
});

const env = (url = em.url): NodeJS.ProcessEnv => ({ QUALYTICS_URL: url, QUALYTICS_TOKEN: ADMIN_TOKEN });

/** What apply must never change: everything but the link and the four settings. */
function identities(): unknown[] {
  return em.snapshot().map((d) => ({ id: d.id, name: d.name, teams: d.teams, tags: d.global_tags, connection: d.connection, enrichment_only: d.enrichment_only }));
}

const MANIFEST = manifest([
  '  - datastore: Orders\n    enrichment_datastore: Warehouse Enrichment\n    enrichment_remediation_strategy: append\n',
  '  - datastore: Inventory\n    high_count_rollup_threshold: 3\n',
  '  - datastore: Customers\n    enrichment_source_record_limit: 250\n',
].join(''));

describe('apply against a server that wants whole-datastore PUTs', () => {
  it('falls back once per run, reads each datastore before its PUT, and changes nothing but the planned settings', async () => {
    const before = identities();
    const dir = await workspace({ 'm.yaml': MANIFEST });
    const r = await run(['apply', 'm.yaml', '--auto-approve', '--no-color', '--parallelism', '1'], { cwd: dir, env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Apply complete: 3 applied, 0 failed, 0 skipped.');
    // Said once on stderr, with the fields the server named.
    expect(r.stderr.match(/this server wants the whole datastore/g)).toHaveLength(1);
    expect(r.stderr).toContain('Note: PUT /datastores/');
    expect(r.stderr).toContain('name, connection_id, enrichment_only missing');

    const puts = em.calls().filter((c) => c.method === 'PUT');
    // The first, partial PUT is refused; every later one is whole, and comes right after a GET of its datastore.
    expect(puts.map((c) => c.status)).toStrictEqual([422, 200, 200, 200]);
    expect(Object.keys(puts[0]!.body as object).sort()).not.toContain('name');
    const calls = em.calls();
    for (const put of puts.slice(1)) {
      const previous = calls[calls.indexOf(put) - 1]!;
      expect(`${previous.method} ${previous.path}`).toBe(`GET ${put.path}`);
      const body = put.body as Record<string, unknown>;
      expect(body).toMatchObject({ name: expect.any(String), connection_id: expect.any(Number), enrichment_only: false });
      expect(body.teams).toStrictEqual(['Data Platform']);
      expect(body).not.toHaveProperty('connection');
    }
    const bodyOf = (path: string): Record<string, unknown> => puts.find((c) => c.path === path && c.status === 200)!.body as Record<string, unknown>;
    expect(bodyOf('/api/datastores/1')).toMatchObject({ enrichment_remediation_strategy: 'append', connection_id: 701 });
    expect(bodyOf('/api/datastores/5')).toMatchObject({ high_count_rollup_threshold: 3, enrichment_source_record_limit: 100 });
    expect(bodyOf('/api/datastores/2')).toMatchObject({ enrichment_source_record_limit: 250, enrichment_remediation_strategy: 'append' });

    expect(identities()).toStrictEqual(before);
    const again = await run(['plan', 'm.yaml', '--detailed-exitcode'], { cwd: dir, env: env() });
    expect(again.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(ADMIN_TOKEN);
  });

  it('falls back again in the next run: the choice is per run, never remembered', async () => {
    const dir = await workspace({ 'm.yaml': manifest('  - datastore: Inventory\n    high_count_rollup_threshold: 3\n') });
    expect((await run(['apply', 'm.yaml', '--auto-approve'], { cwd: dir, env: env() })).code).toBe(0);
    await writeFile(`${dir}/m.yaml`, manifest('  - datastore: Inventory\n    high_count_rollup_threshold: 4\n'));
    expect((await run(['apply', 'm.yaml', '--auto-approve'], { cwd: dir, env: env() })).code).toBe(0);
    expect(em.calls().filter((c) => c.method === 'PUT').map((c) => c.status)).toStrictEqual([422, 200, 422, 200]);
  });

  it('reports as not converged a whole-datastore PUT that changed what enrichctl does not manage', async () => {
    const wiping = await wipingForwarder(em);
    try {
      const dir = await workspace({ 'm.yaml': manifest('  - datastore: Inventory\n    high_count_rollup_threshold: 3\n') });
      const r = await run(['apply', 'm.yaml', '--auto-approve', '--no-color'], { cwd: dir, env: env(wiping.url) });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('the settings update also changed what enrichctl does not manage: tags changed from ["ds-5","finance"] to []');
      expect(r.stdout).toContain('Apply finished with errors: 0 applied, 1 failed, 0 skipped.');
    } finally {
      await wiping.close();
    }
  });
});

/**
 * A server in front of the emulator that answers every successful PUT as if it had cleared the
 * datastore's tags: what a server treating an absent `tags` as "none" would do.
 */
async function wipingForwarder(target: RunningEmulator): Promise<{ url: string; close: () => Promise<void> }> {
  const upstream = new URL(target.origin);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => {
          let text = Buffer.concat(parts).toString('utf8');
          if (req.method === 'PUT' && answer.statusCode === 200) text = JSON.stringify({ ...(JSON.parse(text) as object), global_tags: [] });
          res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
          res.end(text);
        });
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
