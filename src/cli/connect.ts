/** Connection options shared by every command that talks to the API, and turning them into a client. */
import { Option, type Command } from 'commander';
import { QualyticsClient } from '../api/client.js';
import { resolveConnection, type ConnectionFlags } from '../api/credentials.js';
import { proxyFor } from '../api/dispatcher.js';
import { UserError } from './errors.js';
import type { Io } from './io.js';
import { isVerbose, networkListeners } from './network-log.js';
import { VERSION } from './version.js';

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'Qualytics deployment URL (default: $QUALYTICS_URL, then ~/.qualytics/config.yaml)')
    .option('--token-file <file>', 'read the API token from this file (default: $QUALYTICS_TOKEN, then ~/.qualytics/config.yaml)')
    .option('--timeout <seconds>', 'per-request timeout in seconds (default: $QUALYTICS_TIMEOUT, then `timeout` in ~/.qualytics/config.yaml, else 30)')
    .option('--allow-insecure-http', 'allow a plain http:// URL for a host other than this machine (the token travels unencrypted)')
    .addOption(new Option('--parallelism <n>', 'API requests in flight at once').default(10).argParser(parsePositiveInt('--parallelism')))
    .addOption(new Option('--request-deadline <seconds>', 'the longest one request may take across its retries; a wait to retry that would end later is not started').default(120).argParser(parsePositiveInt('--request-deadline')))
    .option('--verbose', 'print each HTTP exchange and retry on stderr: method, path, status, time, size; never headers or the token (also: ENRICHCTL_LOG=debug)');
}

export interface ConnectedFlags extends ConnectionFlags {
  parallelism: number;
  /** Seconds; see `ClientOptions.deadlineMs`. */
  requestDeadline?: number;
  verbose?: boolean;
}

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

export function parsePositiveInt(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 1000) {
      throw new UserError(`${flag} takes a whole number from 1 to 1000, not "${value}"`);
    }
    return n;
  };
}
