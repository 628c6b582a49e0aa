/**
 * plan through a loopback forward proxy: what the proxy sees, NO_PROXY, and failures that name the
 * proxy (never its credentials). undici 7 tunnels every request with CONNECT, http origins
 * included, so the proxy records tunnels to the emulator and no request in absolute form.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { manifest, run, workspace } from '../helpers/cli.js';
import { closedPort, startProxy, type RecordingProxy } from '../helpers/network.js';
import { ADMIN_TOKEN, world } from './world.js';
import type { Seed } from '../../src/core/seed-types.js';

const M = manifest('  - datastore: Orders\n    enrichment_datastore: Warehouse Enrichment\n');

let em: RunningEmulator;
let proxy: RecordingProxy | undefined;
beforeEach(async () => {
  em = await startEmulator({ seed: world() });
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await em.close();
});

async function plan(env: NodeJS.ProcessEnv, ...flags: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await workspace({ 'm.yaml': M });
  return run(['plan', 'm.yaml', ...flags], { cwd: dir, env: { QUALYTICS_URL: em.url, QUALYTICS_TOKEN: ADMIN_TOKEN, ...env } });
}

describe('through a forward proxy', () => {
  it('sends every request through HTTP_PROXY, in CONNECT tunnels to the emulator', async () => {
    proxy = await startProxy();
    const r = await plan({ HTTP_PROXY: proxy.url });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Plan: 1 datastore to change (1 link');
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(new Set(proxy.tunnels)).toStrictEqual(new Set([`127.0.0.1:${em.port}`]));
    expect(proxy.requests).toStrictEqual([]);
    expect(em.calls().length).toBeGreaterThan(0);
  });

  it('gives the proxy its credentials, only in CONNECT, and prints them nowhere', async () => {
    proxy = await startProxy();
    const r = await plan({ http_proxy: `http://bob:s3cret@127.0.0.1:${proxy.port}` }, '--verbose');
    expect(r.code).toBe(0);
    expect(proxy.authorizations.length).toBe(proxy.tunnels.length);
    expect(new Set(proxy.authorizations)).toStrictEqual(new Set([`Basic ${Buffer.from('bob:s3cret').toString('base64')}`]));
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/s3cret|bob/);
    expect(`${r.stdout}${r.stderr}`).not.toContain(ADMIN_TOKEN);
  });

  it.each([
    ['NO_PROXY naming the host', { NO_PROXY: '127.0.0.1' }],
    ['NO_PROXY=*', { NO_PROXY: '*' }],
    ['no_proxy naming the host among others', { no_proxy: 'localhost, 127.0.0.1' }],
  ])('goes direct with %s: the proxy sees nothing', async (_name, noProxy) => {
    proxy = await startProxy();
    const r = await plan({ HTTP_PROXY: proxy.url, ...noProxy });
    expect(r.code).toBe(0);
    expect(proxy.tunnels).toStrictEqual([]);
    expect(proxy.requests).toStrictEqual([]);
  });

  it('uses the proxy when NO_PROXY names the host on another port', async () => {
    proxy = await startProxy();
    const r = await plan({ HTTP_PROXY: proxy.url, NO_PROXY: `127.0.0.1:${em.port + 1}` });
    expect(r.code).toBe(0);
    expect(proxy.tunnels.length).toBeGreaterThan(0);
  });

  it('leaves an http URL alone when only HTTPS_PROXY is set (as undici does)', async () => {
    proxy = await startProxy();
    expect((await plan({ HTTPS_PROXY: proxy.url })).code).toBe(0);
    expect(proxy.tunnels).toStrictEqual([]);
  });

  it('names the proxy, not the server, when the proxy is down; exit 1', async () => {
    const port = await closedPort();
    const r = await plan({ HTTP_PROXY: `http://bob:s3cret@127.0.0.1:${port}` });
    expect(r).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: `error: GET /datastores failed (after 5 attempts): connection refused by the proxy 127.0.0.1:${port} (HTTP_PROXY)\n`,
    });
    expect(em.calls()).toStrictEqual([]);
  });

  // 403 (the proxy's policy forbids the host) was tried 5 times.
  it.each([[407, 'Proxy Authentication Required'], [403, 'Forbidden']])('names the proxy and the status when it answers CONNECT with %i, without retrying', async (status, phrase) => {
    proxy = await startProxy({ refuseConnectWith: status });
    const r = await plan({ HTTP_PROXY: proxy.url });
    expect(r).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: `error: GET /datastores failed: the proxy 127.0.0.1:${proxy.port} (HTTP_PROXY) refused to connect to 127.0.0.1:${em.port}: ${status} ${phrase}\n`,
    });
    // Page 1 of both listings (source and enrichment datastores) goes out at once: one tunnel each, none retried.
    expect(proxy.tunnels).toStrictEqual([`127.0.0.1:${em.port}`, `127.0.0.1:${em.port}`]);
  });

  it('names HTTPS_PROXY and the Qualytics host:443 for an https URL', async () => {
    // The proxy refuses the tunnel, so acme.qualytics.io is never resolved nor contacted.
    proxy = await startProxy({ refuseConnectWith: 407 });
    const r = await plan({ QUALYTICS_URL: 'https://acme.qualytics.io', HTTPS_PROXY: `http://u:p4ss@127.0.0.1:${proxy.port}` });
    expect(r.stderr).toBe(`error: GET /datastores failed: the proxy 127.0.0.1:${proxy.port} (HTTPS_PROXY) refused to connect to acme.qualytics.io:443: 407 Proxy Authentication Required\n`);
    expect(proxy.tunnels).toStrictEqual(['acme.qualytics.io:443', 'acme.qualytics.io:443']);
  });

  it('refuses a proxy variable that is not a URL, without showing its value', async () => {
    const r = await plan({ HTTP_PROXY: 'socks5://bob:s3cret@127.0.0.1:1080' });
    expect(r).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: 'error: HTTP_PROXY is not a proxy URL; write it as http://HOST:PORT (or http://USER:PASSWORD@HOST:PORT, with % escapes in them)\n',
    });
  });
});

describe('a proxy that stops opening tunnels', () => {
  // A manifest that fails its checks abandons the requests it sent. The client was then closed
  // gracefully, which waited for the tunnels still opening until the timeout (30 s by default),
  // after the error was printed, and Ctrl-C did not cut it short (found by a helper).
  it.each([0, 2])('a plan that stops at its manifest exits at once, %i tunnels open', async (open) => {
    const big: Seed = {
      users: [{ name: 'Ada', role: 'Admin', token: ADMIN_TOKEN }],
      datastores: Array.from({ length: 350 }, (_, i) => ({ id: i + 1, name: `db-${i + 1}` })),
    };
    const e = await startEmulator({ seed: big });
    proxy = await startProxy({ openTunnels: open });
    try {
      const entries = Array.from({ length: 300 }, (_, i) => `  - datastore: db-${i + 1}\n`).join('');
      const dir = await workspace({ 'm.yaml': manifest(`${entries}  - datastore: db-301\n    bogus_key: 1\n`) });
      const started = performance.now();
      const r = await run(['plan', 'm.yaml', '--timeout', '20'], { cwd: dir, env: { QUALYTICS_URL: e.url, QUALYTICS_TOKEN: ADMIN_TOKEN, HTTP_PROXY: proxy.url } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Planning failed: 1 error; nothing was changed.');
      expect(performance.now() - started).toBeLessThan(8_000);
    } finally {
      await e.close();
    }
  });
});

describe('a peer that accepts and never answers', () => {
  /** A TCP server that takes every connection and writes `greeting` (by default nothing): a silent proxy, or a TLS port that never greets. */
  async function silent(greeting = ''): Promise<{ port: number; close: () => Promise<void> }> {
    const sockets = new Set<Socket>();
    const server = createServer((s) => { sockets.add(s); s.on('error', () => undefined); if (greeting) s.write(greeting); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
    };
  }

  // Each attempt took 5 minutes through the proxy (undici's wait for an answer to CONNECT), and
  // 10 s to a TLS port (its wait for a connection), whatever --timeout and --request-deadline said.
  it.each([
    ['a proxy that never answers CONNECT', true],
    ['an https port that never completes TLS', false],
  ])('%s is given up by the timeout and the deadline', async (_, viaProxy) => {
    const peer = await silent();
    try {
      const started = performance.now();
      const env = viaProxy ? { QUALYTICS_URL: 'https://acme.qualytics.io', HTTPS_PROXY: `http://127.0.0.1:${peer.port}` } : { QUALYTICS_URL: `https://127.0.0.1:${peer.port}` };
      const r = await plan(env, '--timeout', '0.5', '--request-deadline', '2');
      const took = performance.now() - started;
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: GET \/datastores failed \(after \d attempts\): no answer (within 0\.5 s|before the 2 s deadline)/);
      expect(took).toBeLessThan(8_000);
    } finally {
      await peer.close();
    }
  });

  it('an attempt never outlasts the deadline: a server that stalls after its headers, with a longer timeout', async () => {
    const peer = await silent('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{');
    try {
      const started = performance.now();
      const r = await plan({ QUALYTICS_URL: `http://127.0.0.1:${peer.port}` }, '--timeout', '30', '--request-deadline', '1');
      expect(performance.now() - started).toBeLessThan(6_000);
      expect(r.stderr).toBe('error: GET /datastores failed: no answer before the 1 s deadline for one request (raise --request-deadline if the server is slow)\n');
      expect(r.code).toBe(1);
    } finally {
      await peer.close();
    }
  });
});
