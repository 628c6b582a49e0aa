import { request as httpRequest, Agent } from 'node:http';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FAULTS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { admin, call, start, testSeed, TOKENS } from './helpers.js';

let em: RunningEmulator;
beforeEach(async () => {
  em = await start();
});
afterEach(() => em.close());

const prefixOf = (id: number) => em.snapshot().find((d) => d.id === id)?.enrichment_prefix;

/** Resolves to the status, or to 'reset' when the connection died without an answer. */
async function statusOrReset(method: string, path: string, body?: unknown): Promise<number | 'reset'> {
  try {
    return (await call(em, method, path, { body })).status;
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError); // fetch's "fetch failed" for a destroyed socket
    return 'reset';
  }
}

describe('scripted faults', () => {
  it('answers the scripted status to the next matching requests only, without touching the state', async () => {
    em.setFaults({ script: [{ method: 'put', pathPattern: '^/api/datastores/43$', status: 503, times: 2 }] });
    const before = em.snapshot();
    const first = await call(em, 'PUT', '/datastores/43', { body: { enrichment_prefix: 'one' } });
    expect([first.status, first.body]).toStrictEqual([503, { detail: 'Service Unavailable (injected by the emulator)' }]);
    expect((await call(em, 'GET', '/datastores/43')).status).toBe(200); // not matching: served
    expect((await call(em, 'PUT', '/datastores/43', { body: { enrichment_prefix: 'two' } })).status).toBe(503);
    expect(em.snapshot()).toStrictEqual(before);
    expect((await call(em, 'PUT', '/datastores/43', { body: { enrichment_prefix: 'three' } })).status).toBe(200);
    expect(prefixOf(43)).toBe('_three');
    expect(em.calls().map((c) => [c.method, c.status, c.injected])).toStrictEqual([
      ['PUT', 503, 'before'],
      ['GET', 200, undefined],
      ['PUT', 503, 'before'],
      ['PUT', 200, undefined],
    ]);
    expect(em.faults().script).toStrictEqual([]);
  });

  it('consumes entries in order and reports the remaining counts', async () => {
    em.setFaults({
      script: [
        { pathPattern: '^/api/health$', status: 500, times: 1 },
        { pathPattern: '^/api/health$', status: 502, times: 2 },
      ],
    });
    expect(await statusOrReset('GET', '/health')).toBe(500);
    expect(await statusOrReset('GET', '/health')).toBe(502);
    expect(em.faults().script).toStrictEqual([{ pathPattern: '^/api/health$', status: 502, times: 1 }]);
    expect(await statusOrReset('GET', '/health')).toBe(502);
    expect(await statusOrReset('GET', '/health')).toBe(204);
  });

  it('sends Retry-After on 429: the default 1, the config value, a per-entry 0', async () => {
    em.setFaults({ script: [{ status: 429, times: 1 }] });
    const reply = await call(em, 'GET', '/datastores/42');
    expect([reply.status, reply.headers.get('retry-after'), reply.body]).toStrictEqual([
      429,
      '1',
      { detail: 'Too Many Requests (injected by the emulator)' },
    ]);
    em.setFaults({ retryAfterSeconds: 7, script: [{ status: 429, times: 1 }, { status: 429, retryAfterSeconds: 0, times: 1 }] });
    expect((await call(em, 'GET', '/datastores/42')).headers.get('retry-after')).toBe('7');
    expect((await call(em, 'GET', '/datastores/42')).headers.get('retry-after')).toBe('0');
    em.setFaults({ script: [{ status: 503, times: 1 }] });
    expect((await call(em, 'GET', '/datastores/42')).headers.get('retry-after')).toBeNull();
  });

  it('resets the connection without an answer and without touching the state', async () => {
    em.setFaults({ script: [{ method: 'PATCH', reset: true, times: 1 }] });
    const before = em.snapshot();
    expect(await statusOrReset('PATCH', '/datastores/43/enrichment/100')).toBe('reset');
    expect(em.snapshot()).toStrictEqual(before);
    expect(em.calls()).toStrictEqual([
      expect.objectContaining({ method: 'PATCH', path: '/api/datastores/43/enrichment/100', status: 'reset', injected: 'before' }),
    ]);
    expect(await statusOrReset('PATCH', '/datastores/43/enrichment/100')).toBe(200);
  });

  it('afterCommit reset: the write is committed, the answer is lost, and the retry is idempotent', async () => {
    em.setFaults({ script: [{ method: 'PUT', reset: true, afterCommit: true, times: 1 }] });
    expect(await statusOrReset('PUT', '/datastores/43', { enrichment_prefix: 'committed' })).toBe('reset');
    expect(prefixOf(43)).toBe('_committed');
    const afterCommit = em.snapshot();
    expect(await statusOrReset('PUT', '/datastores/43', { enrichment_prefix: 'committed' })).toBe(200);
    expect(em.snapshot()).toStrictEqual(afterCommit);
    expect(em.calls().map((c) => [c.status, c.injected])).toStrictEqual([
      ['reset', 'after-commit'],
      [200, undefined],
    ]);
  });

  it('afterCommit status: the link is committed but the client sees the error', async () => {
    em.setFaults({ script: [{ method: 'PATCH', status: 502, afterCommit: true, times: 1 }] });
    expect(await statusOrReset('PATCH', '/datastores/43/enrichment/100')).toBe(502);
    expect(em.snapshot().find((d) => d.id === 43)?.enrich_datastore).toMatchObject({ id: 100 });
  });

  it('refuses an invalid configuration from setFaults', () => {
    expect(() => em.setFaults({ errorRate: 2 })).toThrow('errorRate must be a number from 0 to 1');
    // Beyond 2^31 - 1 ms Node's timers fire after 1 ms: refused, not silently fast.
    expect(() => em.setFaults({ latencyMs: 2 ** 31 })).toThrow('latencyMs must be a number from 0 to 3600000 (an hour)');
    expect(() => em.setFaults({ script: [{ times: 1 }] })).toThrow('script[0]: give exactly one of status and reset: true');
    expect(() => em.setFaults({ script: [{ pathPattern: '(', status: 500, times: 1 }] })).toThrow('not a valid regular expression');
    expect(em.faults()).toStrictEqual(DEFAULT_FAULTS);
  });
});

describe('random faults', () => {
  async function runHealthChecks(count: number): Promise<Array<number | 'reset'>> {
    const statuses: Array<number | 'reset'> = [];
    for (let i = 0; i < count; i += 1) statuses.push(await statusOrReset('GET', '/health'));
    return statuses;
  }

  it('errorRate with a seed is reproducible, roughly the asked share, and seed-dependent', async () => {
    em.setFaults({ errorRate: 0.3, errorStatuses: [503, 429], seed: 7 });
    const first = await runHealthChecks(200);
    em.setFaults({ seed: 7 }); // restarts the sequence
    const second = await runHealthChecks(200);
    expect(second).toStrictEqual(first);
    const errors = first.filter((s) => s !== 204).length;
    expect(errors).toBeGreaterThan(35);
    expect(errors).toBeLessThan(85);
    expect(new Set(first)).toStrictEqual(new Set([204, 503, 429]));
    em.setFaults({ seed: 8 });
    expect(await runHealthChecks(200)).not.toStrictEqual(first);
  });

  it('errorRate 1 answers every request with an error and a faulted write changes nothing', async () => {
    const before = em.snapshot();
    em.setFaults({ errorRate: 1 });
    for (const id of [42, 43, 44]) {
      expect(await statusOrReset('PUT', `/datastores/${id}`, { high_count_rollup_threshold: 99 })).toBe(503);
    }
    expect(em.snapshot()).toStrictEqual(before);
  });

  it('resetRate drops about the asked share, each drop logged as reset', async () => {
    em.setFaults({ resetRate: 0.25, seed: 3 });
    const statuses = await runHealthChecks(120);
    const resets = statuses.filter((s) => s === 'reset').length;
    expect(resets).toBeGreaterThan(10);
    expect(resets).toBeLessThan(55);
    expect(em.calls().map((c) => c.status)).toStrictEqual(statuses);
  });

  it('latencyMs delays /api answers but not admin answers', async () => {
    em.setFaults({ latencyMs: 10_000 });
    let apiAnswered = false;
    // Dropped unanswered when the emulator closes after the test.
    const api = call(em, 'GET', '/datastores/42').then(() => { apiAnswered = true; }, () => undefined);
    // The admin answer comes while the /api request still waits on its latency.
    expect((await admin(em, 'GET', '/state')).status).toBe(200);
    expect(apiAnswered).toBe(false);
    expect(em.calls()).toStrictEqual([]);
    void api;
  });
});

describe('admin API under /_emulator', () => {
  it('GET /_emulator/faults shows the configuration, PUT merges a partial one', async () => {
    const initial = await admin(em, 'GET', '/faults');
    expect(await initial.json()).toStrictEqual(DEFAULT_FAULTS);
    const put = await admin(em, 'PUT', '/faults', { latencyMs: 5, script: [{ reset: true, times: 3 }] });
    expect(put.status).toBe(200);
    expect(await put.json()).toStrictEqual({ ...DEFAULT_FAULTS, latencyMs: 5, script: [{ reset: true, times: 3 }] });
    expect(em.faults().latencyMs).toBe(5);
  });

  it('PUT /_emulator/faults refuses unknown keys and bad values with 422, changing nothing', async () => {
    const typo = await admin(em, 'PUT', '/faults', { errorRatio: 0.5 });
    expect([typo.status, await typo.json()]).toStrictEqual([422, { detail: 'unknown key(s): errorRatio' }]);
    const bad = await admin(em, 'PUT', '/faults', { errorStatuses: [200] });
    expect([bad.status, await bad.json()]).toStrictEqual([
      422,
      { detail: 'errorStatuses must be a non-empty array of statuses from 400 to 599' },
    ]);
    expect(em.faults()).toStrictEqual(DEFAULT_FAULTS);
  });

  it('admin paths need no token, are not logged, and are never faulted', async () => {
    em.setFaults({ errorRate: 1, resetRate: 1, script: [{ reset: true, times: 5 }] });
    for (const resource of ['/faults', '/calls', '/state']) {
      expect((await admin(em, 'GET', resource)).status).toBe(200);
    }
    expect(em.calls()).toStrictEqual([]);
    expect(em.faults().script).toStrictEqual([{ reset: true, times: 5 }]);
  });

  it('GET /_emulator/state is the snapshot; GET/DELETE /_emulator/calls read and clear the log', async () => {
    await call(em, 'PUT', '/datastores/43', { body: { enrichment_prefix: 'x' } });
    const state = await admin(em, 'GET', '/state');
    expect(await state.json()).toStrictEqual(em.snapshot());
    const calls = await admin(em, 'GET', '/calls');
    expect(await calls.json()).toStrictEqual(em.calls());
    expect(em.calls()).toHaveLength(1);
    const cleared = await admin(em, 'DELETE', '/calls');
    expect(cleared.status).toBe(204);
    expect(em.calls()).toStrictEqual([]);
  });

  it('answers 405 and 404 on the admin paths', async () => {
    expect((await admin(em, 'POST', '/faults', {})).status).toBe(405);
    expect((await admin(em, 'PUT', '/state', {})).status).toBe(405);
    expect((await admin(em, 'GET', '/nothing')).status).toBe(404);
  });
});

describe('call log', () => {
  it('records method, path, raw query, parsed body, status and times, in order', async () => {
    await call(em, 'GET', '/datastores?size=2&name=Sales%20W');
    await call(em, 'PUT', '/datastores/43', { body: { high_count_rollup_threshold: 7 } });
    await call(em, 'PUT', '/datastores/43', { rawBody: 'not json' });
    await call(em, 'DELETE', '/datastores/42/enrichment', { token: TOKENS.editor });
    const calls = em.calls();
    expect(calls.map(({ at, received, ...rest }) => rest)).toStrictEqual([
      { seq: 1, method: 'GET', path: '/api/datastores', query: 'size=2&name=Sales%20W', body: null, status: 200 },
      { seq: 2, method: 'PUT', path: '/api/datastores/43', query: '', body: { high_count_rollup_threshold: 7 }, status: 200 },
      { seq: 3, method: 'PUT', path: '/api/datastores/43', query: '', body: 'not json', status: 422 },
      { seq: 4, method: 'DELETE', path: '/api/datastores/42/enrichment', query: '', body: null, status: 403 },
    ]);
    const times = calls.map((c) => c.at);
    expect(times).toStrictEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThan(0);
    // Arrival comes before the answer, and both count from the handle's startedAt (this process's clock).
    for (const c of calls) expect(c.received).toBeLessThanOrEqual(c.at);
    expect(em.startedAt + calls.at(-1)!.at).toBeLessThanOrEqual(performance.now());
  });

  it('logs unknown /api paths and 401s too, and never contains a token', async () => {
    for (const token of Object.values(TOKENS)) await call(em, 'GET', '/datastores/42', { token });
    await call(em, 'GET', '/datastores/42', { token: 'a-wrong-secret-token' });
    await call(em, 'GET', '/nowhere');
    const calls = em.calls();
    expect(calls).toHaveLength(Object.values(TOKENS).length + 2);
    expect(calls.at(-1)?.status).toBe(404);
    expect(calls.at(-2)?.status).toBe(401);
    const served = JSON.stringify(await (await admin(em, 'GET', '/calls')).json());
    for (const secret of [...Object.values(TOKENS), 'a-wrong-secret-token', 'Bearer', 'authorization']) {
      expect(served.toLowerCase()).not.toContain(secret.toLowerCase());
      expect(JSON.stringify(calls).toLowerCase()).not.toContain(secret.toLowerCase());
    }
  });

  it('does not log paths outside /api', async () => {
    await fetch(`${em.origin}/favicon.ico`);
    expect(em.calls()).toStrictEqual([]);
  });
});

/**
 * "Promptly" is checked without a clock: each test's timeout (5 s) is shorter than what a close()
 * that waited would take (the 10 s keep-alive timeout, node's 60 s headers timeout, the 10 s latency).
 */
describe('close()', () => {
  it('resolves promptly with idle keep-alive sockets open', async () => {
    const other = await startEmulator({ seed: testSeed() });
    const agent = new Agent({ keepAlive: true });
    try {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${other.url}/health`, { agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
      await call(other, 'GET', '/status'); // and fetch's own pool
      const sockets = Object.values(agent.freeSockets).flat();
      expect(sockets).toHaveLength(1); // an idle keep-alive socket is really open
      const closed = new Promise((resolve) => sockets[0]!.once('close', resolve));
      await other.close();
      await closed; // the server ended it: it did not wait for the 10 s keep-alive timeout
    } finally {
      agent.destroy();
    }
  }, 5_000);

  it('resolves promptly with a connection that has sent half a request', async () => {
    // server.close() alone waits for such a connection (until headersTimeout); close() must not.
    const other = await startEmulator({ seed: testSeed() });
    const socket = connect(other.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /api/health HTTP/1.1\r\nHost: emulator\r\n');
    const ended = new Promise((resolve) => socket.once('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 30));
    await other.close();
    await ended;
  }, 5_000);

  it('resolves promptly while a request waits on injected latency, which then fails', async () => {
    const other = await startEmulator({ seed: testSeed(), faults: { latencyMs: 10_000 } });
    const pending = fetch(`${other.url}/health`).then(
      (r) => r.status,
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await other.close();
    expect(await pending).toBe('failed');
    expect(other.calls()).toStrictEqual([]);
  }, 5_000);

  it('can be called twice', async () => {
    const other = await startEmulator({ seed: testSeed() });
    await other.close();
    await expect(other.close()).resolves.toBeUndefined();
  });
});

describe('startEmulator', () => {
  it('answers on the returned url and port, with faults from the options', async () => {
    const other = await startEmulator({ seed: testSeed(), faults: { script: [{ status: 418, times: 1 }] } });
    try {
      expect(other.url).toBe(`http://127.0.0.1:${other.port}/api`);
      expect(other.origin).toBe(`http://127.0.0.1:${other.port}`);
      expect((await fetch(`${other.url}/health`)).status).toBe(418);
      expect((await fetch(`${other.url}/health`)).status).toBe(204);
    } finally {
      await other.close();
    }
  });

  it('refuses an inconsistent seed', async () => {
    const seed = testSeed();
    seed.datastores.push({ id: 42, name: 'Duplicate' }, { id: 7, name: 'Dangling', enrich_datastore: 12345 });
    await expect(startEmulator({ seed })).rejects.toThrow(/datastore id 42 appears twice[\s\S]*enrich_datastore 12345 does not exist/);
  });
});

// A web page on a domain pointed at 127.0.0.1 (DNS rebinding) reached the loopback emulator with its own name in Host.
describe('addressed to this machine only', () => {
  const get = (path: string, host: string): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: em.port, path, headers: { host, authorization: `Bearer ${TOKENS.admin}` }, agent: new Agent() }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });

  it('answers a Host of localhost, 127.x or [::1], and 421 to any other name, admin API included', async () => {
    for (const host of ['localhost', `127.0.0.1:${em.port}`, `localhost:${em.port}`, `[::1]:${em.port}`]) expect((await get('/_emulator/state', host)).status, host).toBe(200);
    for (const path of ['/_emulator/state', '/api/datastores/1']) {
      const r = await get(path, 'rebind.attacker.example');
      expect(r.status).toBe(421);
      expect(r.body).not.toContain('enrichment_prefix');
    }
  });
});

describe('the call log is bounded', () => {
  it('keeps a body over 64 KB by its size only, and at most 100,000 records, the oldest dropped', async () => {
    const big = JSON.stringify(Array.from({ length: 40_000 }, () => ({})));
    await call(em, 'PUT', '/datastores/1', { body: JSON.parse(big) });
    expect(em.calls().at(-1)!.body).toBe(`[a body of ${Buffer.byteLength(big)} bytes, not kept]`);
    const { createCallLog, MAX_CALL_RECORDS } = await import('../../src/emulator/call-log.js');
    const log = createCallLog();
    for (let i = 0; i < MAX_CALL_RECORDS + 1; i++) log.record({ method: 'GET', path: '/api/x', query: '', body: null, status: 200, received: 0 });
    const kept = log.list();
    expect(kept.length).toBeLessThanOrEqual(MAX_CALL_RECORDS);
    expect(kept.at(-1)!.seq).toBe(MAX_CALL_RECORDS + 1);
  });
});
