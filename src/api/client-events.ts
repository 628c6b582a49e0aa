/** What the client tells its listeners (retries, exchanges for --verbose) and its counters. Never a header or the token. */
import type { HttpMethod } from './errors.js';

export interface RetryEvent {
  method: HttpMethod;
  path: string;
  /** `?page=2&size=100`, or empty. */
  query: string;
  /** Which retry this is: 1 for the first. */
  attempt: number;
  /** The attempt about to be made (attempt + 1) and the most there will be (retries + 1). */
  nextAttempt: number;
  maxAttempts: number;
  delayMs: number;
  /** What happened, without method and path: `answered 503`, `failed: connection refused by ...`. */
  outcome: string;
  /** The full error message. */
  reason: string;
}

export interface ExchangeEvent {
  method: HttpMethod;
  path: string;
  /** `?page=2&size=100`, or empty. */
  query: string;
  /** 1 for the first try of a request. */
  attempt: number;
  /** The status answered, or undefined when none arrived. */
  status: number | undefined;
  /** Why no answer arrived: an error code (`ECONNRESET`, `TIMEOUT`, `PROXY_407`, `CANCELLED` when abandoned...), else undefined. */
  failure: string | undefined;
  /** From sending the request to the end of the answer's body (or the failure). */
  ms: number;
  /** Bytes of the answer's body; undefined when none arrived. */
  bytes: number | undefined;
}

export interface ClientStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  byMethod: Record<HttpMethod, number>;
}
