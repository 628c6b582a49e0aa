/**
 * The Qualytics API client: undici with keep-alive, a bounded number of requests in flight, a
 * timeout per attempt, and retries (see retry.ts for why retrying writes is safe), directly or
 * through a proxy (dispatcher.ts). Every failure becomes an `ApiError` (the server answered) or a
 * `NetworkError` (it did not); neither ever holds the token.
 */
import type { Dispatcher } from 'undici';
import type { ApiDatastore, ApiUser, ListDatastoreItem, Page, SettingsPatch } from '../core/api-types.js';
import { createDispatcher, describeProxyFailure, errorCode, proxyRefusalStatus, type ProxySetting } from './dispatcher.js';
import { ApiError, NetworkError, type HttpMethod } from './errors.js';
import { DEFAULT_RETRY_POLICY, RETRYABLE_STATUSES, backoffMs, parseRetryAfter, type RetryPolicy } from './retry.js';

export interface ClientOptions {
  /** Normalised base URL ending in `/api` (see url.ts). */
  baseUrl: string;
  token: string;
  /** Per attempt; default 30 s (QUALYTICS_TIMEOUT). */
  timeoutMs?: number;
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
  /** Why no answer arrived: an error code (`ECONNRESET`, `TIMEOUT`, `PROXY_407`...), else undefined. */
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

export interface ListQuery {
  page?: number;
  size?: number;
  name?: string;
  enrichment_only?: boolean;
}

export class QualyticsClient {
  readonly baseUrl: string;
  readonly #token: string;
  readonly #dispatcher: Dispatcher;
  readonly #origin: string;
  /** `host:port` of the Qualytics host, for messages about the proxy. */
  readonly #target: string;
  readonly #proxy: ProxySetting | undefined;
  readonly #basePath: string;
  readonly #timeoutMs: number;
  readonly #policy: RetryPolicy;
  readonly #userAgent: string;
  readonly #onRetry: ((event: RetryEvent) => void) | undefined;
  readonly #onExchange: ((event: ExchangeEvent) => void) | undefined;
  readonly #random: () => number;
  readonly #slots: Semaphore;
  readonly #stats: ClientStats = { requests: 0, retries: 0, byMethod: { GET: 0, PUT: 0, PATCH: 0, DELETE: 0 } };

  constructor(options: ClientOptions) {
    const url = new URL(options.baseUrl);
    this.baseUrl = options.baseUrl;
    this.#token = options.token;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 30_000;
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
    this.#dispatcher = createDispatcher({
      origin: url.origin,
      connections: maxInFlight,
      verifyTls: options.verifyTls ?? true,
      proxy: options.proxy,
    });
  }

  /** The token is never shown: not in errors, not in logs, not when this object is inspected. */
  toJSON(): object {
    return { baseUrl: this.baseUrl };
  }

  stats(): ClientStats {
    return { ...this.#stats, byMethod: { ...this.#stats.byMethod } };
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  /** Drops every connection now, requests in flight included (after an interrupt). */
  async destroy(): Promise<void> {
    await this.#dispatcher.destroy();
  }

  me(): Promise<ApiUser> {
    return this.#json<ApiUser>('GET', '/users/me');
  }

  getDatastore(id: number): Promise<ApiDatastore> {
    return this.#json<ApiDatastore>('GET', `/datastores/${id}`);
  }

  listDatastores(query: ListQuery = {}): Promise<Page<ListDatastoreItem>> {
    const params = new URLSearchParams();
    if (query.page !== undefined) params.set('page', String(query.page));
    if (query.size !== undefined) params.set('size', String(query.size));
    if (query.name !== undefined) params.set('name', query.name);
    if (query.enrichment_only !== undefined) params.set('enrichment_only', String(query.enrichment_only));
    const qs = params.toString();
    return this.#json<Page<ListDatastoreItem>>('GET', '/datastores', qs ? `?${qs}` : '');
  }

  /** PATCH: links, re-confirms, or switches the link in one call. Answers the source datastore. */
  linkEnrichment(id: number, enrichId: number): Promise<ApiDatastore> {
    return this.#json<ApiDatastore>('PATCH', `/datastores/${id}/enrichment/${enrichId}`);
  }

  /** PUT with only the fields to change (partial semantics). Answers the updated datastore. */
  updateSettings(id: number, patch: SettingsPatch): Promise<ApiDatastore> {
    return this.#json<ApiDatastore>('PUT', `/datastores/${id}`, '', patch);
  }

  /** DELETE: unlinks (204, also when nothing was linked); the server resets the strategy to `none`. */
  async unlinkEnrichment(id: number): Promise<void> {
    await this.#send('DELETE', `/datastores/${id}/enrichment`, '');
  }

  async #json<T>(method: HttpMethod, path: string, query = '', body?: unknown): Promise<T> {
    const { status, text } = await this.#send(method, path, query, body);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(method, path, status, text.trim() === '' ? 'the answer was empty, not JSON' : `the answer was not JSON (${describeBody(text)})`);
    }
  }

  /** One logical request: waits for a slot, then tries until success, a permanent error, or the retries run out. */
  async #send(method: HttpMethod, path: string, query: string, body?: unknown): Promise<{ status: number; text: string }> {
    await this.#slots.acquire();
    try {
      const maxAttempts = this.#policy.retries + 1;
      for (let attempt = 0; ; attempt++) {
        const outcome = await this.#attempt(method, path, query, body, attempt + 1);
        if (outcome.kind === 'ok') return outcome;
        const error = outcome.error;
        const retryable = outcome.kind === 'network' ? outcome.retryable : RETRYABLE_STATUSES.has(outcome.status);
        if (!retryable || attempt >= this.#policy.retries) throw attempt > 0 ? error.withAttempts(attempt + 1) : error;
        let delay = backoffMs(attempt, this.#policy, this.#random);
        if (outcome.kind === 'status' && outcome.retryAfterMs !== undefined) {
          if (outcome.retryAfterMs > this.#policy.maxRetryAfterMs) {
            throw new ApiError(method, path, outcome.status,
              `${error instanceof ApiError ? error.detail : ''} (the server asked to retry after ${Math.round(outcome.retryAfterMs / 1000)} s, longer than enrichctl waits; try again later)`.trim(),
              this.baseUrl, attempt + 1);
          }
          delay = Math.max(delay, outcome.retryAfterMs);
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
        await sleep(delay);
      }
    } finally {
      this.#slots.release();
    }
  }

  async #attempt(method: HttpMethod, path: string, query: string, body: unknown, attempt: number): Promise<Outcome> {
    this.#stats.requests++;
    this.#stats.byMethod[method]++;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#token}`,
      accept: 'application/json',
      'user-agent': this.#userAgent,
    };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const started = this.#onExchange ? performance.now() : 0;
    const exchanged = (status: number | undefined, failure: string | undefined, text: string | undefined): void => {
      this.#onExchange?.({
        method, path, query, attempt, status, failure,
        ms: performance.now() - started,
        bytes: text === undefined ? undefined : Buffer.byteLength(text),
      });
    };
    const failed = (err: unknown, signal: AbortSignal): Outcome => {
      const refusal = proxyRefusalStatus(err);
      exchanged(undefined, signal.aborted ? 'TIMEOUT' : refusal !== undefined ? `PROXY_${refusal}` : (errorCode(err) ?? 'ERROR'), undefined);
      const reason = (!signal.aborted && this.#proxy ? describeProxyFailure(err, this.#proxy, this.#target) : undefined)
        ?? networkReason(err, signal, this.#timeoutMs, this.baseUrl);
      return { kind: 'network', retryable: signal.aborted || !isPermanentFailure(err), error: new NetworkError(method, path, reason) };
    };
    let response: Dispatcher.ResponseData;
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      response = await this.#dispatcher.request({
        origin: this.#origin,
        method,
        path: `${this.#basePath}${path}${query}`,
        headers,
        body: payload,
        signal,
      });
    } catch (err) {
      return failed(err, signal);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (err) {
      return failed(err, signal);
    }
    const status = response.statusCode;
    if (this.#onExchange) exchanged(status, undefined, text);
    if (status >= 200 && status < 300) return { kind: 'ok', status, text };
    const retryAfter = response.headers['retry-after'];
    return {
      kind: 'status',
      status,
      retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
      error: new ApiError(method, path, status, extractDetail(text, status), this.baseUrl),
    };
  }
}

type Outcome =
  | { kind: 'ok'; status: number; text: string }
  | { kind: 'status'; status: number; retryAfterMs: number | undefined; error: ApiError }
  | { kind: 'network'; retryable: boolean; error: NetworkError };

/** TLS verification failures and a proxy asking for credentials do not go away by trying again. */
function isPermanentFailure(err: unknown): boolean {
  const code = errorCode(err);
  return (code !== undefined && TLS_VERIFY_CODES.has(code)) || proxyRefusalStatus(err) === 407;
}

const TLS_VERIFY_CODES: ReadonlySet<string> = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * The server's `detail` on one line. Qualytics answers `{"detail": "..."}`; FastAPI validation errors
 * carry a list of `{loc, msg}` instead, which is flattened; anything else is summarised.
 */
export function extractDetail(text: string, status: number): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text.trim() === '' ? defaultReason(status) : describeBody(text);
  }
  const detail = isRecord(parsed) ? parsed.detail : undefined;
  if (typeof detail === 'string') return oneLine(detail);
  if (Array.isArray(detail)) {
    return oneLine(
      detail
        .map((d) => (isRecord(d) && typeof d.msg === 'string'
          ? `${Array.isArray(d.loc) ? `${d.loc.join('.')}: ` : ''}${d.msg}`
          : JSON.stringify(d)))
        .join('; '),
    );
  }
  return detail === undefined ? defaultReason(status) : oneLine(JSON.stringify(detail));
}

function defaultReason(status: number): string {
  if (status === 401) return 'the API token was refused; check QUALYTICS_TOKEN (or --token-file) and that the token has not been revoked';
  return '';
}

function describeBody(text: string): string {
  const t = oneLine(text);
  return t.length > 200 ? `${t.slice(0, 200)}...` : t;
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 1000 ? `${flat.slice(0, 1000)}...` : flat;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short, token-free reason for a failed connection. */
function networkReason(err: unknown, signal: AbortSignal, timeoutMs: number, baseUrl: string): string {
  if (signal.aborted) return `no answer within ${formatSeconds(timeoutMs)} (raise QUALYTICS_TIMEOUT or --timeout if the server is slow)`;
  const code = isRecord(err) && typeof err.code === 'string' ? err.code : undefined;
  const host = new URL(baseUrl).host;
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${host}; is the URL right and the server up?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${new URL(baseUrl).hostname}; check the URL`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `the connection to ${host} was closed before an answer arrived`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `could not connect to ${host} in time`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return `${host} did not answer TLS; if it is a plain-http server (such as the emulator), write http:// in the URL`;
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the TLS certificate of ${host} could not be verified (${code})`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `the TLS certificate of ${host} could not be verified (${code}); if it is signed by your organisation's own CA, set NODE_EXTRA_CA_CERTS to that CA's PEM file`;
    default:
      return `${code ?? 'network error'} talking to ${host}`;
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Bounds the requests in flight; waiters are served in order. */
class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];
  constructor(size: number) {
    this.#free = size;
  }
  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}
