/**
 * The rules of the emulated Qualytics API, one function per endpoint, over the in-memory model.
 * No HTTP here: `server.ts` turns requests into `ApiRequest`s and `Answer`s back into responses.
 *
 * Every operation checks in the same order, so the first failing check decides the answer:
 *   401 (token) -> 422 (path ids not integers) -> 404 (source) -> 403 (role / team)
 *   -> 404 (enrichment datastore) -> 409 -> 422 (body, then cross-field rules).
 * Each operation validates everything before it mutates, so a rejected request changes nothing.
 * See README.md beside this file for the choices made where the API reference is silent.
 */
import type { ApiDatastore, Page, ListDatastoreItem } from '../core/api-types.js';
import { MAX_PAGE_SIZE } from '../core/api-types.js';
import { canonicalSetting, SETTINGS, settingProblem, STRATEGIES_NEEDING_LINK, type Settings } from '../core/settings.js';
import { permissionRank, type Caller, type Model, type StoredDatastore } from './model.js';
import type { TeamPermission } from './seed-types.js';
import { datastoreView, listItemView } from './views.js';

export type RequestBody = { kind: 'empty' } | { kind: 'json'; value: unknown } | { kind: 'invalid'; raw: string };

export type ApiRequest = {
  /** The raw `Authorization` header. */
  authorization: string | undefined;
  /** Path parameters, percent-decoded, by the names FastAPI gives them. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  body: RequestBody;
};

export type Answer = { status: number; body?: unknown; headers?: Readonly<Record<string, string>> };

export type Operation = (model: Model, request: ApiRequest) => Answer;

type Checked<T> = { ok: true; value: T } | { ok: false; answer: Answer };

const DEFAULT_PAGE_SIZE = 50;

export const DETAIL = {
  notAuthenticated: 'Not authenticated',
  invalidScheme: 'Invalid authentication credentials',
  badToken: 'Could not validate credentials',
  adminRequired: 'Admin role required',
  activeOperations: 'Cannot disconnect enrichment datastore: active export or materialize operations exist',
  notFound: (id: number) => `Datastore id: ${id} not found`,
  enrichmentStore: (id: number) => `The datastore id: ${id} is an enrichment store`,
  selfLink: (id: number) => `A datastore cannot be its own enrichment datastore (datastore id: ${id})`,
  teamPermission: (permission: TeamPermission, teams: readonly string[]) =>
    `You must have ${permission.toLowerCase()} permission in at least one of these teams: ${pythonList(teams)}`,
  strategyNeedsLink: (strategy: string, id: number) =>
    `enrichment_remediation_strategy '${strategy}' needs a linked enrichment datastore, and datastore id: ${id} has none`,
} as const;

function ok(body: unknown, status = 200): Answer {
  return { status, body };
}

function fail(status: number, detail: string, headers?: Record<string, string>): Answer {
  return headers ? { status, body: { detail }, headers } : { status, body: { detail } };
}

/** Python's repr of a string, as the real server's f-string puts team names into its 403 text. */
function pythonRepr(text: string): string {
  const escaped = text.replace(/\\/g, '\\\\');
  if (text.includes("'") && !text.includes('"')) return `"${escaped}"`;
  return `'${escaped.replace(/'/g, "\\'")}'`;
}

function pythonList(items: readonly string[]): string {
  return `[${items.map(pythonRepr).join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------
// Checks, in the order operations apply them.

/** FastAPI's HTTPBearer conventions (texts included), then the token lookup. */
export function authenticate(model: Model, header: string | undefined): Checked<Caller> {
  const challenge = { 'www-authenticate': 'Bearer' };
  const match = /^(\S+)\s+(\S+)\s*$/.exec(header?.trim() ?? '');
  if (!match) return { ok: false, answer: fail(401, DETAIL.notAuthenticated, challenge) };
  const [, scheme = '', token = ''] = match;
  if (scheme.toLowerCase() !== 'bearer') return { ok: false, answer: fail(401, DETAIL.invalidScheme, challenge) };
  const caller = model.callersByToken.get(token);
  if (!caller) return { ok: false, answer: fail(401, DETAIL.badToken, challenge) };
  return { ok: true, value: caller };
}

/** FastAPI validates every path parameter before the handler runs: a non-integer is a 422. */
function integerParam(request: ApiRequest, name: string): Checked<number> {
  const raw = request.params[name] ?? '';
  const value = /^[+-]?\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value)) {
    return { ok: false, answer: fail(422, `Path parameter ${name} must be an integer, got ${pythonRepr(raw)}`) };
  }
  return { ok: true, value };
}

function findDatastore(model: Model, id: number): Checked<StoredDatastore> {
  const ds = model.byId.get(id);
  return ds ? { ok: true, value: ds } : { ok: false, answer: fail(404, DETAIL.notFound(id)) };
}

/** Admins bypass team checks; others need `needed` or higher in at least one of the datastore's teams. */
function holdsPermission(caller: Caller, ds: StoredDatastore, needed: TeamPermission): boolean {
  if (caller.role === 'Admin') return true;
  const rank = permissionRank(needed);
  return ds.teams.some((team) => (caller.ranks.get(team.name) ?? -1) >= rank);
}

function requirePermission(caller: Caller, ds: StoredDatastore, needed: TeamPermission): Answer | undefined {
  if (holdsPermission(caller, ds, needed)) return undefined;
  return fail(403, DETAIL.teamPermission(needed, ds.teams.map((t) => t.name)));
}

/** Who calls, and which datastore the path names. */
interface Addressed {
  caller: Caller;
  ds: StoredDatastore;
  /** The path's second id (`enrich_store_id`), when the operation has one. */
  otherId: number;
}

/**
 * The checks every datastore operation starts with, in order: 401 (token), 422 (every path id,
 * as FastAPI validates parameters before the handler), 404 (the source datastore).
 */
function address(model: Model, request: ApiRequest, otherParam?: string): Checked<Addressed> {
  const caller = authenticate(model, request.authorization);
  if (!caller.ok) return caller;
  const id = integerParam(request, 'datastore_id');
  if (!id.ok) return id;
  const other = otherParam === undefined ? { ok: true as const, value: NaN } : integerParam(request, otherParam);
  if (!other.ok) return other;
  const ds = findDatastore(model, id.value);
  if (!ds.ok) return ds;
  return { ok: true, value: { caller: caller.value, ds: ds.value, otherId: other.value } };
}

// ---------------------------------------------------------------------------------------------
// Public endpoints.

export const health: Operation = () => ({ status: 204 });

export const status: Operation = () => ok({ database_connection: 'OK', rabbitmq_connection: 'OK' });

export const currentUser: Operation = (model, request) => {
  const caller = authenticate(model, request.authorization);
  if (!caller.ok) return caller.answer;
  return ok({ id: caller.value.id, name: caller.value.name, role: caller.value.role });
};

// ---------------------------------------------------------------------------------------------
// Reads.

type ListQuery = { page: number; size: number; name: string | undefined; enrichmentOnly: boolean | undefined };

/** The spellings pydantic accepts for a boolean query parameter. */
const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'f', 'n']);

function readListQuery(query: URLSearchParams): Checked<ListQuery> {
  // FastAPI takes the last value of a repeated scalar parameter.
  const last = (key: string): string | undefined => query.getAll(key).at(-1);
  const bad = (detail: string): Checked<ListQuery> => ({ ok: false, answer: fail(422, detail) });
  const rawPage = last('page');
  const page = rawPage === undefined ? 1 : /^\d{1,9}$/.test(rawPage) ? Number(rawPage) : 0;
  if (page < 1) return bad(`Query parameter page must be an integer >= 1, got ${pythonRepr(rawPage ?? '')}`);
  const rawSize = last('size');
  const size = rawSize === undefined ? DEFAULT_PAGE_SIZE : /^\d{1,9}$/.test(rawSize) ? Number(rawSize) : 0;
  if (size < 1 || size > MAX_PAGE_SIZE) {
    return bad(`Query parameter size must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${pythonRepr(rawSize ?? '')}`);
  }
  const rawFlag = last('enrichment_only');
  let enrichmentOnly: boolean | undefined;
  if (rawFlag !== undefined) {
    const word = rawFlag.toLowerCase();
    if (TRUE_WORDS.has(word)) enrichmentOnly = true;
    else if (FALSE_WORDS.has(word)) enrichmentOnly = false;
    else return bad(`Query parameter enrichment_only must be a boolean, got ${pythonRepr(rawFlag)}`);
  }
  const name = last('name');
  return { ok: true, value: { page, size, name: name ? name.toLowerCase() : undefined, enrichmentOnly } };
}

type ReadableKey = 'any' | 'enrichment-only' | 'sources';

/**
 * What a caller may read, per value of the enrichment_only filter, in id order. Teams and
 * permissions never change after the seed is loaded, so each list is computed once per caller: an
 * unfiltered page is then a slice, and only a `name` filter costs a pass.
 */
const readableCache = new WeakMap<Caller, Map<ReadableKey, readonly StoredDatastore[]>>();

function readableBy(model: Model, caller: Caller, enrichmentOnly: boolean | undefined): readonly StoredDatastore[] {
  const key: ReadableKey = enrichmentOnly === undefined ? 'any' : enrichmentOnly ? 'enrichment-only' : 'sources';
  let lists = readableCache.get(caller);
  if (!lists) readableCache.set(caller, (lists = new Map()));
  let list = lists.get(key);
  if (!list) {
    list = model.ordered.filter(
      (ds) =>
        (enrichmentOnly === undefined || ds.enrichment_only === enrichmentOnly) && holdsPermission(caller, ds, 'Reporter'),
    );
    lists.set(key, list);
  }
  return list;
}

/** Unreadable datastores are neither listed nor counted; only the requested page is rendered. */
export const listDatastores: Operation = (model, request) => {
  const caller = authenticate(model, request.authorization);
  if (!caller.ok) return caller.answer;
  const query = readListQuery(request.query);
  if (!query.ok) return query.answer;
  const { page, size, name, enrichmentOnly } = query.value;
  const readable = readableBy(model, caller.value, enrichmentOnly);
  const first = (page - 1) * size;
  let pageOf: readonly StoredDatastore[];
  let total: number;
  if (name === undefined) {
    pageOf = readable.slice(first, first + size);
    total = readable.length;
  } else {
    // Count every match but keep only the page's.
    const kept: StoredDatastore[] = [];
    total = 0;
    for (const ds of readable) {
      if (!ds.nameLower.includes(name)) continue;
      if (total >= first && kept.length < size) kept.push(ds);
      total += 1;
    }
    pageOf = kept;
  }
  const items = pageOf.map((ds) => listItemView(model, ds));
  const body: Page<ListDatastoreItem> = { items, total, page, size, pages: Math.ceil(total / size) };
  return ok(body);
};

export const getDatastore: Operation = (model, request) => {
  const at = address(model, request);
  if (!at.ok) return at.answer;
  const { caller, ds } = at.value;
  return requirePermission(caller, ds, 'Reporter') ?? ok(datastoreView(model, ds));
};

// ---------------------------------------------------------------------------------------------
// Writes.

/** `PATCH /api/datastores/{datastore_id}/enrichment/{enrich_store_id}`: link, re-confirm or switch. */
export const linkEnrichment: Operation = (model, request) => {
  const at = address(model, request, 'enrich_store_id');
  if (!at.ok) return at.answer;
  const { caller, ds, otherId } = at.value;
  const denied = requirePermission(caller, ds, 'Editor');
  if (denied) return denied;
  const target = findDatastore(model, otherId);
  if (!target.ok) return target.answer;
  if (ds.enrichment_only) return fail(409, DETAIL.enrichmentStore(ds.id));
  if (target.value.id === ds.id) return fail(422, DETAIL.selfLink(ds.id));
  ds.enrichId = target.value.id;
  return ok(datastoreView(model, ds));
};

/** `DELETE /api/datastores/{datastore_id}/enrichment`: Admin only; a no-op when nothing is linked. */
export const unlinkEnrichment: Operation = (model, request) => {
  const at = address(model, request);
  if (!at.ok) return at.answer;
  const { caller, ds } = at.value;
  if (caller.role !== 'Admin') return fail(403, DETAIL.adminRequired);
  // Nothing linked means nothing to disconnect: the documented no-op wins over the 409.
  if (ds.enrichId === null) return { status: 204 };
  if (ds.activeExportOrMaterialize) return fail(409, DETAIL.activeOperations);
  ds.enrichId = null;
  ds.settings = { ...ds.settings, enrichment_remediation_strategy: 'none' };
  return { status: 204 };
};

/** The four settings out of a PUT body, canonical; every problem found, not just the first. */
function readSettingsPatch(body: RequestBody): Checked<Partial<Settings>> {
  const bad = (detail: string): Checked<Partial<Settings>> => ({ ok: false, answer: fail(422, detail) });
  if (body.kind === 'empty') return bad('Request body is required: a JSON object with the settings to change');
  if (body.kind === 'invalid') return bad('Request body is not valid JSON');
  const value = body.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return bad('Request body must be a JSON object');
  }
  const fields = value as Record<string, unknown>;
  const patch: Partial<Settings> = {};
  const problems: string[] = [];
  for (const spec of SETTINGS) {
    if (!Object.hasOwn(fields, spec.key)) continue;
    const problem = settingProblem(spec, fields[spec.key]);
    // settingProblem has checked the value's type, so the canonical form fits the key.
    if (problem) problems.push(problem);
    else Object.assign(patch, { [spec.key]: canonicalSetting(spec.key, fields[spec.key]) });
  }
  return problems.length > 0 ? bad(problems.join('; ')) : { ok: true, value: patch };
}

/**
 * `PUT /api/datastores/{datastore_id}`: partial update of the four settings. Other fields are
 * accepted and ignored, as pydantic ignores extra fields and the emulator models no others.
 */
export const updateSettings: Operation = (model, request) => {
  const at = address(model, request);
  if (!at.ok) return at.answer;
  const { caller, ds } = at.value;
  const denied = requirePermission(caller, ds, 'Editor');
  if (denied) return denied;
  const patch = readSettingsPatch(request.body);
  if (!patch.ok) return patch.answer;
  const strategy = patch.value.enrichment_remediation_strategy;
  if (strategy !== undefined && STRATEGIES_NEEDING_LINK.includes(strategy) && ds.enrichId === null) {
    return fail(422, DETAIL.strategyNeedsLink(strategy, ds.id));
  }
  ds.settings = { ...ds.settings, ...patch.value };
  return ok(datastoreView(model, ds));
};

/** Every datastore as an Admin's single GET shows it, in id order. */
export function snapshot(model: Model): ApiDatastore[] {
  return model.ordered.map((ds) => datastoreView(model, ds));
}
