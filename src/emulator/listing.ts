/**
 * `GET /api/datastores`: the query parameters of the user guide's "Datastore API" page
 * (docs/source-datastore/add-datastores/api.md), validated as FastAPI would, and the listing itself.
 *
 * What a caller may read, per value of `enrichment_only` and per order, is computed once and kept
 * until the model's `version` moves (a PUT changed a name or teams): an unfiltered page is then a
 * slice, and every filter together is one pass.
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
/** One kind's readable datastores in one order, and, once an exact name filter asked, an index by name. */
type Readable = { list: readonly StoredDatastore[]; byName?: Map<string, StoredDatastore[]> };
type ReadableLists = { version: number; lists: Map<string, Readable> };

const readableCache = new WeakMap<Caller, ReadableLists>();

function byName(a: StoredDatastore, b: StoredDatastore): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id;
}

/** What the caller may read of one kind (enrichment-only or source), in the given order. */
function readableBy(model: Model, caller: Caller, enrichmentOnly: boolean, order: Order): Readable {
  let cached = readableCache.get(caller);
  if (!cached || cached.version !== model.version) {
    cached = { version: model.version, lists: new Map() };
    readableCache.set(caller, cached);
  }
  const key = `${enrichmentOnly}:${order}`;
  let readable = cached.lists.get(key);
  if (!readable) {
    const byId = model.ordered.filter((ds) => ds.enrichment_only === enrichmentOnly && holdsPermission(caller, ds, 'Reporter'));
    readable = { list: order === 'id' ? byId : order === 'asc' ? byId.sort(byName) : byId.sort((a, b) => byName(b, a)) };
    cached.lists.set(key, readable);
  }
  return readable;
}

/**
 * The readable datastores named exactly `name`, in the list's order: all an exact name filter can
 * match. A plan looks up each declared name; scanning 20,000 datastores for each took ~1 ms of the
 * emulator's one thread, so concurrent look-ups queued behind each other.
 */
function namedExactly(readable: Readable, name: string): readonly StoredDatastore[] {
  if (!readable.byName) {
    const index = new Map<string, StoredDatastore[]>();
    for (const ds of readable.list) {
      const same = index.get(ds.name);
      if (same) same.push(ds);
      else index.set(ds.name, [ds]);
    }
    readable.byName = index;
  }
  return readable.byName.get(name) ?? [];
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
  const readable = readableBy(model, caller.value, q.enrichmentOnly, q.sortName ?? 'id');
  const first = (q.page - 1) * q.size;
  const matches = matcher(q, model.nameFilter);
  let pageOf: readonly StoredDatastore[];
  let total: number;
  if (!matches) {
    pageOf = readable.list.slice(first, first + q.size);
    total = readable.list.length;
  } else {
    // Count every match but keep only the page's.
    const kept: StoredDatastore[] = [];
    total = 0;
    const candidates = model.nameFilter === 'exact' && q.name !== undefined ? namedExactly(readable, q.name) : readable.list;
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
