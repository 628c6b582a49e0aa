/**
 * Typed API failures. Both carry what the CLI prints and nothing more: never the token, never a
 * stack. `ApiError` is an HTTP answer the server gave; `NetworkError` is no answer at all.
 */
import { visibleText } from '../core/visible-text.js';
import type { HttpMethod } from '../model/routes.js';

export type { HttpMethod } from '../model/routes.js';

/** One entry of a FastAPI validation error (`{"detail": [{type, loc, msg, input}]}`), without its `input`. */
export interface FieldProblem {
  type: string;
  loc: Array<string | number>;
  msg: string;
}

/**
 * How a detail begins when a web page came back instead of the API's JSON (a single sign-on page, a
 * captive portal, a gateway's error page): the hint below reads it (error-body.ts writes it).
 */
export const WEB_PAGE = "a web page, not the API's JSON";

export class ApiError extends Error {
  /** The server's `detail`, flattened to one line, controls escaped (see core/visible-text.ts); empty when the body had none. */
  readonly detail: string;

  constructor(
    readonly method: HttpMethod,
    /** The path below the base URL, e.g. `/datastores/42`. */
    readonly path: string,
    readonly status: number,
    detail: string,
    /** The base URL the request went to, for hints. */
    readonly baseUrl = '',
    /** A FastAPI validation error's entries (a 422); empty for string details. */
    readonly problems: readonly FieldProblem[] = [],
    /** How many times the request was sent (retries included). */
    readonly attempts = 1,
    /** A write of which an attempt may have landed (no answer, or a 5xx): see `mayHaveLanded` in transport.ts. */
    readonly mayHaveLanded = false,
  ) {
    // The one place server details are read into what the terminal shows: escaped here, once.
    const shown = visibleText(detail);
    super(`${method} ${path} answered ${status}${afterAttempts(attempts)}${shown ? `: ${shown}` : ''}`);
    this.detail = shown;
    this.name = 'ApiError';
  }

  /**
   * The same answer, known to be the last of `attempts` tries; `note` says why there were no more,
   * `mayHaveLanded` whether one of them may have changed the server.
   */
  withAttempts(attempts: number, note?: string, mayHaveLanded = this.mayHaveLanded): ApiError {
    return new ApiError(this.method, this.path, this.status, withNote(this.detail, note), this.baseUrl, this.problems, attempts, mayHaveLanded);
  }

  /** The same answer with every server text passed through `redact` (see redact.ts). */
  redacted(redact: (text: string) => string): ApiError {
    const problems = this.problems.map((p) => ({ ...p, msg: redact(p.msg), loc: p.loc.map((l) => (typeof l === 'string' ? redact(l) : l)) }));
    return new ApiError(this.method, this.path, this.status, redact(this.detail), this.baseUrl, problems, this.attempts, this.mayHaveLanded);
  }

  /** What the user can do about it, when the status says more than the detail. */
  hint(): string | undefined {
    const redirect = this.status >= 300 && this.status < 400 && this.status !== 304;
    if (redirect || this.detail.startsWith(WEB_PAGE)) {
      return `the URL does not answer like the Qualytics API: a web page${redirect ? ' or a redirect (enrichctl follows none)' : ''} came back, as from a sign-in page, a portal or a gateway in between; check that ${this.baseUrl || 'the URL'} is the deployment's API address, and the proxy settings`;
    }
    if (this.status === 401) {
      return 'the API token was refused: check the token in --token-file, QUALYTICS_TOKEN or ~/.qualytics/config.yaml (tokens expire and can be revoked)';
    }
    if (this.status === 404 && this.method === 'GET' && this.path === '/datastores') {
      return `no Qualytics API answers at ${this.baseUrl || 'that URL'}: check that the URL is the deployment's address (e.g. https://your-instance.qualytics.io)`;
    }
    if (this.status === 403 && this.method === 'DELETE') return 'unlinking needs a token of a user with the Admin role';
    if (this.status === 403) return "the token's user needs the team permission named above on that datastore";
    if (this.attempts > 1 && this.status === 429) {
      return 'the server kept asking enrichctl to slow down after it retried; try again later, or lower --parallelism';
    }
    if (this.attempts > 1 && this.status >= 500) return 'the server kept failing after enrichctl retried; try again later';
    return undefined;
  }
}

/**
 * Set on a request that Ctrl-C/SIGTERM stopped before its next attempt: `not-applied` when no
 * attempt reached the server or the server refused each one (so nothing changed), `unknown` when a
 * write went out and its answer never came (or a gateway failed it), so it may have landed.
 */
export type Interruption = 'not-applied' | 'unknown';

export class NetworkError extends Error {
  constructor(
    readonly method: HttpMethod,
    readonly path: string,
    /** What went wrong, e.g. `connection refused by 127.0.0.1:8000`, `no answer within 30 s`. */
    readonly reason: string,
    /** How many times the request was sent (retries included). */
    readonly attempts = 1,
    /** Set when an interrupt, not the network, ended the request. */
    readonly interrupted?: Interruption,
    /** A write of which an attempt may have landed (its answer never came, or a gateway failed it). */
    readonly mayHaveLanded = false,
  ) {
    super(`${method} ${path} failed${afterAttempts(attempts)}: ${reason}`);
    this.name = 'NetworkError';
  }

  /** As `ApiError.withAttempts`. */
  withAttempts(attempts: number, note?: string, mayHaveLanded = this.mayHaveLanded): NetworkError {
    return new NetworkError(this.method, this.path, withNote(this.reason, note), attempts, this.interrupted, mayHaveLanded);
  }

  /** The same failure with its reason passed through `redact` (a proxy's words may quote a header). */
  redacted(redact: (text: string) => string): NetworkError {
    return new NetworkError(this.method, this.path, redact(this.reason), this.attempts, this.interrupted, this.mayHaveLanded);
  }
}

function withNote(text: string, note: string | undefined): string {
  if (note === undefined) return text;
  return text === '' ? note : `${text}; ${note}`;
}

/**
 * The server answered, but the answer cannot be used: a wrong shape (shapes.ts), page counts that
 * do not add up, or a body over the size cap. Never retried; `request` is the method, path and query.
 */
export class UnusableResponseError extends Error {
  constructor(
    readonly method: HttpMethod,
    /** The path below the base URL with its query, e.g. `/datastores?page=2&size=100`. */
    readonly request: string,
    /** What is wrong, e.g. `items[3].id is "x", expected an integer`. */
    readonly problem: string,
    /** The status answered: 2xx for a wrong shape; any for a body over the cap. */
    readonly status: number,
  ) {
    super(`${method} ${request}: ${problem}`);
    this.name = 'UnusableResponseError';
  }
}

function afterAttempts(attempts: number): string {
  return attempts > 1 ? ` (after ${attempts} attempts)` : '';
}
