/**
 * How long a plan lets the network move while it reads its manifests (cli/connect.ts): the waits for
 * requests to reach the wire are 200 ms in all from when the first pages were sent, however many
 * times the reading pauses, so a host that never completes a connection delays the manifests'
 * diagnostics by no more than that.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { QualyticsClient } from '../../src/api/client.js';
import { requestFirstPages } from '../../src/api/first-pages.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { letNetworkMove, sendFirstPages } from '../../src/cli/connect.js';
import { monotonicMs } from '../../src/core/clock.js';

let server: Server | undefined;
let em: RunningEmulator | undefined;
let client: QualyticsClient | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  await client?.destroy();
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await em?.close();
  server = undefined;
  client = undefined;
  em = undefined;
});

describe('the waits for the wire while manifests are read', () => {
  it('are 200 ms in all against a host that accepts connections and never answers TLS', async () => {
    server = createServer((socket) => { sockets.push(socket); });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new QualyticsClient({ baseUrl: `https://127.0.0.1:${port}/api`, token: 'waits-token-1234' });
    const started = monotonicMs();
    const first = await sendFirstPages(client);
    // The first wait is the whole budget: the requests are never written.
    expect(monotonicMs() - started).toBeGreaterThanOrEqual(190);
    // Twenty more pauses, as reading twenty slices of manifests would make: each one turn of the
    // event loop (one 200 ms wait each would take 4 s).
    for (let i = 0; i < 20; i++) await letNetworkMove(client, first);
    expect(monotonicMs() - started).toBeLessThan(1_000);
    first.cancel();
  });

  it('still read the answers that arrived, once the 200 ms are spent: the rest of a listing is asked', async () => {
    const TOKEN = 'waits-admin-token-5678';
    em = await startEmulator({
      seed: { users: [{ name: 'Ada', role: 'Admin', token: TOKEN }], datastores: Array.from({ length: 250 }, (_, i) => ({ id: i + 1, name: `db-${i + 1}` })) },
    });
    client = new QualyticsClient({ baseUrl: em.url, token: TOKEN });
    const first = requestFirstPages(client);
    first.ahead({ source: 250, enrichment: 0 });
    await client.onWire(1_000);
    // Synchronous work longer than the budget (a large manifest being parsed), while page 1 arrives.
    const until = monotonicMs() + 300;
    while (monotonicMs() < until);
    await letNetworkMove(client, first);
    expect(first.rest.source).toHaveLength(2);
    first.cancel();
  });
});
