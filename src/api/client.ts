/**
 * The Qualytics API client: undici with keep-alive, a bounded number of requests in flight, a
 * timeout per attempt, and retries (see retry.ts for why retrying writes is safe), directly or
 * through a proxy (dispatcher.ts). Every failure becomes an `ApiError` (the server answered) or a
 * `NetworkError` (it did not); neither ever holds the token.
 */
import type { Dispatcher } from 'undici';
import { MAX_PAGE_SIZE, type ApiDatastore, type ApiUser, type ListDatastoreItem, type Page, type SettingsPatch } from '../core/api-types.js';
import { ApiError, NetworkError, UnusableResponseError, type FieldProblem, type HttpMethod } from './errors.js';
import { collateralChanges, mergeForPut, missingBodyFields } from './full-put.js';
import { createDispatcher, describeProxyFailure, errorCode, proxyRefusalStatus, type ProxySetting } from './dispatcher.js';
import { checkDatastore, checkUser, pageCheck, type Check } from './shapes.js';
import { MAX_BODY_BYTES, readCapped, tooLarge } from './body.js';
import { visibleText } from '../core/visible-text.js';
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
  /** Told once about a change of how enrichctl talks to this server (e.g. whole-datastore PUTs). */
  onNotice?: (message: string) => void;
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

/** The answer to a settings update. */
export interface SettingsUpdate {
  datastore: ApiDatastore;
  /** After a whole-datastore PUT: each field besides the settings that the PUT changed (should be none). */
  collateral: string[];
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
  readonly #onNotice: ((message: string) => void) | undefined;
  /** Set once the server has asked for whole-datastore PUTs; kept for the rest of the run. */
  #wholePut = false;
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
    this.#onNotice = options.onNotice;
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
    return this.#json<ApiUser>(checkUser, 'GET', '/users/me');
  }

  getDatastore(id: number): Promise<ApiDatastore> {
    return this.#json<ApiDatastore>(checkDatastore, 'GET', `/datastores/${id}`);
  }

  listDatastores(query: ListQuery = {}): Promise<Page<ListDatastoreItem>> {
    const params = new URLSearchParams();
    if (query.page !== undefined) params.set('page', String(query.page));
    if (query.size !== undefined) params.set('size', String(query.size));
    if (query.name !== undefined) params.set('name', query.name);
    if (query.enrichment_only !== undefined) params.set('enrichment_only', String(query.enrichment_only));
    const qs = params.toString();
    return this.#json<Page<ListDatastoreItem>>(pageCheck(query.size ?? MAX_PAGE_SIZE), 'GET', '/datastores', qs ? `?${qs}` : '');
  }

  /** PATCH: links, re-confirms, or switches the link in one call. Answers the source datastore. */
  linkEnrichment(id: number, enrichId: number): Promise<ApiDatastore> {
    return this.#json<ApiDatastore>(checkDatastore, 'PATCH', `/datastores/${id}/enrichment/${enrichId}`);
  }

  /**
   * PUT with only the fields to change, as the enrichment API page documents. A server that answers
   * that it wants the whole datastore (see full-put.ts) is told once through `onNotice`, and from
   * then on, for the rest of the run, each update reads the datastore, merges the change into it and
   * sends it whole; the answer is then checked for changes beyond the settings (`collateral`).
   */
  async updateSettings(id: number, patch: SettingsPatch): Promise<SettingsUpdate> {
    const path = `/datastores/${id}`;
    if (!this.#wholePut) {
      try {
        return { datastore: await this.#json<ApiDatastore>(checkDatastore, 'PUT', path, '', patch), collateral: [] };
      } catch (err) {
        const missing = err instanceof ApiError ? missingBodyFields(err) : [];
        if (missing.length === 0) throw err;
        this.#switchToWholePut(path, missing);
      }
    }
    const current = await this.getDatastore(id);
    const datastore = await this.#json<ApiDatastore>(checkDatastore, 'PUT', path, '', mergeForPut(current, patch));
    return { datastore, collateral: collateralChanges(current, datastore) };
  }

  #switchToWholePut(path: string, missing: readonly string[]): void {
    if (this.#wholePut) return;
    this.#wholePut = true;
    this.#onNotice?.(
      `PUT ${path} answered 422 with ${missing.map(visibleText).join(', ')} missing: this server wants the whole datastore in a settings update. ` +
        'For the rest of this run each update reads the datastore first and sends it back whole with the changed settings, as the official qualytics CLI does.',
    );
  }

  /** DELETE: unlinks (204, also when nothing was linked); the server resets the strategy to `none`. */
  async unlinkEnrichment(id: number): Promise<void> {
    await this.#send('DELETE', `/datastores/${id}/enrichment`, '');
  }

  /** A JSON answer, used only once `check` (shapes.ts) found nothing wrong with it. */
  async #json<T>(check: Check, method: HttpMethod, path: string, query = '', body?: unknown): Promise<T> {
    const { status, text } = await this.#send(method, path, query, body);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiError(method, path, status, text.trim() === '' ? 'the answer was empty, not JSON' : `the answer was not JSON (${describeBody(text)})`);
    }
    const problem = check(parsed);
    if (problem !== undefined) throw new UnusableResponseError(method, `${path}${query}`, problem, status);
    return parsed as T;
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
              this.baseUrl, [], attempt + 1);
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
    let text: string | undefined;
    try {
      text = await readCapped(response, MAX_BODY_BYTES);
    } catch (err) {
      return failed(err, signal);
    }
    if (text === undefined) {
      exchanged(response.statusCode, 'TOO_LARGE', undefined);
      // Thrown, not returned as an outcome: an answer this large is not retried.
      throw new UnusableResponseError(method, `${path}${query}`, tooLarge(MAX_BODY_BYTES), response.statusCode);
    }
    const status = response.statusCode;
    if (this.#onExchange) exchanged(status, undefined, text);
    if (status >= 200 && status < 300) return { kind: 'ok', status, text };
    const retryAfter = response.headers['retry-after'];
    return {
      kind: 'status',
      status,
      retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
      error: apiError(method, path, status, text, this.baseUrl),
    };
  }
}

function apiError(method: HttpMethod, path: string, status: number, text: string, baseUrl: string): ApiError {
  const { detail, problems } = readErrorBody(text, status);
  return new ApiError(method, path, status, detail, baseUrl, problems);
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
 * The server's `detail` on one line, and a FastAPI validation error's entries. Qualytics answers
 * business-rule errors with `{"detail": "..."}`; request validation errors (422) carry a list of
 * `{type, loc, msg, input}`, read as `field: message` (the `body`/`query`/`path` part of `loc` left
 * out; the `input` never shown, since it may echo what was sent); anything else is summarised.
 */
export function readErrorBody(text: string, status: number): { detail: string; problems: FieldProblem[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { detail: text.trim() === '' ? defaultReason(status) : describeBody(text), problems: [] };
  }
  const detail = isRecord(parsed) ? parsed.detail : undefined;
  if (typeof detail === 'string') return { detail: oneLine(detail), problems: [] };
  if (Array.isArray(detail)) {
    const problems = detail.flatMap((d): FieldProblem[] => (isRecord(d) && typeof d.msg === 'string'
      ? [{ type: typeof d.type === 'string' ? d.type : '', loc: Array.isArray(d.loc) ? d.loc.filter(isLocPart) : [], msg: d.msg }]
      : []));
    const text = problems.length === detail.length
      ? problems.map(describeProblem).join('; ')
      : JSON.stringify(detail);
    return { detail: oneLine(text), problems };
  }
  return { detail: detail === undefined ? defaultReason(status) : oneLine(JSON.stringify(detail)), problems: [] };
}

function describeProblem(p: FieldProblem): string {
  const where = p.loc[0] === 'body' || p.loc[0] === 'query' || p.loc[0] === 'path' || p.loc[0] === 'header' ? p.loc.slice(1) : p.loc;
  return where.length > 0 ? `${where.join('.')}: ${p.msg}` : p.msg;
}

function isLocPart(v: unknown): v is string | number {
  return typeof v === 'string' || typeof v === 'number';
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
