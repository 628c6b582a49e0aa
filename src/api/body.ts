/**
 * Reading an answer's body with a cap: a server (or whatever answers at the URL) that sends hundreds of
 * megabytes is stopped as soon as the count passes the cap, instead of being buffered whole (and, as a
 * network error, downloaded again on each retry).
 */
import { isUtf8 } from 'node:buffer';
import type { Dispatcher } from 'undici';

/** The largest answer enrichctl reads: a full page of 100 datastores is well under 1 MiB. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * The most an answer's headers may take: Node's own default, given to undici by enrichctl rather
 * than read from node:http, which the bundle does not load for undici (scripts/bundle.mjs
 * `unusedBuiltins`).
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * An answer's body: its text, or why it is refused: larger than the cap (`tooLarge`: never read
 * again), or unreadable (compressed, or not UTF-8), which for an error answer leaves only its status;
 * `bytes`: how much of it was read (for --verbose).
 */
export type Body = { text: string } | { refused: string; tooLarge: boolean; bytes: number };

/**
 * The body as text, or refused: compressed (enrichctl asks for answers as they are: transport.ts
 * sends `Accept-Encoding: identity`), as soon as it passes `limit` bytes (a declared content-length
 * over it is refused before reading: the rest is never downloaded, the body is destroyed), or when
 * it is not UTF-8, which JSON is (RFC 8259): decoded anyway, a name in another encoding would become
 * one with U+FFFD in it, a name no datastore has.
 */
export async function readCapped(response: Dispatcher.ResponseData, limit: number): Promise<Body> {
  const header = response.headers['content-encoding'];
  const encoding = (Array.isArray(header) ? header.join(', ') : header)?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    discard(response);
    const named = /^[a-z0-9-]{1,20}$/.test(encoding) ? `Content-Encoding: ${encoding}` : 'Content-Encoding';
    return { refused: `the answer is compressed (${named}), though enrichctl asks for answers as they are (Accept-Encoding: identity): a proxy or gateway in between may compress it`, tooLarge: false, bytes: 0 };
  }
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    discard(response);
    return { refused: tooLarge(limit), tooLarge: true, bytes: 0 };
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) {
      discard(response);
      return { refused: tooLarge(limit), tooLarge: true, bytes };
    }
    chunks.push(chunk);
  }
  // Over loopback a page of 100 datastores (~40 KB) comes as one chunk: decoded where it is, not copied first.
  const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes);
  if (!isUtf8(whole)) return { refused: 'the answer is not UTF-8, as JSON must be: its names would be misread', tooLarge: false, bytes };
  return { text: whole.toString('utf8') };
}

/** The problem text for an answer over the cap. */
function tooLarge(limit: number): string {
  return `the answer is larger than ${limit / (1024 * 1024)} MiB; enrichctl refuses answers that large (is the URL that of a Qualytics API?)`;
}

/**
 * Drops an answer's body unread. undici's body, destroyed without an error, emits one of its own
 * ("Request aborted"): heard here, or it would end the process as an uncaught exception.
 */
export function discard(response: Dispatcher.ResponseData): void {
  response.body.on('error', () => undefined);
  response.body.destroy();
}
