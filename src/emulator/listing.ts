/**
 * `GET /api/datastores`: the query parameters of the user guide's "Datastore API" page
 * (docs/source-datastore/add-datastores/api.md), validated as FastAPI would, and the listing itself.
 *
 * What a caller may read, per value of `enrichment_only` and per order, is computed once and kept
 * until the model's `version` moves (a PUT changed a name or teams), or for an Admin in id order is
 * the model's own list: an unfiltered page is then a slice, and every filter together is one pass;
 * an exact name filter reads the model's name index.
 */
import type { ListDatastoreItem, Page } from '../core/api-types.js';
import { MAX_PAGE_SIZE } from '../core/api-types.js';
import type { Caller, Model, StoredDatastore } from './model.js';
import type { NameFilter } from '../core/seed-types.js';
import { authenticate, holdsPermission, type Endpoint } from './state.js';
import { issue, parseBoolParam, parseIntParam, unprocessable, type ValidationError } from './validation.js';
import { listItemView } from './views.js';

const DEFAULT_PAGE_SIZE = 50;
const SORT_DIRECTIONS = ['asc', 'desc'] as const;
type SortDirection = (typeof SORT_DIRECTIONS)[number];
/** Accepted and validated; only `sort_name` changes the order (the others sort on values the emulator holds equal). */
const SORT_PARAMS = ['sort_name', 'sort_created', 'sort_favorite', 'sort_containers', 'sort_active_anomalies'] as const;

export type ListQuery = {
  page: number;
  size: number;
  enrichmentOnly: boolean;
  /** Exact, case-sensitive. */
  name: string | undefined;
  /** Lower-cased; matched against the lower-cased name or the id's decimal digits. */
  search: string | undefined;
  ids: ReadonlySet<number> | undefined;
  types: ReadonlySet<string> | undefined;
  tags: ReadonlySet<string> | undefined;
  /** Any group filter matches nothing: the emulator models no datastore groups. */
  groups: readonly number[] | undefined;
  sortName: SortDirection | undefined;
};

/** Every problem with the query, FastAPI style, or the query. A repeated scalar takes its last value. */
export function readListQuery(query: URLSearchParams): { ok: true; value: ListQuery } | { ok: false; errors: ValidationError[] } {
  const errors: ValidationError[] = [];
  const last = (key: string): string | undefined => query.getAll(key).at(-1);
  const ints = (key: string): number[] | undefined => {
    const raws = query.getAll(key);
    if (raws.length === 0) return undefined;
    const values: number[] = [];
    raws.forEach((raw, i) => {
      const parsed = parseIntParam(['query', key, i], raw);
      if (parsed.ok) values.push(parsed.value);
      else errors.push(parsed.error);
    });
    return values;
  };
  const strings = (key: string): ReadonlySet<string> | undefined => {
    const raws = query.getAll(key);
    return raws.length === 0 ? undefined : new Set(raws);
  };
  const bounded = (key: string, fallback: number, max?: number): number => {
    const raw = last(key);
    if (raw === undefined) return fallback;
    const parsed = parseIntParam(['query', key], raw);
    if (!parsed.ok) errors.push(parsed.error);
    else if (parsed.value < 1) errors.push(issue.greaterThanEqual(['query', key], raw, 1));
    else if (max !== undefined && parsed.value > max) errors.push(issue.lessThanEqual(['query', key], raw, max));
    else return parsed.value;
    return fallback;
  };

  const ids = ints('id');
  const name = last('name');
  const search = last('search');
  const types = strings('datastore_type');
  const tags = strings('tag');
  const groups = ints('group');
  let enrichmentOnly = false; // the user guide's default: a listing shows source datastores
  const rawFlag = last('enrichment_only');
  if (rawFlag !== undefined) {
    const parsed = parseBoolParam(['query', 'enrichment_only'], rawFlag);
    if (parsed.ok) enrichmentOnly = parsed.value;
    else errors.push(parsed.error);
  }
  let sortName: SortDirection | undefined;
  for (const key of SORT_PARAMS) {
    const raw = last(key);
    if (raw === undefined) continue;
    if (!(SORT_DIRECTIONS as readonly string[]).includes(raw)) errors.push(issue.literal(['query', key], raw, SORT_DIRECTIONS));
    else if (key === 'sort_name') sortName = raw as SortDirection;
  }
  const page = bounded('page', 1);
  const size = bounded('size', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      page,
      size,
      enrichmentOnly,
      // An empty name or search does not filter.
      name: name === '' ? undefined : name,
      search: search ? search.toLowerCase() : undefined,
      ids: ids && new Set(ids),
      types,
      tags,
      groups,
      sortName,
    },
  };
}

type Order = 'id' | SortDirection;
type ReadableLists = { version: number; lists: Map<string, readonly StoredDatastore[]> };

const readableCache = new WeakMap<Caller, ReadableLists>();

function byName(a: StoredDatastore, b: StoredDatastore): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id;
}

/**
 * What the caller may read of one kind (enrichment-only or source), in the given order. An Admin
 * reads every datastore: in id order, that is the model's list of the kind, with no pass over it.
 */
function readableBy(model: Model, caller: Caller, enrichmentOnly: boolean, order: Order): readonly StoredDatastore[] {
  const ofKind = enrichmentOnly ? model.ofKind.enrichment : model.ofKind.source;
  if (order === 'id' && caller.role === 'Admin') return ofKind;
  let cached = readableCache.get(caller);
  if (!cached || cached.version !== model.version) {
    cached = { version: model.version, lists: new Map() };
    readableCache.set(caller, cached);
  }
  const key = `${enrichmentOnly}:${order}`;
  let readable = cached.lists.get(key);
  if (!readable) {
    const byId = caller.role === 'Admin' ? [...ofKind] : ofKind.filter((ds) => holdsPermission(caller, ds, 'Reporter'));
    readable = order === 'id' ? byId : order === 'asc' ? byId.sort(byName) : byId.sort((a, b) => byName(b, a));
    cached.lists.set(key, readable);
  }
  return readable;
}

/**
 * The readable datastores of one kind named exactly `name`, in the order asked: all an exact name
 * filter can match, read from the model's name index (a plan looks up each declared name; a pass
 * over 20,000 datastores per look-up queued concurrent look-ups behind each other in the
 * emulator's one thread). One name sorts by id, ascending or descending.
 */
function namedExactly(model: Model, caller: Caller, enrichmentOnly: boolean, order: Order, name: string): readonly StoredDatastore[] {
  const same = (model.named.get(name) ?? []).filter((ds) => ds.enrichment_only === enrichmentOnly && holdsPermission(caller, ds, 'Reporter'));
  return order === 'desc' ? same.reverse() : same;
}

function matcher(q: ListQuery, nameFilter: NameFilter): ((ds: StoredDatastore) => boolean) | undefined {
  if (q.groups) return () => false;
  const { name, search, ids, types, tags } = q;
  if (name === undefined && search === undefined && !ids && !types && !tags) return undefined;
  const nameLower = name?.toLowerCase();
  const nameMatches = nameFilter === 'exact'
    ? (ds: StoredDatastore) => ds.name === name
    : (ds: StoredDatastore) => ds.nameLower.includes(nameLower!);
  return (ds) =>
    (name === undefined || nameMatches(ds)) &&
    (search === undefined || ds.nameLower.includes(search) || String(ds.id).includes(search)) &&
    (!ids || ids.has(ds.id)) &&
    (!types || types.has(ds.type)) &&
    (!tags || ds.tags.some((tag) => tags.has(tag)));
}

/** Unreadable datastores are neither listed nor counted; only the requested page is rendered. */
export const listDatastores: Endpoint = (model, request) => {
  const caller = authenticate(model, request.authorization);
  if (!caller.ok) return caller.answer;
  const query = readListQuery(request.query);
  if (!query.ok) return unprocessable(query.errors);
  const q = query.value;
  const order = q.sortName ?? 'id';
  const first = (q.page - 1) * q.size;
  const matches = matcher(q, model.nameFilter);
  let pageOf: readonly StoredDatastore[];
  let total: number;
  if (!matches) {
    const readable = readableBy(model, caller.value, q.enrichmentOnly, order);
    pageOf = readable.slice(first, first + q.size);
    total = readable.length;
  } else {
    // Count every match but keep only the page's.
    const kept: StoredDatastore[] = [];
    total = 0;
    const candidates = model.nameFilter === 'exact' && q.name !== undefined
      ? namedExactly(model, caller.value, q.enrichmentOnly, order, q.name)
      : readableBy(model, caller.value, q.enrichmentOnly, order);
    for (const ds of candidates) {
      if (!matches(ds)) continue;
      if (total >= first && kept.length < q.size) kept.push(ds);
      total += 1;
    }
    pageOf = kept;
  }
  const items = pageOf.map((ds) => listItemView(model, ds));
  const body: Page<ListDatastoreItem> = { items, total, page: q.page, size: q.size, pages: Math.ceil(total / q.size) };
  return { status: 200, body };
};
