/** The API client against the real emulator over loopback: retries, Retry-After, timeouts, errors, secrecy. */
import { lookup } from 'node:dns';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QualyticsClient, type RetryEvent } from '../../src/api/client.js';
import { readErrorBody } from '../../src/api/error-body.js';
import { ApiError, NetworkError } from '../../src/api/errors.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { Seed } from '../../src/core/seed-types.js';
import { makeTestCa, startTlsFront } from '../helpers/network.js';
import { link, unlink, updateSettings } from '../helpers/operations.js';

const ADMIN = 'secret-admin-token-7f3a';
const MEMBER = 'secret-member-token-19be';

const seed: Seed = {
  users: [
    { name: 'Ada Admin', role: 'Admin', token: ADMIN },
    { name: 'Mo Member', role: 'Member', token: MEMBER, teams: { 'Data Platform': 'Reporter' } },
  ],
  datastores: [
    { id: 42, name: 'Healthcare Database', teams: ['Data Platform'] },
    { id: 100, name: 'Healthcare Enrichment', enrichment_only: true },
  ],
};

let em: RunningEmulator;
let clients: QualyticsClient[] = [];

beforeEach(async () => {
  em = await startEmulator({ seed });
});
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  await em.close();
});

function client(options: Partial<ConstructorParameters<typeof QualyticsClient>[0]> = {}): QualyticsClient {
  const c = new QualyticsClient({
    baseUrl: em.url,
    token: ADMIN,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  clients.push(c);
  return c;
}

describe('QualyticsClient', () => {
  it('reads, links, updates and unlinks with one request each when nothing fails', async () => {
    const c = client();
    expect((await c.getDatastore(42)).enrich_datastore).toBeNull();
    expect((await c.perform(42, { type: 'link', enrich_datastore: { id: 100, name: '' } })).datastore?.enrich_datastore?.id).toBe(100);
    expect((await c.perform(42, { type: 'update_settings', body: { enrichment_source_record_limit: 55 } })).datastore?.enrichment_source_record_limit).toBe(55);
    await c.perform(42, { type: 'unlink' });
    expect(em.calls().map((r) => `${r.method} ${r.path} ${r.status}`)).toStrictEqual([
      'GET /api/datastores/42 200',
      'PATCH /api/datastores/42/enrichment/100 200',
      'PUT /api/datastores/42 200',
      'DELETE /api/datastores/42/enrichment 204',
    ]);
    expect(em.calls()[2]!.body).toStrictEqual({ enrichment_source_record_limit: 55 });
    expect(c.stats()).toMatchObject({ requests: 4, retries: 0 });
  });

  it('sends list queries the server understands', async () => {
    const page = await client().listDatastores({ page: 1, size: 100, name: 'Healthcare Enrichment', enrichment_only: true });
    expect(page.items.map((d) => d.id)).toStrictEqual([100]);
    expect(em.calls()[0]!.query).toBe('page=1&size=100&name=Healthcare+Enrichment&enrichment_only=true');
  });

  it('retries 503, 502, 504 and connection resets until the request succeeds', async () => {
    em.setFaults({
      script: [
        { method: 'PUT', status: 503, times: 1 },
        { method: 'PUT', status: 502, times: 1 },
        { method: 'PUT', reset: true, times: 1 },
        { method: 'PUT', status: 504, times: 1 },
      ],
    });
    const retries: RetryEvent[] = [];
    const c = client({ onRetry: (e) => retries.push(e) });
    const answer = await c.perform(42, { type: 'update_settings', body: { high_count_rollup_threshold: 7 } });
    expect(answer.datastore?.high_count_rollup_threshold).toBe(7);
    expect(em.calls().map((r) => r.status)).toStrictEqual([503, 502, 'reset', 504, 200]);
    expect(retries.map((r) => r.attempt)).toStrictEqual([1, 2, 3, 4]);
  });

  it('retries a write whose answer was lost after the server committed it, and the write lands once in effect', async () => {
    em.setFaults({ script: [{ method: 'PATCH', reset: true, afterCommit: true, times: 1 }] });
    const answer = await link(client(), 42, 100);
    expect(answer.datastore?.enrich_datastore?.id).toBe(100);
    expect(em.calls().map((r) => r.status)).toStrictEqual(['reset', 200]);
    expect(em.snapshot().find((d) => d.id === 42)?.enrich_datastore?.id).toBe(100);
  });

  it('honours Retry-After on 429', async () => {
    em.setFaults({ script: [{ method: 'GET', status: 429, retryAfterSeconds: 1, times: 1 }] });
    const retries: RetryEvent[] = [];
    await client({ onRetry: (e) => retries.push(e) }).getDatastore(42);
    expect(retries).toHaveLength(1);
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(1000);
    // A lower bound only (a slow machine cannot break it): the server saw the retry no sooner than asked.
    const [first, second] = em.calls();
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(990);
  });

  it('gives up after the retry budget with the last answer', async () => {
    em.setFaults({ script: [{ status: 503, times: 10 }] });
    const err = await client({ retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } }).getDatastore(42).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
    expect(em.calls()).toHaveLength(3);
  });

  it('refuses to wait longer than its Retry-After limit', async () => {
    em.setFaults({ script: [{ status: 429, retryAfterSeconds: 3600, times: 1 }] });
    const err = await client().getDatastore(42).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toMatch(/asked to retry after 3600 s/);
    expect(em.calls()).toHaveLength(1);
  });

  it.each([
    ['401', { token: 'not-a-token' }, (c: QualyticsClient) => c.getDatastore(42), 401, 'Could not validate credentials'],
    ['403', { token: MEMBER }, (c: QualyticsClient) => updateSettings(c, 42, { enrichment_prefix: 'x' }), 403,
      "You must have editor permission in at least one of these teams: ['Data Platform']"],
    ['404', {}, (c: QualyticsClient) => c.getDatastore(999), 404, 'Datastore id: 999 not found'],
    ['409', {}, (c: QualyticsClient) => link(c, 100, 100), 409, 'The datastore id: 100 is an enrichment store'],
  ] as const)('does not retry a permanent %s and keeps method, path, status and detail', async (_n, opts, act, status, detail) => {
    const c = client(opts);
    const err = await act(c).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(status);
    expect((err as ApiError).detail).toBe(detail);
    expect((err as ApiError).message).toBe(`${(err as ApiError).method} ${(err as ApiError).path} answered ${status}: ${detail}`);
    expect(em.calls()).toHaveLength(1);
  });

  it('times out a request that gets no answer in time, and says so', async () => {
    em.setFaults({ latencyMs: 1_000 });
    const c = client({ timeoutMs: 200, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const err = await c.getDatastore(42).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).message).toBe('GET /datastores/42 failed (after 2 attempts): no answer within 0.2 s (raise QUALYTICS_TIMEOUT or --timeout if the server is slow)');
    // Both attempts were given up before the server answered either (it logs a call when it answers).
    expect(em.calls()).toStrictEqual([]);
  });

  it('tries a host name that does not exist once: another attempt cannot mend it', async (ctx) => {
    // `.invalid` never resolves (RFC 2606); a resolver this machine cannot reach answers EAI_AGAIN instead, which is retried.
    const answer = await new Promise<string | undefined>((resolve) => { lookup('no-such-host.invalid', (e) => resolve(e?.code)); });
    if (answer !== 'ENOTFOUND') ctx.skip();
    const retries: RetryEvent[] = [];
    const c = new QualyticsClient({ baseUrl: 'https://no-such-host.invalid/api', token: ADMIN, retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 1 }, onRetry: (e) => retries.push(e) });
    clients.push(c);
    const err = await c.getDatastore(42).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).message).toBe('GET /datastores/42 failed: cannot resolve no-such-host.invalid; check the URL');
    expect(retries).toStrictEqual([]);
  });

  it('reports a refused connection without retrying forever', async () => {
    const port = em.port;
    await em.close();
    const c = new QualyticsClient({ baseUrl: `http://127.0.0.1:${port}/api`, token: ADMIN, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    clients.push(c);
    const err = await c.getDatastore(42).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).message).toBe(`GET /datastores/42 failed (after 2 attempts): connection refused by 127.0.0.1:${port}; is the URL right and the server up?`);
    em = await startEmulator({ seed });
  });

  it.each([
    [201, 'created', 'GET /datastores/42 answered 201: the answer was not JSON (created)'],
    [204, '', 'GET /datastores/42 answered 204: the answer was empty, not JSON'],
  ])('quotes the status it received (%s) when a success carries no JSON', async (status, body, message) => {
    const server = createServer((_req, res) => {
      res.writeHead(status);
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const c = client({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api` });
      const err = await c.getDatastore(42).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).message).toBe(message);
      expect((err as ApiError).hint()).toBeUndefined();
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      clients = [];
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('numbers retries by the attempt to come, and the final error by the attempts made', async () => {
    em.setFaults({ script: [{ method: 'GET', status: 503, times: 3 }] });
    const retries: RetryEvent[] = [];
    const err = await client({ retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 }, onRetry: (e) => retries.push(e) })
      .listDatastores({ page: 3 }).catch((e: unknown) => e);
    expect(retries.map((r) => [r.query, r.outcome, r.nextAttempt, r.maxAttempts])).toStrictEqual([
      ['?page=3', 'answered 503', 2, 3],
      ['?page=3', 'answered 503', 3, 3],
    ]);
    expect((err as ApiError).attempts).toBe(3);
    expect((err as ApiError).message).toMatch(/^GET \/datastores answered 503 \(after 3 attempts\)/);
    expect((err as ApiError).hint()).toBe('the server kept failing after enrichctl retried; try again later');
  });

  it('keeps at most maxInFlight requests in flight', async () => {
    // A server that counts the requests it holds open at once (each held 30 ms).
    let open = 0;
    let most = 0;
    let served = 0;
    const server = createServer((_req, res) => {
      most = Math.max(most, ++open);
      setTimeout(() => {
        open--;
        served++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 42, name: 'Healthcare Database' }));
      }, 30);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const c = client({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, maxInFlight: 3 });
      await Promise.all(Array.from({ length: 9 }, () => c.getDatastore(42)));
      expect(served).toBe(9);
      expect(most).toBe(3);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      clients = [];
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('never lets the token reach an error, a retry event or its JSON form', async () => {
    em.setFaults({ script: [{ status: 503, times: 1 }] });
    const seen: string[] = [];
    const c = client({ token: MEMBER, onRetry: (e) => seen.push(JSON.stringify(e)) });
    const errors = await Promise.all([
      c.getDatastore(999).catch((e: unknown) => e),
      updateSettings(c, 42, { enrichment_prefix: 'x' }).catch((e: unknown) => e),
      unlink(c, 42).catch((e: unknown) => e),
    ]);
    // Each call really failed (a success would make this test vacuous), one of them after a retry.
    expect(errors.map((e) => (e instanceof ApiError ? e.status : e))).toStrictEqual([404, 403, 403]);
    expect(seen.filter((s) => s.includes('"outcome":"answered 503"'))).toHaveLength(1);
    // And a network failure: the same token to a port nothing listens on.
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const offline = client({ baseUrl: `http://127.0.0.1:${closed}/api`, token: MEMBER, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 }, onRetry: (e) => seen.push(JSON.stringify(e)) });
    const refused = await link(offline, 42, 100).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NetworkError);
    errors.push(refused);
    for (const e of errors) seen.push(String(e), JSON.stringify(e), (e as Error).stack ?? '', (e as Error).message);
    seen.push(JSON.stringify(c), JSON.stringify(offline), JSON.stringify(em.calls()));
    expect(seen.join('\n')).not.toContain(MEMBER);
  });
});

describe('readErrorBody', () => {
  it.each([
    ['a FastAPI detail string, on one line', '{"detail": "Datastore\\n  id: 9 not found"}', 404, { detail: 'Datastore id: 9 not found', problems: [] }],
    ['a validation list, without its body/query part and never its input', '{"detail": [{"type": "greater_than", "loc": ["body", "high_count_rollup_threshold"], "msg": "Input should be greater than 0", "input": "secret"}, {"type": "missing", "loc": ["query"], "msg": "Field required"}]}', 422,
      { detail: 'high_count_rollup_threshold: Input should be greater than 0; Field required', problems: [
        { type: 'greater_than', loc: ['body', 'high_count_rollup_threshold'], msg: 'Input should be greater than 0' },
        { type: 'missing', loc: ['query'], msg: 'Field required' },
      ] }],
    ['a list with an entry that is not a problem: shown as JSON', '{"detail": [{"msg": "x", "loc": "nowhere"}, 7]}', 422,
      { detail: '[{"msg":"x","loc":"nowhere"},7]', problems: [{ type: '', loc: [], msg: 'x' }] }],
    ['a detail of another shape', '{"detail": {"code": 5}}', 500, { detail: '{"code":5}', problems: [] }],
    ['JSON without a detail', '{"error": "no"}', 500, { detail: '', problems: [] }],
    ['an empty 401', '', 401, { detail: 'the API token was refused; check QUALYTICS_TOKEN (or --token-file) and that the token has not been revoked', problems: [] }],
    ['a long text, cut', `oops ${'x'.repeat(300)}`, 502, { detail: `oops ${'x'.repeat(195)}...`, problems: [] }],
    // A gateway's or a sign-in page's HTML, by its title (it was its first 200 characters of markup).
    ['an HTML page, by its title', `<!DOCTYPE html>\n<html><head><title>\n  Sign in - Acme SSO </title></head><body>${'x'.repeat(300)}</body></html>`, 403,
      { detail: 'a web page, not the API\'s JSON (titled "Sign in - Acme SSO")', problems: [] }],
    ['an HTML page without a title', `<html><body>${'x'.repeat(300)}</body></html>`, 502, { detail: 'a web page, not the API\'s JSON', problems: [] }],
  ] as const)('%s', (_name, text, status, expected) => {
    expect(readErrorBody(text, status, (t) => t)).toStrictEqual(expected);
  });
});

describe('a server that wants whole PUTs', () => {
  it('is announced once, even when two updates in flight both meet its 422', async () => {
    const full = await startEmulator({ seed: { users: seed.users, datastores: [{ id: 1, name: 'A' }, { id: 2, name: 'B' }] }, put: 'full' });
    const notices: string[] = [];
    const c = new QualyticsClient({ baseUrl: full.url, token: ADMIN, onNotice: (n) => notices.push(n) });
    try {
      const answers = await Promise.all([updateSettings(c, 1, { high_count_rollup_threshold: 7 }), updateSettings(c, 2, { high_count_rollup_threshold: 8 })]);
      expect(answers.map((a) => a.datastore?.high_count_rollup_threshold)).toStrictEqual([7, 8]);
      expect(full.calls().filter((c) => c.method === 'PUT').map((c) => c.status).sort()).toStrictEqual([200, 200, 422, 422]);
      expect(notices).toHaveLength(1);
      // And the listing with no query at all sends none.
      await c.listDatastores({});
      expect(full.calls().at(-1)?.query).toBe('');
    } finally {
      await c.close();
      await full.close();
    }
  });
});

describe('network failures, named', () => {
  it('says a certificate from an unknown CA could not be verified, and how to trust the organisation\'s CA', async () => {
    const front = await startTlsFront(await makeTestCa(), em.port);
    const c = new QualyticsClient({ baseUrl: front.url, token: ADMIN, retry: { retries: 0 } });
    try {
      const err = await c.getDatastore(42).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect((err as NetworkError).message).toMatch(
        /^GET \/datastores\/42 failed: the TLS certificate of 127\.0\.0\.1:\d+ could not be verified \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\); if it is signed by your organisation's own CA, set NODE_EXTRA_CA_CERTS to that CA's PEM file$/,
      );
      expect(em.calls()).toStrictEqual([]);
    } finally {
      await c.close();
      await front.close();
    }
  });

  it('says a server that closed the connection without answering closed it, and one that speaks no TLS is plain http', async () => {
    const server = createServer((req) => req.socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const reset = new QualyticsClient({ baseUrl: `http://127.0.0.1:${port}/api`, token: ADMIN, retry: { retries: 0 } });
      // Retries allowed, but a server that does not speak TLS will not start to: one attempt only.
      const tls = new QualyticsClient({ baseUrl: `https://127.0.0.1:${port}/api`, token: ADMIN, retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 1 } });
      const errs = [await reset.getDatastore(1).catch((e: unknown) => e), await tls.getDatastore(1).catch((e: unknown) => e)];
      expect(tls.stats().requests).toBe(1);
      await Promise.all([reset.close(), tls.close()]);
      expect(errs.map((e) => (e instanceof NetworkError ? e.message : e))).toStrictEqual([
        `GET /datastores/1 failed: the connection to 127.0.0.1:${port} was closed before an answer arrived`,
        `GET /datastores/1 failed: 127.0.0.1:${port} did not answer TLS; if it is a plain-http server (such as the emulator), write http:// in the URL`,
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('QualyticsClient: deadline and interrupts', () => {
  it('gives up when the next wait would end past the deadline for one request, and says so', async () => {
    em.setFaults({ script: [{ method: 'GET', status: 503, times: 10 }] });
    const c = client({ deadlineMs: 500, retry: { retries: 10, baseDelayMs: 200, maxDelayMs: 200 }, random: () => 1 });
    const err = await c.getDatastore(42).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    // Attempts at about 0, 200 and 400 ms; a fourth would come at 600 ms, past the 500 ms deadline.
    expect((err as ApiError).message).toMatch(/^GET \/datastores\/42 answered 503 \(after 3 attempts\)(: .*)?; gave up after the 0\.5 s deadline for one request$/);
    expect(em.calls()).toHaveLength(3);
  });

  it('does not start a Retry-After wait that would cross the deadline', async () => {
    em.setFaults({ script: [{ method: 'GET', status: 429, retryAfterSeconds: 30, times: 1 }] });
    const started = performance.now();
    const err = await client({ deadlineMs: 1_000 }).getDatastore(42).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect((err as ApiError).message).toMatch(/^GET \/datastores\/42 answered 429(: .*)?; gave up after the 1 s deadline for one request$/);
    expect(em.calls()).toHaveLength(1);
  });

  it('ends a Retry-After wait at once on the interrupt signal and starts no attempt after it', async () => {
    em.setFaults({ script: [{ method: 'PUT', status: 429, retryAfterSeconds: 50, times: 5 }] });
    const interrupt = new AbortController();
    const c = client({ signal: interrupt.signal, onRetry: () => setTimeout(() => interrupt.abort(), 20) });
    const started = performance.now();
    const err = await updateSettings(c, 42, { enrichment_prefix: 'x' }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(NetworkError);
    // A 429 means the server did not take the write: nothing landed.
    expect((err as NetworkError).interrupted).toBe('not-applied');
    expect((err as NetworkError).message).toBe('PUT /datastores/42 failed: interrupted while waiting to retry');
    expect(em.calls()).toHaveLength(1);
    expect(await c.getDatastore(42).catch((e: unknown) => (e as NetworkError).message)).toBe('GET /datastores/42 failed: interrupted before it was sent');
    expect(em.calls()).toHaveLength(1);
  });

  it('says an interrupted write whose answer was lost may have landed', async () => {
    em.setFaults({ script: [{ method: 'PATCH', reset: true, afterCommit: true, times: 1 }] });
    const interrupt = new AbortController();
    const c = client({ signal: interrupt.signal, retry: { baseDelayMs: 2_000, maxDelayMs: 2_000 }, random: () => 1, onRetry: () => interrupt.abort() });
    const err = await link(c, 42, 100).catch((e: unknown) => e);
    expect((err as NetworkError).interrupted).toBe('unknown');
    expect(em.calls().map((r) => r.status)).toStrictEqual(['reset']);
  });
});
