/**
 * Every answer the planner and the applier use is checked here before it is trusted: the listing's
 * envelope and its page counts, each datastore (in a listing or alone), and `/users/me`. A check
 * answers the first problem as text naming the field (`items[3].id is "x", expected an integer`), or
 * undefined; the client turns it into one `UnusableResponseError` naming the request. Values are
 * quoted short (at most 60 characters) and with controls escaped, since they came from the server.
 *
 * Fields enrichctl does not use are not looked at. The enrichment fields may be missing (list items
 * are often abbreviated: observe.ts then reads the datastore by id), but when present they must have
 * their types: a present-but-wrong setting is an error, never "lacking fields".
 */
import { MAX_PAGE_SIZE } from '../core/api-types.js';
import { hasSettingType, SETTINGS, type SettingSpec } from '../core/settings.js';
import { quoteValue } from '../core/visible-text.js';

/**
 * The most pages enrichctl reads of one listing: 1,000,000 datastores at 100 a page, far beyond any
 * deployment, and small enough that a server claiming a billion pages is refused before a request.
 */
export const MAX_PAGES = 10_000;

export type Check = (value: unknown) => string | undefined;

/** What page 1 of a listing said of the whole listing: every later page must say the same. */
export interface ListingShape {
  total: number;
  size: number;
  pages: number;
}

/**
 * A `GET /datastores` page asked with `size` (at most MAX_PAGE_SIZE) and, when asked by number,
 * `page`: the page it says it is, holding exactly the items its place in the listing holds (a full
 * page before the last, the rest on the last, none past the end), and after page 1 (`first`) the
 * same total, size and page count. A listing whose pages disagree was changed while it was read, or
 * is paged wrongly (a server answering page 1 for every page): planned from, it would miss
 * datastores, and a drift check would pass.
 */
export function pageCheck(size: number, page?: number, first?: ListingShape): Check {
  return (value) => {
    if (!isRecord(value)) return `the answer is ${quoteValue(value)}, expected a page object with items`;
    if (!Array.isArray(value.items)) return `items is ${quoteValue(value.items)}, expected an array`;
    for (const field of ['total', 'page', 'size', 'pages'] as const) {
      if (!isCount(value[field])) return `${field} is ${quoteValue(value[field])}, expected a non-negative integer`;
    }
    const { total, size: served, pages } = value as { total: number; size: number; pages: number };
    if (served > Math.min(size, MAX_PAGE_SIZE) || (served === 0 && total > 0)) {
      return `size is ${served}, expected 1 to ${Math.min(size, MAX_PAGE_SIZE)} as requested`;
    }
    const expected = served === 0 ? 0 : Math.ceil(total / served);
    // An empty listing may say 0 pages or 1; otherwise the pages must be exactly what total and size make.
    if (pages !== expected && !(total === 0 && pages === 1)) {
      return `${claims(pages, served, total)}; a listing has ceil(total / size) = ${expected}`;
    }
    if (pages > MAX_PAGES) {
      return `${claims(pages, served, total)}; enrichctl reads at most ${MAX_PAGES} pages (${MAX_PAGES * MAX_PAGE_SIZE} datastores)`;
    }
    if (first && (first.total !== total || first.size !== served || first.pages !== pages)) {
      return `the listing changed while it was read: page 1 said ${describeShape(first)}, this page says ${describeShape({ total, size: served, pages })}; run the command again`;
    }
    const items: unknown[] = value.items;
    if (items.length > served) return `the page holds ${items.length} items, more than its size ${served}`;
    if (page !== undefined) {
      if (value.page !== page) return `page is ${quoteValue(value.page)}, expected ${page}, the page asked for`;
      // Full before the last page, the rest on the last, none past the end.
      const holds = Math.max(0, Math.min(served, total - (page - 1) * served));
      if (items.length !== holds) {
        return `page ${page} holds ${items.length} ${items.length === 1 ? 'item' : 'items'}, but ${describeShape({ total, size: served, pages })} put ${holds} on it`;
      }
    }
    // Indexed, and the item's place written only into a problem: a plan checks every item of every page once, in cold code.
    for (let i = 0; i < items.length; i++) {
      const problem = datastoreProblem(items[i], i);
      if (problem) return problem;
    }
    return undefined;
  };
}

/** `250 datastores in 3 pages of 100`. */
export function describeShape({ total, size, pages }: ListingShape): string {
  return `${total} ${total === 1 ? 'datastore' : 'datastores'} in ${pages} ${pages === 1 ? 'page' : 'pages'} of ${size}`;
}

/**
 * The datastore `GET /datastores/{id}`, the PATCH and the PUT answer with: the one the request
 * addressed (a 2xx answer about another datastore would report a write as done that was not).
 */
export function datastoreCheck(id: number): Check {
  return (value) => {
    const problem = datastoreProblem(value);
    if (problem !== undefined) return problem;
    const answered = (value as { id: number }).id;
    return answered === id ? undefined : `id is ${answered}, expected ${id}: the answer is about another datastore than the one asked for`;
  };
}

/** `GET /users/me`. */
export const checkUser: Check = (value) => {
  if (!isRecord(value)) return `the answer is ${quoteValue(value)}, expected an object`;
  if (typeof value.name !== 'string') return `name is ${quoteValue(value.name)}, expected a string`;
  if (typeof value.role !== 'string') return `role is ${quoteValue(value.role)}, expected a string`;
  return undefined;
};

/** `item`: its place in a page's items, named in the problem. */
function datastoreProblem(value: unknown, item?: number): string | undefined {
  if (!isRecord(value)) return `${item === undefined ? 'the answer' : `items[${item}]`} is ${quoteValue(value)}, expected a datastore object`;
  const id = idProblem(value.id);
  if (id) return `${at(item)}id is ${quoteValue(value.id)}, ${id}`;
  if (typeof value.name !== 'string') return `${at(item)}name is ${quoteValue(value.name)}, expected a string`;
  if (value.enrichment_only !== undefined && typeof value.enrichment_only !== 'boolean') {
    return `${at(item)}enrichment_only is ${quoteValue(value.enrichment_only)}, expected true or false`;
  }
  const link = value.enrich_datastore;
  if (link !== undefined && link !== null) {
    if (!isRecord(link)) return `${at(item)}enrich_datastore is ${quoteValue(link)}, expected an object or null`;
    const linkId = idProblem(link.id);
    if (linkId) return `${at(item)}enrich_datastore.id is ${quoteValue(link.id)}, ${linkId}`;
    if (typeof link.name !== 'string') return `${at(item)}enrich_datastore.name is ${quoteValue(link.name)}, expected a string`;
  }
  for (let i = 0; i < SETTING_CHECKS.length; i++) {
    const check = SETTING_CHECKS[i]!; // not destructured: an array pattern walks an iterator
    const v = value[check[0]];
    if (v !== undefined && !check[2](v)) return `${at(item)}${check[0]} is ${quoteValue(v)}, expected ${check[1]}`;
  }
  return undefined;
}

function at(item: number | undefined): string {
  return item === undefined ? '' : `items[${item}].`;
}

/** The settings, read from the settings table: when present, of their kind (numbers whole, an enum one of its values). */
const SETTING_CHECKS: ReadonlyArray<readonly [string, string, (v: unknown) => boolean]> = SETTINGS.map((spec: SettingSpec) => {
  const ok = (v: unknown): boolean => hasSettingType(spec, v);
  switch (spec.kind) {
    case 'prefix':
      return [spec.key, 'a string', ok] as const;
    case 'integer':
      return [spec.key, 'an integer', ok] as const;
    case 'enum':
      return [spec.key, `one of ${spec.values.map((x) => JSON.stringify(x)).join(', ')}`, ok] as const;
    default: {
      const unreachable: never = spec;
      throw new Error(`unknown setting kind ${JSON.stringify(unreachable)}`);
    }
  }
});

function claims(pages: number, size: number, total: number): string {
  return `the server claims ${pages} ${pages === 1 ? 'page' : 'pages'} of ${size} for ${total} ${total === 1 ? 'datastore' : 'datastores'}`;
}

function idProblem(id: unknown): string | undefined {
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return 'expected an integer';
  return id > 0 ? undefined : 'expected a positive integer';
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
