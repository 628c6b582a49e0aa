/**
 * What the network shows on stderr: retries (on a terminal, or with --verbose), one line per HTTP
 * exchange with --verbose or ENRICHCTL_LOG=debug, and final errors that count the attempts. Against
 * the emulator with scripted faults; times and backoff delays are normalised, never asserted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { manifest, run, workspace, type RunResult } from '../helpers/cli.js';
import { ADMIN_TOKEN, world } from './world.js';

// The plan reads page 1 of both listings (at once, before the manifest), then Orders by id: the
// emulator's list items leave out the enrichment fields. The faults are scripted on that read alone.
const M = manifest('  - datastore: Orders\n    high_count_rollup_threshold: 12\n');
const LISTS = ['/datastores?page=1&size=100&enrichment_only=false', '/datastores?page=1&size=100&enrichment_only=true'];
const READ = '/datastores/1';
const ON_READ = { method: 'GET', pathPattern: '^/api/datastores/1$' };

let em: RunningEmulator;
beforeEach(async () => {
  em = await startEmulator({ seed: world(), listItemsCarryEnrichment: false });
});

/** The exchange lines of the two listings (they run at once: either may end first), then the other lines. */
function listingsThenRest(lines: string[]): { listings: string[]; rest: string[] } {
  return { listings: lines.slice(0, 2).sort(), rest: lines.slice(2) };
}
const LISTED = LISTS.map((l) => `http: GET ${l} -> 200 in N ms (attempt 1, B bytes)`).sort();
const reads = (): number => em.calls().filter((c) => c.path === `/api${READ}`).length;
afterEach(async () => {
  await em.close();
});

async function plan(options: { env?: NodeJS.ProcessEnv; flags?: string[]; stderrTty?: boolean } = {}): Promise<RunResult> {
  const dir = await workspace({ 'm.yaml': M });
  const r = await run(['plan', 'm.yaml', ...(options.flags ?? [])], {
    cwd: dir,
    env: { QUALYTICS_URL: em.url, QUALYTICS_TOKEN: ADMIN_TOKEN, ...options.env },
    stderrTty: options.stderrTty ?? false,
  });
  expect(`${r.stdout}${r.stderr}`).not.toContain(ADMIN_TOKEN);
  return r;
}

/** Milliseconds, backoff delays and the kind of dropped connection vary from run to run. */
function normalise(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l
      .replace(/retrying in [\d.]+ (s|ms)/g, 'retrying in T')
      .replace(/ in \d+ ms \(/g, ' in N ms (')
      .replace(/-> (UND_ERR_SOCKET|ECONNRESET) in/g, '-> RESET in')
      .replace(/\d+ bytes/g, 'B bytes'));
}

describe('--verbose', () => {
  it('prints one line per exchange and announces each retry with the upcoming attempt', async () => {
    em.setFaults({ script: [{ ...ON_READ, status: 503, times: 1 }, { ...ON_READ, reset: true, times: 1 }] });
    const r = await plan({ flags: ['--verbose'] });
    expect(r.code).toBe(0);
    expect(listingsThenRest(normalise(r.stderr))).toStrictEqual({
      listings: LISTED,
      rest: [
        `http: GET ${READ} -> 503 in N ms (attempt 1, B bytes)`,
        `GET ${READ} answered 503; retrying in T (attempt 2 of 5)`,
        `http: GET ${READ} -> RESET in N ms (attempt 2)`,
        `GET ${READ} failed: the connection to 127.0.0.1:${em.port} was closed before an answer arrived; retrying in T (attempt 3 of 5)`,
        `http: GET ${READ} -> 200 in N ms (attempt 3, B bytes)`,
      ],
    });
    // The size is the answer's body, byte for byte.
    const body = await (await fetch(`${em.url}${READ}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).arrayBuffer();
    expect(r.stderr).toContain(`-> 200 in `);
    expect(/-> 200 in \d+ ms \(attempt 3, (\d+) bytes\)/.exec(r.stderr)?.[1]).toBe(String(body.byteLength));
    expect(r.stderr).toMatch(/retrying in \d\.\d s \(attempt 2 of 5\)|retrying in \d+ ms \(attempt 2 of 5\)/);
  });

  it('is also turned on by ENRICHCTL_LOG=debug', async () => {
    const r = await plan({ env: { ENRICHCTL_LOG: 'debug' } });
    expect(r.code).toBe(0);
    expect(listingsThenRest(normalise(r.stderr))).toStrictEqual({ listings: LISTED, rest: [`http: GET ${READ} -> 200 in N ms (attempt 1, B bytes)`] });
  });

  it('prints nothing about the network without it, off a terminal, retries included', async () => {
    em.setFaults({ script: [{ ...ON_READ, status: 503, times: 1 }] });
    const r = await plan();
    expect(r.code).toBe(0);
    expect(reads()).toBe(2);
    expect(r.stderr).toBe('');
  });
});

describe('retries on a terminal', () => {
  it('are announced on a fresh line, without exchange lines', async () => {
    em.setFaults({ script: [{ ...ON_READ, status: 429, retryAfterSeconds: 0, times: 1 }] });
    const r = await plan({ stderrTty: true });
    expect(r.code).toBe(0);
    const announced = r.stderr.split('\n').filter((l) => l.includes('retrying'));
    expect(announced.map((l) => l.replace(/retrying in [\d.]+ (s|ms)/, 'retrying in T'))).toStrictEqual([
      `\r\u001b[2KGET ${READ} answered 429; retrying in T (attempt 2 of 5)`,
    ]);
    expect(r.stderr).not.toContain('http: ');
  });
});

describe('final errors', () => {
  it('count the attempts, and say the server kept failing, when retries ran out', async () => {
    em.setFaults({ script: [{ ...ON_READ, status: 503, times: 10 }] });
    const r = await plan();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: GET \/datastores\/1 answered 503 \(after 5 attempts\)(: .*)?\n {2}= the server kept failing after enrichctl retried; try again later\n$/);
    expect(reads()).toBe(5);
  });

  it('neither count attempts nor claim retries for a 5xx that is not retried', async () => {
    em.setFaults({ script: [{ ...ON_READ, status: 500, times: 1 }] });
    const r = await plan();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: GET \/datastores\/1 answered 500(: .*)?\n$/);
    expect(reads()).toBe(1);
  });

  it('say when the deadline for one request (--request-deadline) ended the retries', async () => {
    em.setFaults({ script: [{ ...ON_READ, status: 429, retryAfterSeconds: 2, times: 10 }] });
    const r = await plan({ flags: ['--request-deadline', '1'] });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: GET \/datastores\/1 answered 429(: .*)?; gave up after the 1 s deadline for one request\n/);
    expect(reads()).toBe(1);
  });

  it('with --verbose, follow the exchange and retry lines', async () => {
    em.setFaults({ script: [{ ...ON_READ, status: 502, times: 2 }, { ...ON_READ, status: 422, times: 1 }] });
    const r = await plan({ flags: ['--verbose'] });
    expect(r.code).toBe(1);
    expect(listingsThenRest(normalise(r.stderr).map((l) => l.replace(/^(error: .*\(after \d+ attempts\)): .*$/, '$1: DETAIL')))).toStrictEqual({
      listings: LISTED,
      rest: [
        `http: GET ${READ} -> 502 in N ms (attempt 1, B bytes)`,
        `GET ${READ} answered 502; retrying in T (attempt 2 of 5)`,
        `http: GET ${READ} -> 502 in N ms (attempt 2, B bytes)`,
        `GET ${READ} answered 502; retrying in T (attempt 3 of 5)`,
        `http: GET ${READ} -> 422 in N ms (attempt 3, B bytes)`,
        'error: GET /datastores/1 answered 422 (after 3 attempts): DETAIL',
      ],
    });
  });
});
