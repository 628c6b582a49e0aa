/**
 * Servers that want the whole datastore in `PUT /datastores/{id}`.
 *
 * The enrichment API page documents PUT as partial: send only the settings that change. The official
 * CLI found deployments that answer such a body with a 422 listing required fields as missing
 * (Qualytics/qualytics-cli commit 0d5c7c5, `flatten_datastore_for_put` in
 * qualytics/services/datastores.py) and now reads the datastore, flattens it and sends it back whole
 * with the change merged in. enrichctl does the same, but only once a server has said so, and then
 * proves that the round trip left everything but the settings as it was.
 */
import type { ApiDatastore, SettingsPatch } from '../core/api-types.js';
import type { ApiError } from './errors.js';

/** The 422 of a server that wants the whole datastore: FastAPI's `missing` errors on body fields. */
export function missingBodyFields(error: ApiError): string[] {
  if (error.status !== 422) return [];
  return error.problems
    .filter((p) => p.type === 'missing' && p.loc[0] === 'body' && p.loc.length > 1)
    .map((p) => p.loc.slice(1).join('.'));
}

/**
 * A GET answer in the shape PUT accepts, as the official CLI makes it: `teams` and `tags` objects
 * become lists of names, the `connection` object becomes `connection_id`. Every other field goes back
 * as the GET returned it, and no field the GET did not return is added.
 */
export function flattenForPut(datastore: ApiDatastore): Record<string, unknown> {
  const flat: Record<string, unknown> = { ...datastore };
  for (const key of ['teams', 'tags'] as const) {
    const list = flat[key];
    if (Array.isArray(list)) flat[key] = list.map((item: unknown) => (isNamed(item) ? item.name : item));
  }
  const connection = flat.connection;
  if (isRecord(connection) && 'id' in connection) {
    if (!('connection_id' in flat)) flat.connection_id = connection.id;
    delete flat.connection;
  }
  return flat;
}

export function mergeForPut(datastore: ApiDatastore, patch: SettingsPatch): Record<string, unknown> {
  return { ...flattenForPut(datastore), ...patch };
}

/**
 * What a whole-datastore PUT must not have changed: its name, teams, tags and connection. Each that
 * differs between the GET before the PUT and the PUT's answer, described (empty when untouched).
 * A field absent from the answer is not compared: a server may answer with less than the GET.
 */
export function collateralChanges(before: ApiDatastore, after: ApiDatastore): string[] {
  const out: string[] = [];
  const compare = (label: string, a: unknown, b: unknown): void => {
    if (b === undefined) return;
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${label} changed from ${JSON.stringify(a)} to ${JSON.stringify(b)}`);
  };
  compare('name', before.name, after.name);
  compare('teams', names(before.teams), names(after.teams));
  compare('tags', names(before.global_tags ?? before.tags), names(after.global_tags ?? after.tags));
  compare('connection', connectionId(before), connectionId(after));
  return out;
}

/** The sorted names of a list of `{name}` objects or strings; undefined when it is not a list. */
function names(list: unknown): string[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((item: unknown) => (isNamed(item) ? item.name : String(item))).sort();
}

function connectionId(ds: ApiDatastore): unknown {
  return isRecord(ds.connection) ? ds.connection.id : ds.connection_id;
}

function isNamed(item: unknown): item is { name: string } {
  return isRecord(item) && typeof item.name === 'string';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
