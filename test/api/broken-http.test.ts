/**
 * Answers that are not the HTTP, or not the JSON, the client can read, from a raw socket server
 * written for this test (node:http cannot send them): each is one clear error naming what is wrong,
 * and one that another attempt would get again is not retried.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { QualyticsClient } from '../../src/api/client.js';

const TOKEN = 'broken-http-test-token';
const PAGE = JSON.stringify({ items: [{ id: 1, name: 'Alpha' }], total: 1, page: 1, size: 100, pages: 1 });

let server: Server | undefined;
let client: QualyticsClient | undefined;
afterEach(async () => {
  await client?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = client = undefined;
});

/** A server that answers every request with `answer` (the raw bytes after the request), counting requests and the headers asked with. */
async function answering(answer: string | Buffer, options: Partial<ConstructorParameters<typeof QualyticsClient>[0]> = {}): Promise<{ requests: string[] }> {
  const requests: string[] = [];
  server = createServer((socket: Socket) => {
    let seen = '';
    socket.on('data', (chunk) => {
      seen += chunk.toString('latin1');
      if (!seen.includes('\r\n\r\n')) return;
      requests.push(seen.slice(0, seen.indexOf('\r\n\r\n')));
      seen = '';
      socket.end(answer);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  client = new QualyticsClient({ baseUrl: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/api`, token: TOKEN, retry: { baseDelayMs: 1, maxDelayMs: 2 }, ...options });
  return { requests };
}

const list = (): Promise<unknown> => client!.listDatastores({ page: 1, size: 100, enrichment_only: false }).catch((e: unknown) => e);

describe('answers that break HTTP: one clear error, not retried', () => {
  const cases: Array<[string, string, string]> = [
    ['a chunk size that is not hex', `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n${PAGE}\r\n0\r\n\r\n`,
      'a malformed HTTP message (invalid character in chunk size)'],
    ['two Content-Lengths that disagree', `HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: ${PAGE.length}\r\n\r\n${PAGE}`,
      'a body whose length is not the Content-Length it declared'],
    ['16 KiB of headers and more', `HTTP/1.1 200 OK\r\n${'x-filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(400)}content-length: ${PAGE.length}\r\n\r\n${PAGE}`,
      'headers larger than enrichctl reads (16 KiB)'],
  ];
  for (const [name, answer, what] of cases) {
    it(name, async () => {
      const { requests } = await answering(answer);
      const err = (await list()) as Error;
      expect(err.message).toMatch(new RegExp(`^GET /datastores failed: 127\\.0\\.0\\.1:\\d+ answered with ${what.replace(/[()]/g, '\\$&')}, which is not HTTP enrichctl can read: a broken server, or a proxy or gateway in between$`));
      expect(requests).toHaveLength(1);
    });
  }
});

describe('an error answer whose page is not read is still its status', () => {
  it('a 503 with a compressed page is retried, and named by its status', async () => {
    const gzip = Buffer.from([0x1f, 0x8b, 0x08, 0x00]);
    const { requests } = await answering(Buffer.concat([Buffer.from(`HTTP/1.1 503 Service Unavailable\r\ncontent-encoding: gzip\r\ncontent-length: ${gzip.length}\r\n\r\n`), gzip]));
    const err = (await list()) as Error;
    expect(err.message).toBe('GET /datastores answered 503 (after 5 attempts): Service Unavailable; its page was not read: the answer is compressed (Content-Encoding: gzip), though enrichctl asks for answers as they are (Accept-Encoding: identity): a proxy or gateway in between may compress it');
    expect(requests).toHaveLength(5);
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('a write answered 502 with a page over the 32 MiB cap may have landed, and is not asked again', async () => {
    const { requests } = await answering(`HTTP/1.1 502 Bad Gateway\r\ncontent-length: ${33 * 1024 * 1024}\r\n\r\n<html>`);
    const err = (await client!.perform(4, { type: 'update_settings', body: { high_count_rollup_threshold: 77 } }).catch((e: unknown) => e)) as Error & { mayHaveLanded: boolean };
    expect(err.message).toBe('PUT /datastores/4 answered 502: Bad Gateway; its page was not read: the answer is larger than 32 MiB; enrichctl refuses answers that large (is the URL that of a Qualytics API?)');
    expect(err.mayHaveLanded).toBe(true);
    expect(requests).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('a write answered 502 with a page that is not UTF-8 may have landed', async () => {
    const page = Buffer.from('<html>Caf\u00e9 down</html>', 'latin1');
    const sizes: Array<number | undefined> = [];
    await answering(Buffer.concat([Buffer.from(`HTTP/1.1 502 Bad Gateway\r\ncontent-length: ${page.length}\r\n\r\n`), page]), { onExchange: (e) => sizes.push(e.bytes) });
    const err = (await client!.perform(4, { type: 'update_settings', body: { high_count_rollup_threshold: 77 } }).catch((e: unknown) => e)) as Error & { mayHaveLanded: boolean };
    expect(err.message).toBe('PUT /datastores/4 answered 502 (after 5 attempts): Bad Gateway; its page was not read: the answer is not UTF-8, as JSON must be: its names would be misread');
    expect(err.mayHaveLanded).toBe(true);
    // --verbose counts the page it read, though it did not use it.
    expect(sizes).toStrictEqual([page.length, page.length, page.length, page.length, page.length]);
  });
});

describe('answers that are not the JSON asked for', () => {
  it('a compressed answer, though the client asked for none, is named as compressed', async () => {
    const gzip = Buffer.from([0x1f, 0x8b, 0x08, 0x00]);
    const { requests } = await answering(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: ${gzip.length}\r\n\r\n`), gzip]));
    const err = (await list()) as Error;
    expect(err.message).toBe('GET /datastores?page=1&size=100&enrichment_only=false: the answer is compressed (Content-Encoding: gzip), though enrichctl asks for answers as they are (Accept-Encoding: identity): a proxy or gateway in between may compress it');
    expect(requests[0]).toMatch(/\r\naccept-encoding: identity\r\n/i);
    expect(requests).toHaveLength(1);
    // The body dropped unread emits an error of its own a moment later: it must be heard (else an uncaught exception).
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('an answer that is not UTF-8 is refused, not read with its names misspelt', async () => {
    const latin1 = Buffer.from(PAGE.replace('Alpha', 'Caf\u00e9'), 'latin1');
    const { requests } = await answering(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${latin1.length}\r\n\r\n`), latin1]));
    const err = (await list()) as Error;
    expect(err.message).toBe('GET /datastores?page=1&size=100&enrichment_only=false: the answer is not UTF-8, as JSON must be: its names would be misread');
    expect(requests).toHaveLength(1);
  });

  it('a byte order mark before the JSON is ignored, as RFC 8259 allows', async () => {
    await answering(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(`\ufeff${PAGE}`)}\r\n\r\n\ufeff${PAGE}`);
    expect(await list()).toStrictEqual(JSON.parse(PAGE));
  });

  it('a 304 is named for what it is, not a redirect', async () => {
    await answering('HTTP/1.1 304 Not Modified\r\n\r\n');
    const err = (await list()) as Error & { hint(): string | undefined };
    expect(err.message).toBe('GET /datastores answered 304: Not Modified, the answer to a conditional request, which enrichctl never makes: a cache or proxy in between answered');
    expect(err.hint()).toBeUndefined();
  });
});
