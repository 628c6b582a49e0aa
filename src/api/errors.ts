/**
 * Typed API failures. Both carry what the CLI prints and nothing more: never the token, never a
 * stack. `ApiError` is an HTTP answer the server gave; `NetworkError` is no answer at all.
 */
export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'DELETE';

export class ApiError extends Error {
  constructor(
    readonly method: HttpMethod,
    /** The path below the base URL, e.g. `/datastores/42`. */
    readonly path: string,
    readonly status: number,
    /** The server's `detail`, flattened to one line; empty when the body had none. */
    readonly detail: string,
  ) {
    super(`${method} ${path} answered ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'ApiError';
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
