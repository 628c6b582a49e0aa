/**
 * What enrichctl says on stderr about the network: each retry (on a terminal, or with --verbose) and,
 * with --verbose or ENRICHCTL_LOG=debug, one line per HTTP exchange. Only methods, paths, queries,
 * statuses, error codes, times and sizes: never a header, never the token.
 */
import type { ExchangeEvent, RetryEvent } from '../api/client.js';
import type { Io } from './io.js';

/** `GET /datastores?page=3 answered 503; retrying in 1.2 s (attempt 2 of 5)` */
export function formatRetry(e: RetryEvent): string {
  return `${e.method} ${e.path}${e.query} ${e.outcome}; retrying in ${formatDelay(e.delayMs)} (attempt ${e.nextAttempt} of ${e.maxAttempts})`;
}

/** `http: GET /datastores?page=1&size=100 -> 200 in 12 ms (attempt 1, 2345 bytes)` */
export function formatExchange(e: ExchangeEvent): string {
  const result = e.status !== undefined ? String(e.status) : (e.failure ?? 'ERROR');
  const size = e.bytes !== undefined ? `, ${e.bytes} bytes` : '';
  return `http: ${e.method} ${e.path}${e.query} -> ${result} in ${Math.round(e.ms)} ms (attempt ${e.attempt}${size})`;
}

function formatDelay(ms: number): string {
  return ms < 50 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** --verbose, or ENRICHCTL_LOG=debug in the environment. */
export function isVerbose(flag: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  return flag === true || env.ENRICHCTL_LOG?.trim().toLowerCase() === 'debug';
}

export interface NetworkListeners {
  onRetry?: (event: RetryEvent) => void;
  onExchange?: (event: ExchangeEvent) => void;
}

/**
 * The client's listeners for this run. Retries are announced on a terminal (where a progress line
 * may be showing, so the line is cleared first) and with --verbose; exchanges only with --verbose.
 * Without either, no listener is installed and the client measures nothing.
 */
export function networkListeners(io: Io, verbose: boolean): NetworkListeners {
  const tty = io.stderr.isTTY === true;
  const write = (line: string): void => {
    io.stderr.write(`${tty ? '\r\u001b[2K' : ''}${line}\n`);
  };
  const listeners: NetworkListeners = {};
  if (tty || verbose) listeners.onRetry = (e) => write(formatRetry(e));
  if (verbose) listeners.onExchange = (e) => write(formatExchange(e));
  return listeners;
}
