/** The connection options (`connection-options.ts`) turned into a client. */
import { QualyticsClient } from '../api/client.js';
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

/** Closes the client: gracefully, or at once when the run was interrupted. */
export async function release(client: QualyticsClient, io: Io): Promise<void> {
  await (io.signal.aborted ? client.destroy() : client.close());
}
