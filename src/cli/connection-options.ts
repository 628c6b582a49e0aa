/**
 * The connection options every command that talks to the API takes: only what commander needs to
 * build the command tree, so that `--help` and offline commands never load the HTTP client
 * (`connect.ts` turns them into one).
 */
import { Option, type Command } from 'commander';
import type { ConnectionFlags } from '../api/credentials.js';
import { UserError } from './errors.js';

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

export function parsePositiveInt(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 1000) {
      throw new UserError(`${flag} takes a whole number from 1 to 1000, not "${value}"`);
    }
    return n;
  };
}
