/** The connection options (`connection-options.ts`) turned into a client. */
import { QualyticsClient } from '../api/client.js';
import { monotonicMs } from '../core/clock.js';
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
 * Runs `work` with the client, then closes it: gracefully once the work is done, at once when it
 * failed or the run was interrupted (a request still in flight then, a page that never answers,
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
 * How long the manifests wait for requests to reach the wire, in all, from when the first pages are
 * sent: a connection is usually open in a few round trips; one that is not (an unreachable host, a
 * proxy slow to open tunnels) delays the manifests' diagnostics by no more than this, and the
 * requests then go out once the manifests are read.
 */
const WRITE_WAIT_MS = 200;

/**
 * Lets the network move before synchronous work (loading the planner and the manifests' reader,
 * reading the manifests), during which nothing else would: the event loop polls for I/O once, so
 * that answers that arrived are read and what they lead to is sent, then waits until the requests
 * sent are written to their connections, which open asynchronously, while WRITE_WAIT_MS since
 * `first` was sent last.
 */
export async function letNetworkMove(client: QualyticsClient, first: FirstPages): Promise<void> {
  await client.onWire(first.sentAt + WRITE_WAIT_MS - monotonicMs());
}

/** Sends the first round trip of a plan (page 1 of both listings), and lets it reach the wire. */
export async function sendFirstPages(client: QualyticsClient): Promise<FirstPages> {
  const first = requestFirstPages(client);
  await letNetworkMove(client, first);
  return first;
}
