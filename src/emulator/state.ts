/**
 * The rules of the emulated Qualytics API, one function per endpoint, over the in-memory model.
 * No HTTP here: `server.ts` turns requests into `ApiRequest`s and `Answer`s back into responses.
 *
 * Every operation checks in the same order, so the first failing check decides the answer:
 *   401 (token) -> 422 list (path ids not integers, with the body's errors as FastAPI collects
 *   them) -> 404 (source) -> 403 (role / team) -> 404 (enrichment datastore) -> 409 (source is
 *   enrichment-only) -> 422 (self-link) -> 409 (target not enrichment-only) -> 422 list (body)
 *   -> 422 string (rules across fields and state).
 * Each operation validates everything before it mutates, so a rejected request changes nothing.
 * Request validation errors are FastAPI's lists (`validation.ts`); business rules answer strings.
 * See README.md beside this file for the choices made where the API reference is silent.
 */
import type { ApiDatastore } from '../core/api-types.js';
import { STRATEGIES_NEEDING_LINK } from '../core/settings.js';
import { permissionRank, rename, type Caller, type Model, type StoredDatastore } from './model.js';
import { readPutBody, type DatastorePatch, type RequestBody } from './put-body.js';
import type { TeamPermission } from '../core/seed-types.js';
import { parseIntParam, unprocessable, type ValidationError } from './validation.js';
import { datastoreView } from './views.js';

export type { RequestBody } from './put-body.js';

export type ApiRequest = {
  /** The raw `Authorization` header. */
  authorization: string | undefined;
  /** Path parameters, percent-decoded, by the names FastAPI gives them. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  body: RequestBody;
};

export type Answer = { status: number; body?: unknown; headers?: Readonly<Record<string, string>> };

export type Endpoint = (model: Model, request: ApiRequest) => Answer;

type Checked<T> = { ok: true; value: T } | { ok: false; answer: Answer };

export const DETAIL = {
  notAuthenticated: 'Not authenticated',
  invalidScheme: 'Invalid authentication credentials',
  badToken: 'Could not validate credentials',
  adminRequired: 'Admin role required',
  activeOperations: 'Cannot disconnect enrichment datastore: active export or materialize operations exist',
  notFound: (id: number) => `Datastore id: ${id} not found`,
  enrichmentStore: (id: number) => `The datastore id: ${id} is an enrichment store`,
  notEnrichmentStore: (id: number) => `The datastore id: ${id} is not an enrichment store`,
  enrichmentOnlyFixed: (id: number, value: boolean) =>
    `enrichment_only cannot be changed: datastore id: ${id} is ${value ? 'an enrichment' : 'a source'} datastore`,
  unknownTeams: (names: readonly string[]) => `Teams not found: ${pythonList(names)}`,
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


function findDatastore(model: Model, id: number): Checked<StoredDatastore> {
  const ds = model.byId.get(id);
  return ds ? { ok: true, value: ds } : { ok: false, answer: fail(404, DETAIL.notFound(id)) };
}

/**
 * Admins bypass team checks; others (Manager and Member alike) need `needed` or higher in at
 * least one of the datastore's teams.
 */
export function holdsPermission(caller: Caller, ds: StoredDatastore, needed: TeamPermission): boolean {
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
 * as FastAPI validates parameters before the handler; it reports the body's errors in the same
 * list, which `bodyErrors` supplies), 404 (the source datastore).
 */
function address(
  model: Model,
  request: ApiRequest,
  options: { otherParam?: string; bodyErrors?: () => ValidationError[] } = {},
): Checked<Addressed> {
  const caller = authenticate(model, request.authorization);
  if (!caller.ok) return caller;
  const names = options.otherParam === undefined ? ['datastore_id'] : ['datastore_id', options.otherParam];
  const ids: number[] = [];
  const errors: ValidationError[] = [];
  for (const name of names) {
    const parsed = parseIntParam(['path', name], request.params[name] ?? '');
    if (parsed.ok) ids.push(parsed.value);
    else errors.push(parsed.error);
  }
  if (errors.length > 0) return { ok: false, answer: unprocessable([...errors, ...(options.bodyErrors?.() ?? [])]) };
  const [id = NaN, otherId = NaN] = ids;
  const ds = findDatastore(model, id);
  if (!ds.ok) return ds;
  return { ok: true, value: { caller: caller.value, ds: ds.value, otherId } };
}

// ---------------------------------------------------------------------------------------------
// Public endpoints.

export const health: Endpoint = () => ({ status: 204 });

export const status: Endpoint = () => ok({ database_connection: 'OK', rabbitmq_connection: 'OK' });

export const currentUser: Endpoint = (model, request) => {
  const caller = authenticate(model, request.authorization);
  if (!caller.ok) return caller.answer;
  return ok({ id: caller.value.id, name: caller.value.name, role: caller.value.role });
};

// ---------------------------------------------------------------------------------------------
// Reads (the listing is in listing.ts).

export const getDatastore: Endpoint = (model, request) => {
  const at = address(model, request);
  if (!at.ok) return at.answer;
  const { caller, ds } = at.value;
  return requirePermission(caller, ds, 'Reporter') ?? ok(datastoreView(model, ds));
};

// ---------------------------------------------------------------------------------------------
// Writes.

/** `PATCH /api/datastores/{datastore_id}/enrichment/{enrich_store_id}`: link, re-confirm or switch. */
export const linkEnrichment: Endpoint = (model, request) => {
  const at = address(model, request, { otherParam: 'enrich_store_id' });
  if (!at.ok) return at.answer;
  const { caller, ds, otherId } = at.value;
  const denied = requirePermission(caller, ds, 'Editor');
  if (denied) return denied;
  const target = findDatastore(model, otherId);
  if (!target.ok) return target.answer;
  if (ds.enrichment_only) return fail(409, DETAIL.enrichmentStore(ds.id));
  // Before the target's kind, so a self-link keeps its own, clearer answer.
  if (target.value.id === ds.id) return fail(422, DETAIL.selfLink(ds.id));
  if (!target.value.enrichment_only) return fail(409, DETAIL.notEnrichmentStore(target.value.id));
  ds.enrichId = target.value.id;
  return ok(datastoreView(model, ds));
};

/** `DELETE /api/datastores/{datastore_id}/enrichment`: Admin only; a no-op when nothing is linked. */
export const unlinkEnrichment: Endpoint = (model, request) => {
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

/**
 * `PUT /api/datastores/{datastore_id}`: the four settings, and `name`, `teams` (names, replacing
 * the list), `tags` (likewise) and `connection_id`. Absent fields stay unchanged; in `full` mode
 * `name`, `connection_id` and `enrichment_only` must be present. Other fields are accepted and
 * ignored, as pydantic ignores extra fields and the emulator models no others.
 */
export const updateSettings: Endpoint = (model, request) => {
  const body = readPutBody(request.body, model.put);
  const at = address(model, request, { bodyErrors: () => (body.ok ? [] : body.errors) });
  if (!at.ok) return at.answer;
  const { caller, ds } = at.value;
  const denied = requirePermission(caller, ds, 'Editor');
  if (denied) return denied;
  if (!body.ok) return unprocessable(body.errors);
  const refused = refusePatch(model, ds, body.value);
  if (refused) return refused;
  applyPatch(model, ds, body.value);
  return ok(datastoreView(model, ds));
};

/** The rules a well-formed body can still break, as string details. */
function refusePatch(model: Model, ds: StoredDatastore, patch: DatastorePatch): Answer | undefined {
  if (patch.enrichmentOnly !== undefined && patch.enrichmentOnly !== ds.enrichment_only) {
    return fail(422, DETAIL.enrichmentOnlyFixed(ds.id, ds.enrichment_only));
  }
  const unknown = (patch.teams ?? []).filter((name) => !model.teamIds.has(name));
  if (unknown.length > 0) return fail(422, DETAIL.unknownTeams(unknown));
  const strategy = patch.settings.enrichment_remediation_strategy;
  if (strategy !== undefined && STRATEGIES_NEEDING_LINK.includes(strategy) && ds.enrichId === null) {
    return fail(422, DETAIL.strategyNeedsLink(strategy, ds.id));
  }
  return undefined;
}

function applyPatch(model: Model, ds: StoredDatastore, patch: DatastorePatch): void {
  ds.settings = { ...ds.settings, ...patch.settings };
  if (patch.name !== undefined && patch.name !== ds.name) rename(model, ds, patch.name);
  if (patch.teams !== undefined) {
    ds.teams = patch.teams.map((name) => ({ id: model.teamIds.get(name) ?? 0, name }));
    model.version += 1; // who may read it may have changed
  }
  if (patch.tags !== undefined) ds.tags = patch.tags;
  if (patch.connectionId !== undefined && patch.connectionId !== ds.connection.id) {
    const name = model.connectionNames.get(patch.connectionId) ?? `Connection ${patch.connectionId}`;
    ds.connection = { id: patch.connectionId, name };
  }
}

/** Every datastore as an Admin's single GET shows it, in id order. */
export function snapshot(model: Model): ApiDatastore[] {
  return model.ordered.map((ds) => datastoreView(model, ds));
}
