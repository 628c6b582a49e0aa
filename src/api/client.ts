/**
 * The Qualytics API as enrichctl uses it: the reads, and the writes that carry a plan's operations,
 * each sent by the route table (model/routes.ts) through one Transport (retries, deadline,
 * redaction, proxies), and each answer's shape checked (shapes.ts) before anyone uses it.
 */
import { MAX_PAGE_SIZE, type ApiDatastore, type ApiUser, type ListDatastoreItem, type Page, type SettingsPatch } from '../core/api-types.js';
import { visibleText } from '../core/visible-text.js';
import type { Operation } from '../model/plan.js';
import { operationRoute, READS, type HttpMethod } from '../model/routes.js';
import { describeBody } from './error-body.js';
import { ApiError, UnusableResponseError, WEB_PAGE } from './errors.js';
import { collateralChanges, mergeForPut, missingBodyFields } from './full-put.js';
import { checkUser, datastoreCheck, pageCheck, type Check, type ListingShape } from './shapes.js';
import { Transport, type SendOptions, type TransportOptions } from './transport.js';
import type { ClientStats } from './client-events.js';

export type { ClientStats, ExchangeEvent, RetryEvent } from './client-events.js';

export interface ClientOptions extends TransportOptions {
  /** Told once about a change of how enrichctl talks to this server (e.g. whole-datastore PUTs). */
  onNotice?: (message: string) => void;
}

/**
 * The answer to a write: the datastore as the server answered (none for a DELETE's 204, nor for a
 * 2xx answer without JSON: apply then reads it back).
 */
export interface Performed {
  datastore?: ApiDatastore;
  /** After a whole-datastore PUT: each field besides the settings that the PUT changed (should be none). */
  collateral: string[];
}

export interface ListQuery {
  page?: number;
  size?: number;
  name?: string;
  enrichment_only?: boolean;
  /** Datastores with any of these tags (repeated `tag`). */
  tag?: readonly string[];
  /** Datastores of any of these types (repeated `datastore_type`). */
  datastore_type?: readonly string[];
}

export class QualyticsClient {
  readonly baseUrl: string;
  readonly #transport: Transport;
  readonly #onNotice: ((message: string) => void) | undefined;
  /** Set once the server has asked for whole-datastore PUTs; kept for the rest of the run. */
  #wholePut = false;
  /** Whether `onNotice` was told of a write answered without the datastore. */
  #toldBodiless = false;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl;
    this.#transport = new Transport(options);
    this.#onNotice = options.onNotice;
  }

  /** The token is never shown: not in errors, not in logs, not when this object is inspected. */
  toJSON(): object {
    return { baseUrl: this.baseUrl };
  }

  /** How many requests are on the wire now (for "waiting for 3 requests in flight"). */
  inFlight(): number {
    return this.#transport.inFlight();
  }

  /** How many requests sent now would go out at once. */
  freeSlots(): number {
    return this.#transport.freeSlots();
  }

  stats(): ClientStats {
    return this.#transport.stats();
  }

  close(): Promise<void> {
    return this.#transport.close();
  }

  /** Drops every connection now, requests in flight included (after an interrupt). */
  destroy(): Promise<void> {
    return this.#transport.destroy();
  }

  me(): Promise<ApiUser> {
    return this.#json<ApiUser>(checkUser, READS.me.method, READS.me.path);
  }

  getDatastore(id: number): Promise<ApiDatastore> {
    const { method, path } = READS.datastore(id);
    return this.#json<ApiDatastore>(datastoreCheck(id), method, path);
  }

  /**
   * `options`: to abandon this one request, or to hear when it is on the wire. `first`: what page 1
   * of this listing said, which a later page must say too (shapes.ts `pageCheck`).
   */
  listDatastores(query: ListQuery = {}, options?: SendOptions, first?: ListingShape): Promise<Page<ListDatastoreItem>> {
    return this.#json<Page<ListDatastoreItem>>(pageCheck(query.size ?? MAX_PAGE_SIZE, query.page, first), READS.list.method, READS.list.path, listQuery(query), undefined, options);
  }

  /** A listing as a message names it: its path and query, without a page (`/datastores?size=100&enrichment_only=false`). */
  listingRequest(query: Omit<ListQuery, 'page'>): string {
    return `${READS.list.path}${listQuery(query)}`;
  }

  /**
   * Sends one planned operation, by the route table (the method and path plans print):
   * - link: PATCH, which links, re-confirms or switches in one call; answers the source datastore;
   * - update_settings: PUT (see `#updateSettings`); answers the datastore;
   * - unlink: DELETE, 204 also when nothing was linked; the server resets the strategy to `none`.
   */
  async perform(datastoreId: number, op: Operation): Promise<Performed> {
    const { method, path } = operationRoute(datastoreId, op);
    switch (op.type) {
      case 'link':
        return { datastore: await this.#write(datastoreId, method, path), collateral: [] };
      case 'update_settings':
        return this.#updateSettings(datastoreId, method, path, op.body);
      case 'unlink':
        await this.#transport.send(method, path, '');
        return { collateral: [] };
      default: {
        const unreachable: never = op;
        throw new Error(`unknown operation ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /**
   * PUT with only the fields to change, as the enrichment API page documents. A server that answers
   * that it wants the whole datastore (see full-put.ts) is told once through `onNotice`, and from
   * then on, for the rest of the run, each update reads the datastore, merges the change into it and
   * sends it whole; the answer is then checked for changes beyond the settings (`collateral`).
   */
  async #updateSettings(id: number, method: HttpMethod, path: string, patch: SettingsPatch): Promise<Performed> {
    if (!this.#wholePut) {
      try {
        return { datastore: await this.#write(id, method, path, patch), collateral: [] };
      } catch (err) {
        const missing = err instanceof ApiError ? missingBodyFields(err) : [];
        if (missing.length === 0) throw err;
        this.#switchToWholePut(path, missing);
      }
    }
    const current = await this.getDatastore(id);
    // What else the whole PUT moved is seen in its answer, or in the datastore read back.
    const datastore = (await this.#write(id, method, path, mergeForPut(current, patch))) ?? (await this.getDatastore(id));
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

  /** A JSON answer, used only once `check` (shapes.ts) found nothing wrong with it. */
  async #json<T>(check: Check, method: HttpMethod, path: string, query = '', body?: unknown, options?: SendOptions): Promise<T> {
    const { status, text } = await this.#transport.send(method, path, query, body, options);
    const parsed = parseJson(text);
    if (parsed === NOT_JSON) {
      const body = describeBody(text);
      throw new ApiError(method, path, status, text.trim() === '' ? 'the answer was empty, not JSON' : body.startsWith(WEB_PAGE) ? body : `the answer was not JSON (${body})`, this.baseUrl);
    }
    return this.#checked<T>(check, method, `${path}${query}`, status, text, parsed);
  }

  /**
   * A write's answer: the datastore, checked; or undefined when the 2xx answer holds no JSON (empty,
   * as a 204, or a page a gateway put there): the write was accepted, and apply reads the datastore
   * back to see what landed. Told once per run through `onNotice`.
   */
  async #write(id: number, method: HttpMethod, path: string, body?: unknown): Promise<ApiDatastore | undefined> {
    const { status, text } = await this.#transport.send(method, path, '', body);
    const parsed = parseJson(text);
    if (parsed !== NOT_JSON) return this.#checked<ApiDatastore>(datastoreCheck(id), method, path, status, text, parsed);
    if (!this.#toldBodiless) {
      this.#toldBodiless = true;
      // Server text on a terminal: escaped, as every detail is (core/visible-text.ts).
      const answer = text.trim() === '' ? 'an empty answer' : visibleText(describeBody(text));
      this.#onNotice?.(`${method} ${path} answered ${status} with ${answer}, not the datastore: the write was accepted, and each such write is confirmed by reading the datastore back`);
    }
    return undefined;
  }

  #checked<T>(check: Check, method: HttpMethod, request: string, status: number, text: string, parsed: unknown): T {
    const redacted = this.#transport.redactParsed(text, parsed);
    if (!redacted.ok) throw new UnusableResponseError(method, request, 'it holds the API token where it cannot be redacted, or is nested too deeply to be checked for it', status);
    const problem = check(redacted.value);
    if (problem !== undefined) throw new UnusableResponseError(method, request, problem, status);
    return redacted.value as T;
  }
}

const NOT_JSON = Symbol('not JSON');

/** The answer's JSON value; a byte order mark before it is ignored, as RFC 8259 allows. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return NOT_JSON;
  }
}

/** The query string of a listing, `?` included, in the order the API page gives the parameters. */
function listQuery(query: ListQuery): string {
  const params = new URLSearchParams();
  if (query.page !== undefined) params.set('page', String(query.page));
  if (query.size !== undefined) params.set('size', String(query.size));
  if (query.name !== undefined) params.set('name', query.name);
  if (query.enrichment_only !== undefined) params.set('enrichment_only', String(query.enrichment_only));
  for (const tag of query.tag ?? []) params.append('tag', tag);
  for (const type of query.datastore_type ?? []) params.append('datastore_type', type);
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}
