/**
 * One logical request to the Qualytics API, as everything in api/ sends it: undici with keep-alive,
 * a bounded number of requests in flight, a timeout per attempt, retries (see retry.ts for why
 * retrying writes is safe), a deadline across them, directly or through a proxy (dispatcher.ts).
 * Every failure becomes an `ApiError` (the server answered) or a `NetworkError` (it did not);
 * neither ever holds the token: every text that came from the network, answers and errors alike,
 * passes through one redaction step (redact.ts) in `send`.
 *
 * A request stops at the interrupt `signal`: no attempt starts after it, and a back-off or
 * Retry-After wait ends at once.
 */
import type { Dispatcher } from 'undici';
import type { HttpMethod } from '../model/routes.js';
import { ApiError, NetworkError, UnusableResponseError } from './errors.js';
import { apiError, CERTIFICATE_CODES, formatSeconds, malformedAnswer, networkReason, NOT_TLS_CODES } from './error-body.js';
import { makeRedactor, type Redactor } from './redact.js';
import { Semaphore, sleep, untilAborted } from './waiting.js';
import type { ClientStats, ExchangeEvent, RetryEvent } from './client-events.js';
import { createRoute, describeProxyFailure, errorCode, proxyRefusalStatus, type DispatcherOptions, type ProxySetting, type Route } from './dispatcher.js';
import { MAX_BODY_BYTES, readCapped, type Body } from './body.js';
import { DEFAULT_RETRY_POLICY, RETRYABLE_STATUSES, backoffMs, parseRetryAfter, type RetryPolicy } from './retry.js';

export interface TransportOptions {
  /** Normalised base URL ending in `/api` (see url.ts). */
  baseUrl: string;
  token: string;
  /** Per attempt; default 30 s (QUALYTICS_TIMEOUT). */
  timeoutMs?: number;
  /**
   * The longest one request may take across its retries; default 2 minutes. A back-off or
   * Retry-After wait that would end past it is not started: the request fails with its last answer.
   */
  deadlineMs?: number;
  /** Aborted on Ctrl-C/SIGTERM: no attempt starts after it; waits to retry end at once. */
  signal?: AbortSignal;
  /** Requests in flight at once (and pooled connections); default 10. */
  maxInFlight?: number;
  retry?: Partial<RetryPolicy>;
  /** TLS certificate verification; only the official CLI's `ssl_verify: false` turns it off. */
  verifyTls?: boolean;
  userAgent?: string;
  /** The forward proxy to go through (see `proxyFor`); none by default. */
  proxy?: ProxySetting;
  /** Told about each retry, e.g. to print progress. Never given the token. */
  onRetry?: (event: RetryEvent) => void;
  /** Told about each HTTP exchange (every attempt), e.g. for --verbose. Never given a header. */
  onExchange?: (event: ExchangeEvent) => void;
  /** For tests: the jitter source. */
  random?: () => number;
}

/** What one request may add to the transport's own settings. */
export interface SendOptions {
  /** Abandons this request: no attempt starts after it, and the one on the wire is dropped. */
  signal?: AbortSignal;
  /** Told when an attempt has been written to its connection: the server has it from then on. */
  onWritten?: () => void;
}

export class Transport {
  readonly baseUrl: string;
  readonly #token: string;
  /** Created with the first request (loading undici then, not when the client is built). */
  #route: Promise<Route> | undefined;
  readonly #routeOptions: DispatcherOptions;
  readonly #origin: string;
  /** `host:port` of the Qualytics host, for messages about the proxy. */
  readonly #target: string;
  readonly #proxy: ProxySetting | undefined;
  readonly #basePath: string;
  readonly #timeoutMs: number;
  readonly #deadlineMs: number;
  readonly #signal: AbortSignal | undefined;
  /** For error texts: every form of the token becomes `[redacted]`. */
  readonly #redact: Redactor;
  /** For answers that succeeded: the same, unless the token is too short to be told from data. */
  readonly #redactAnswer: Redactor;
  /** Attempts on the wire right now (not those waiting for a slot or to retry). */
  #active = 0;
  #destroyed = false;
  /** A request was abandoned by its own signal on its way: its connection may still be opening. */
  #abandoned = false;
  readonly #policy: RetryPolicy;
  readonly #userAgent: string;
  readonly #onRetry: ((event: RetryEvent) => void) | undefined;
  readonly #onExchange: ((event: ExchangeEvent) => void) | undefined;
  readonly #random: () => number;
  readonly #slots: Semaphore;
  readonly #stats: ClientStats = { requests: 0, retries: 0, byMethod: { GET: 0, PUT: 0, PATCH: 0, DELETE: 0 } };

  constructor(options: TransportOptions) {
    const url = new URL(options.baseUrl);
    this.baseUrl = options.baseUrl;
    this.#token = options.token;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.#signal = options.signal;
    this.#redact = makeRedactor(options.token);
    this.#redactAnswer = options.token.length >= MIN_REDACTED_IN_ANSWERS ? this.#redact : (text) => text;
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#userAgent = options.userAgent ?? 'enrichctl';
    this.#onRetry = options.onRetry;
    this.#onExchange = options.onExchange;
    this.#random = options.random ?? Math.random;
    const maxInFlight = Math.max(1, options.maxInFlight ?? 10);
    this.#slots = new Semaphore(maxInFlight);
    this.#origin = url.origin;
    this.#target = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
    this.#proxy = options.proxy;
    this.#routeOptions = { origin: url.origin, connections: maxInFlight, verifyTls: options.verifyTls ?? true, proxy: options.proxy, timeoutMs: this.#timeoutMs };
  }

  /** How many requests are on the wire now (for "waiting for 3 requests in flight"). */
  inFlight(): number {
    return this.#active;
  }

  /** How many requests sent now would go out at once rather than wait for one in flight to end. */
  freeSlots(): number {
    return this.#slots.free;
  }

  stats(): ClientStats {
    return { ...this.#stats, byMethod: { ...this.#stats.byMethod } };
  }

  /** Closes the connections once the requests in flight end, or at once after one was abandoned (nothing to do after `destroy`). */
  async close(): Promise<void> {
    if (this.#destroyed || !this.#route) return;
    // A graceful close waits for connections still opening (through a proxy that never answers a
    // CONNECT: until the timeout): after an abandoned request, nothing is worth that wait.
    if (this.#abandoned) return this.destroy();
    await (await this.#route).dispatcher.close();
  }

  /** Drops every connection now, requests in flight included (after an interrupt). */
  async destroy(): Promise<void> {
    this.#destroyed = true;
    if (this.#route) await (await this.#route).dispatcher.destroy();
  }

  /**
   * One logical request: waits for a slot, then tries until success, a permanent error, the retries
   * or the deadline run out, or an interrupt. Every outcome is redacted here, before anyone sees it.
   */
  async send(method: HttpMethod, path: string, query: string, body?: unknown, options: SendOptions = {}): Promise<{ status: number; text: string }> {
    const signal = options.signal && this.#signal ? AbortSignal.any([this.#signal, options.signal]) : (options.signal ?? this.#signal);
    await this.#slots.acquire();
    try {
      const maxAttempts = this.#policy.retries + 1;
      const deadline = monotonicMs() + this.#deadlineMs;
      // Whether an attempt of this write may have landed: it was sent and got no answer, or a gateway's 5xx.
      let mayHaveLanded = false;
      for (let attempt = 0; ; attempt++) {
        if (signal?.aborted) throw interrupted(method, path, attempt, mayHaveLanded);
        this.#active++;
        let outcome: Outcome;
        // An attempt ends by the deadline too: one never outlasts it.
        const left = deadline - monotonicMs();
        try {
          outcome = this.#redactOutcome(await this.#attempt(method, path, query, body, attempt + 1, options, Math.max(1, Math.floor(Math.min(this.#timeoutMs, left)))));
        } finally {
          this.#active--;
        }
        if (outcome.kind === 'ok') return outcome;
        if (method !== 'GET' && (outcome.kind === 'network' ? outcome.sent : outcome.status >= 500)) mayHaveLanded = true;
        const error = outcome.error;
        const retryable = outcome.kind === 'network' ? outcome.retryable : RETRYABLE_STATUSES.has(outcome.status) && !outcome.final;
        if (!retryable || attempt >= this.#policy.retries) throw error.withAttempts(attempt + 1, undefined, mayHaveLanded);
        if (signal?.aborted) throw interrupted(method, path, attempt + 1, mayHaveLanded);
        // Destroyed after the run failed (cli/connect.ts withClient): nothing is tried again.
        if (this.#destroyed) throw error.withAttempts(attempt + 1, undefined, mayHaveLanded);
        let delay = backoffMs(attempt, this.#policy, this.#random);
        if (outcome.kind === 'status' && outcome.retryAfterMs !== undefined) {
          if (outcome.retryAfterMs > this.#policy.maxRetryAfterMs) {
            throw new ApiError(method, path, outcome.status,
              `${error instanceof ApiError ? error.detail : ''} (the server asked to retry after ${Math.round(outcome.retryAfterMs / 1000)} s, longer than enrichctl waits; try again later)`.trim(),
              this.baseUrl, [], attempt + 1, mayHaveLanded);
          }
          delay = Math.max(delay, outcome.retryAfterMs);
        }
        if (monotonicMs() + delay > deadline) {
          throw error.withAttempts(attempt + 1, `gave up after the ${formatSeconds(this.#deadlineMs)} deadline for one request`, mayHaveLanded);
        }
        this.#stats.retries++;
        this.#onRetry?.({
          method,
          path,
          query,
          attempt: attempt + 1,
          nextAttempt: attempt + 2,
          maxAttempts,
          delayMs: delay,
          outcome: outcome.kind === 'status' ? `answered ${outcome.status}` : `failed: ${outcome.error.reason}`,
          reason: error.message,
        });
        await sleep(delay, signal);
      }
    } finally {
      this.#slots.release();
    }
  }

  /**
   * The redaction step's second half, for a JSON answer once parsed (client.ts): a text with escapes
   * (`\/`, `\"`, `\uXXXX`) may spell the token in a form the text's redaction cannot see, so every
   * string of its value is redacted too, or the answer is refused (`ok: false`) when that cannot be
   * done. Without a backslash the parsed strings are the text's own.
   */
  redactParsed(text: string, value: unknown): { ok: true; value: unknown } | { ok: false } {
    if (!text.includes('\\')) return { ok: true, value };
    const clean = (v: unknown): boolean => {
      const plain = JSON.stringify(v);
      return this.#redactAnswer(plain) === plain;
    };
    try {
      // JSON.stringify (native) spells every string with the fewest escapes, a form the redactor
      // knows: only an answer that holds the token is parsed again, each string redacted on the way.
      if (clean(value)) return { ok: true, value };
      const redacted: unknown = JSON.parse(text, (_key, v: unknown) => (typeof v === 'string' ? this.#redactAnswer(v) : v));
      // What a reviver cannot reach (a key) is not redacted: such an answer is not used.
      return clean(redacted) ? { ok: true, value: redacted } : { ok: false };
    } catch {
      // Nested deeper than the stack goes (a hostile answer): not used either.
      return { ok: false };
    }
  }

  /** The redaction step: the answer's text (read by everything downstream) and the error's texts. */
  #redactOutcome(outcome: Outcome): Outcome {
    switch (outcome.kind) {
      case 'ok':
        return { ...outcome, text: this.#redactAnswer(outcome.text) };
      case 'status':
        return { ...outcome, error: outcome.error.redacted(this.#redact) };
      case 'network':
        return { ...outcome, error: outcome.error.redacted(this.#redact) };
      default: {
        const unreachable: never = outcome;
        return unreachable;
      }
    }
  }

  /** `limitMs`: the timeout, or what is left of the deadline when that is less (the attempt is then the last). */
  async #attempt(method: HttpMethod, path: string, query: string, body: unknown, attempt: number, options: SendOptions, limitMs: number): Promise<Outcome> {
    this.#stats.requests++;
    this.#stats.byMethod[method]++;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#token}`,
      accept: 'application/json',
      // Answers as they are: a server may compress for a client that names no encoding (RFC 9110 12.5.3).
      'accept-encoding': 'identity',
      'user-agent': this.#userAgent,
    };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    this.#route ??= createRoute(this.#routeOptions);
    const route = await this.#route;
    const started = this.#onExchange ? monotonicMs() : 0;
    const exchanged = (status: number | undefined, failure: string | undefined, answer: Body | undefined): void => {
      this.#onExchange?.({
        method, path, query, attempt, status, failure,
        ms: monotonicMs() - started,
        bytes: answer === undefined ? undefined : 'refused' in answer ? answer.bytes : Buffer.byteLength(answer.text),
      });
    };
    const timeout = AbortSignal.timeout(limitMs);
    const byDeadline = limitMs < this.#timeoutMs;
    // Whether the request reached its connection whole: only then can a failure have left it landed.
    let sent = false;
    const onWritten = (): void => {
      sent = true;
      options.onWritten?.();
    };
    const failed = (err: unknown): Outcome => {
      if (options.signal?.aborted) {
        this.#abandoned = true;
        exchanged(undefined, 'CANCELLED', undefined);
        return { kind: 'network', retryable: false, sent, error: new NetworkError(method, path, 'cancelled') };
      }
      const refusal = proxyRefusalStatus(err);
      exchanged(undefined, timeout.aborted ? 'TIMEOUT' : refusal !== undefined ? `PROXY_${refusal}` : (errorCode(err) ?? 'ERROR'), undefined);
      if (timeout.aborted && byDeadline) {
        const reason = `no answer before the ${formatSeconds(this.#deadlineMs)} deadline for one request (raise --request-deadline if the server is slow)`;
        return { kind: 'network', retryable: false, sent, error: new NetworkError(method, path, reason) };
      }
      const reason = (!timeout.aborted && this.#proxy ? describeProxyFailure(err, this.#proxy, this.#target) : undefined)
        ?? networkReason(err, timeout, this.#timeoutMs, this.baseUrl);
      return { kind: 'network', retryable: timeout.aborted || !isPermanentFailure(err), sent, error: new NetworkError(method, path, reason) };
    };
    const requestSignal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    let response: Dispatcher.ResponseData;
    try {
      response = await untilAborted(route.request({
        origin: this.#origin,
        method,
        path: `${this.#basePath}${path}${query}`,
        headers,
        body: payload,
        signal: requestSignal,
      }, onWritten), requestSignal);
    } catch (err) {
      return failed(err);
    }
    let answer: Body;
    try {
      answer = await readCapped(response, MAX_BODY_BYTES);
    } catch (err) {
      return failed(err);
    }
    const status = response.statusCode;
    const ok = status >= 200 && status < 300;
    // A success that cannot be used is thrown, not retried: another attempt would get the same. An
    // error answer whose page cannot be read is still its status (a write's 5xx may have landed), and
    // one over the cap is not asked again.
    if ('refused' in answer && ok) {
      exchanged(status, 'REFUSED', answer);
      throw new UnusableResponseError(method, `${path}${query}`, answer.refused, status);
    }
    if (this.#onExchange) exchanged(status, undefined, answer);
    if (ok && 'text' in answer) return { kind: 'ok', status, text: answer.text };
    return {
      kind: 'status',
      status,
      retryAfterMs: parseRetryAfter(headerValue(response.headers['retry-after'])),
      error: apiError(method, path, status, answer, this.baseUrl, this.#redact, headerValue(response.headers.location)),
      final: 'refused' in answer && answer.tooLarge,
    };
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

type Outcome =
  | { kind: 'ok'; status: number; text: string }
  /** `final`: not to be asked again (its page was over the cap). */
  | { kind: 'status'; status: number; retryAfterMs: number | undefined; error: ApiError; final: boolean }
  /** `sent`: the request was written whole before it failed. */
  | { kind: 'network'; retryable: boolean; sent: boolean; error: NetworkError };

/**
 * Failures another attempt cannot mend: an https URL that a plain-http server answers, a
 * certificate that does not verify, a proxy that wants credentials or whose policy forbids the
 * host (407, 403 to CONNECT), a host name that does not exist
 * (ENOTFOUND: the name server answered that no such name exists; a lookup that failed for now is
 * EAI_AGAIN, and is tried again), an answer that breaks HTTP (error-body.ts `malformedAnswer`).
 */
function isPermanentFailure(err: unknown): boolean {
  const code = errorCode(err);
  const refusal = proxyRefusalStatus(err);
  return (code !== undefined && (CERTIFICATE_CODES.has(code) || NOT_TLS_CODES.has(code) || code === 'ENOTFOUND')) || refusal === 407 || refusal === 403
    || malformedAnswer(err) !== undefined;
}

/** A request an interrupt stopped before its next attempt (`attempts` already made). */
function interrupted(method: HttpMethod, path: string, attempts: number, mayHaveLanded: boolean): NetworkError {
  const reason = attempts === 0 ? 'interrupted before it was sent' : 'interrupted while waiting to retry';
  return new NetworkError(method, path, reason, Math.max(1, attempts), mayHaveLanded ? 'unknown' : 'not-applied');
}

/** Two minutes: four retries with back-off fit easily; two 60 s Retry-After waits do not. */
export const DEFAULT_DEADLINE_MS = 120_000;

/**
 * Answers that succeeded are redacted only for a token at least this long: a shorter one (a test
 * token) could also be a piece of a datastore's name, and redacting it would change the data.
 * Error texts are always redacted.
 */
const MIN_REDACTED_IN_ANSWERS = 8;

/**
 * Milliseconds on a monotonic clock. Not `performance.now()`: the first use of the global
 * `performance` loads Node's perf_hooks internals, ~9 M instructions before a plan's first request.
 */
function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
