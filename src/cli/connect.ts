/** The connection options (`connection-options.ts`) turned into a client. */
import { QualyticsClient } from '../api/client.js';
import { requestFirstPages, type FirstPages } from '../api/first-pages.js';
import { resolveConnection } from '../api/credentials.js';
import { proxyFor } from '../api/dispatcher.js';
import { UserError } from './errors.js';
import type { Io } from './io.js';
import { isVerbose, networkListeners } from './network-log.js';
import { VERSION } from './version.js';
import type { ConnectedFlags } from './connection-options.js';

export async function connect(flags: ConnectedFlags, io: Io): Promise<QualyticsClient> {
  const result = await resolveConnection(flags, io.env, io.cwd);
  if (!result.ok) throw new UserError(result.problem);
  for (const w of result.connection.warnings) io.stderr.write(`Warning: ${w}\n`);
  const { baseUrl, token, timeoutMs, verifyTls } = result.connection;
  const route = proxyFor(new URL(baseUrl), io.env);
  if (!route.ok) throw new UserError(route.problem);
  return new QualyticsClient({
    baseUrl,
    token,
    timeoutMs,
    verifyTls,
    proxy: route.proxy,
    maxInFlight: flags.parallelism,
    deadlineMs: (flags.requestDeadline ?? 120) * 1000,
    signal: io.signal,
    userAgent: `enrichctl/${VERSION}`,
    onNotice: (message) => io.stderr.write(`Note: ${message}\n`),
    ...networkListeners(io, isVerbose(flags.verbose, io.env)),
  });
}

/**
 * Runs `work` with the client, then closes it: gracefully once the work is done (at once all the
 * same when it abandoned requests: transport.ts `close`), at once when it failed or the run was
 * interrupted (a request still in flight then, a page that never answers,
 * would only be waited for until its timeout).
 */
export async function withClient<T>(client: QualyticsClient, io: Io, work: () => Promise<T>): Promise<T> {
  let done = false;
  try {
    const result = await work();
    done = true;
    return result;
  } finally {
    await (done && !io.signal.aborted ? client.close() : client.destroy());
  }
}

/**
 * How long the manifests wait for the first requests to reach the wire: a connection is usually
 * open in a few round trips; one that is not (an unreachable host) delays the manifests'
 * diagnostics by no more than this, and the requests then go out once the manifests are read.
 */
const FIRST_WRITE_WAIT_MS = 200;

/**
 * Sends the first round trip of a plan (page 1 of both listings) and waits until it is written to
 * its connections (FIRST_WRITE_WAIT_MS at most): the connection opens asynchronously, and what comes
 * next (loading the planner and the manifests' reader, reading the manifests) is synchronous work
 * during which nothing else would move.
 */
export async function sendFirstPages(client: QualyticsClient): Promise<FirstPages> {
  const first = requestFirstPages(client);
  await writtenOrLater(first.written);
  return first;
}

/**
 * Once the manifests are parsed and before they are checked: starts the rest of the source listing
 * when page 1 is in and says it is the cheaper read for this many declared datastores, and lets
 * those requests reach the wire (FIRST_WRITE_WAIT_MS at most) before the checks, which are
 * synchronous, run. Two turns of the event loop: the first ends the current one, the second follows
 * a poll for what has arrived.
 */
export async function prefetchSources(first: FirstPages, declared: number): Promise<void> {
  first.prefetchSources(declared);
  for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  await writtenOrLater(first.prefetchWritten());
}

async function writtenOrLater(written: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([written, new Promise<void>((resolve) => { timer = setTimeout(resolve, FIRST_WRITE_WAIT_MS); })]);
  clearTimeout(timer);
}
