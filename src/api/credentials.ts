/**
 * Where the URL, token and transport settings come from, highest precedence first:
 *   URL:   --url, QUALYTICS_URL, `url` in ~/.qualytics/config.yaml
 *   token: --token-file, QUALYTICS_TOKEN, `token` in ~/.qualytics/config.yaml
 *   TLS:   verified unless the official CLI's config says `ssl_verify: false`
 *   timeout (seconds): --timeout, QUALYTICS_TIMEOUT, `timeout` in the config file, else 30
 * The config file is the official qualytics-cli's, so a user who already ran `qualytics init` needs
 * nothing more. Errors name the source that was wrong, never the token's value.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { OfficialConfig } from './official-config.js';
import { readSmallFile } from './small-file.js';
import { checkBaseUrl, normaliseBaseUrl } from './url.js';

export interface ConnectionFlags {
  url?: string;
  tokenFile?: string;
  timeout?: string;
  allowInsecureHttp?: boolean;
}

export interface Connection {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  verifyTls: boolean;
  /** Things the user should know (plain http, TLS verification off); printed on stderr. */
  warnings: string[];
}

export type ConnectionResult = { ok: true; connection: Connection } | { ok: false; problem: string };

/** The longest per-request timeout, in seconds: --request-deadline's bound. */
export const MAX_TIMEOUT_SECONDS = 1000;

export function officialConfigPath(env: NodeJS.ProcessEnv): string {
  return join(env.HOME || homedir(), '.qualytics', 'config.yaml');
}

/** `cwd` resolves a relative --token-file. */
export async function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
  now: number = Date.now(),
): Promise<ConnectionResult> {
  const configPath = officialConfigPath(env);
  const config = await readOfficialConfig(configPath);
  if ('problem' in config) return { ok: false, problem: config.problem };

  const rawUrl = flags.url ?? nonEmpty(env.QUALYTICS_URL) ?? (typeof config.url === 'string' ? config.url : undefined);
  if (!rawUrl) {
    return {
      ok: false,
      problem: 'no Qualytics URL: pass --url, set QUALYTICS_URL (e.g. https://your-instance.qualytics.io), or run the official CLI\'s `qualytics init` to write ~/.qualytics/config.yaml',
    };
  }
  const baseUrl = normaliseBaseUrl(rawUrl);
  const checked = checkBaseUrl(baseUrl, flags.allowInsecureHttp ?? false);
  if (!checked.ok) return { ok: false, problem: checked.problem };
  const warnings = checked.warning ? [checked.warning] : [];
  // The config file's token and ssl_verify belong to the URL written beside them, never to another host.
  const configUrl = typeof config.url === 'string' && config.url.trim() !== '' ? normaliseBaseUrl(config.url) : undefined;
  // Compared as URLs: the scheme's and host's case and a default port do not make another host.
  const configApplies = configUrl !== undefined && sameUrl(configUrl, baseUrl);

  let token: string | undefined;
  let tokenSource: string;
  if (flags.tokenFile !== undefined) {
    tokenSource = `--token-file ${flags.tokenFile}`;
    const read = readSmallFile(resolve(cwd, flags.tokenFile));
    if (!read.ok) return { ok: false, problem: `cannot read the token file ${flags.tokenFile}: ${read.problem}` };
    token = read.text.trim();
    if (!token) return { ok: false, problem: `the token file ${flags.tokenFile} is empty` };
  } else if (nonEmpty(env.QUALYTICS_TOKEN)) {
    tokenSource = 'QUALYTICS_TOKEN';
    token = env.QUALYTICS_TOKEN!.trim();
  } else {
    tokenSource = configPath;
    token = typeof config.token === 'string' ? config.token.trim() : undefined;
    if (token && !configApplies) {
      return {
        ok: false,
        problem: `no API token for ${baseUrl}: the token in ${configPath} is for ${configUrl ?? 'no URL (the file names none)'}, and enrichctl never sends it to another host; set QUALYTICS_TOKEN or pass --token-file FILE`,
      };
    }
  }
  if (!token) {
    return {
      ok: false,
      problem: 'no API token: set QUALYTICS_TOKEN or pass --token-file FILE (create a token in Qualytics under Settings > Tokens)',
    };
  }
  if (/[\r\n]/.test(token)) return { ok: false, problem: `the token from ${tokenSource} spans several lines; it must be one line` };
  const expiry = jwtExpiry(token);
  if (expiry !== undefined && expiry * 1000 <= now) {
    return {
      ok: false,
      problem: `the API token from ${tokenSource} expired on ${new Date(expiry * 1000).toISOString()}; create a new one in Qualytics (Settings > Tokens)`,
    };
  }

  const timeoutText = flags.timeout ?? nonEmpty(env.QUALYTICS_TIMEOUT) ?? (config.timeout !== undefined ? String(config.timeout) : undefined);
  let timeoutMs = 30_000;
  if (timeoutText !== undefined) {
    const seconds = Number(timeoutText);
    // At most --request-deadline's own bound: a longer wait is no timeout (and past ~24.8 days Node's timers refuse it).
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS) {
      return { ok: false, problem: `the timeout "${timeoutText}" is not a number of seconds above 0 and up to ${MAX_TIMEOUT_SECONDS}` };
    }
    timeoutMs = Math.round(seconds * 1000);
  }

  const verifyTls = !(configApplies && config.ssl_verify === false);
  if (!verifyTls && checked.url.protocol === 'https:') {
    warnings.push(`TLS certificate verification is off (ssl_verify: false in ${configPath})`);
  }
  return { ok: true, connection: { baseUrl, token, timeoutMs, verifyTls, warnings } };
}

async function readOfficialConfig(path: string): Promise<OfficialConfig | { problem: string }> {
  const read = readSmallFile(path);
  if (!read.ok) return {}; // No config file is the common case (and one that cannot be read is none).
  return (await import('./official-config.js')).parseOfficialConfig(path, read.text);
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

/** The `exp` claim of a JWT, or undefined when the token is not a JWT or has none. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (typeof claims === 'object' && claims !== null && 'exp' in claims && typeof claims.exp === 'number') return claims.exp;
  } catch {
    // Not a JWT: service tokens may be opaque.
  }
  return undefined;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v : undefined;
}

