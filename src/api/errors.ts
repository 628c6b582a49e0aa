/**
 * Typed API failures. Both carry what the CLI prints and nothing more: never the token, never a
 * stack. `ApiError` is an HTTP answer the server gave; `NetworkError` is no answer at all.
 */
export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'DELETE';

/** One entry of a FastAPI validation error (`{"detail": [{type, loc, msg, input}]}`), without its `input`. */
export interface FieldProblem {
  type: string;
  loc: Array<string | number>;
  msg: string;
}

export class ApiError extends Error {
  constructor(
    readonly method: HttpMethod,
    /** The path below the base URL, e.g. `/datastores/42`. */
    readonly path: string,
    readonly status: number,
    /** The server's `detail`, flattened to one line; empty when the body had none. */
    readonly detail: string,
    /** The base URL the request went to, for hints. */
    readonly baseUrl = '',
    /** A FastAPI validation error's entries (a 422); empty for string details. */
    readonly problems: readonly FieldProblem[] = [],
  ) {
    super(`${method} ${path} answered ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'ApiError';
  }

  /** What the user can do about it, when the status says more than the detail. */
  hint(): string | undefined {
    if (this.status === 401) {
      return 'the API token was refused: check the token in --token-file, QUALYTICS_TOKEN or ~/.qualytics/config.yaml (tokens expire and can be revoked)';
    }
    if (this.status === 404 && this.method === 'GET' && this.path === '/datastores') {
      return `no Qualytics API answers at ${this.baseUrl || 'that URL'}: check that the URL is the deployment's address (e.g. https://your-instance.qualytics.io)`;
    }
    if (this.status === 403 && this.method === 'DELETE') return 'unlinking needs a token of a user with the Admin role';
    if (this.status === 403) return "the token's user needs the team permission named above on that datastore";
    if (this.status >= 500) return 'the server kept failing after enrichctl retried; try again later';
    return undefined;
  }
}

export class NetworkError extends Error {
  constructor(
    readonly method: HttpMethod,
    readonly path: string,
    /** What went wrong, e.g. `connection refused by 127.0.0.1:8000`, `no answer within 30 s`. */
    readonly reason: string,
  ) {
    super(`${method} ${path} failed: ${reason}`);
    this.name = 'NetworkError';
  }
}
