/**
 * The emulator's in-memory model, built once from a seed. Datastores are never added or removed
 * (the API enrichctl uses cannot do either), so the id-ordered array is fixed and list requests
 * are one pass over it. A PUT may change a datastore's name, teams, tags and connection besides
 * its settings and link: `version` counts the changes that affect who may read what and in which
 * order, so cached per-caller lists know when they are stale.
 */
import { normalisePrefix } from '../core/prefix.js';
import { SETTINGS, STRATEGIES_NEEDING_LINK, type Settings, type SettingSpec } from '../core/settings.js';
import { isSettingField, SETTING_FIELD_RULES } from './setting-rules.js';
import { settingValueProblem } from './validation.js';
import type { TeamRef } from '../core/api-types.js';
import { TEAM_PERMISSIONS, type NameFilter, type PutMode, type Seed, type TeamPermission, type UserRole } from '../core/seed-types.js';

export type StoredDatastore = {
  readonly id: number;
  name: string;
  /** Lower-cased once per name, for the case-insensitive `search` filter. */
  nameLower: string;
  readonly store_type: string;
  readonly type: string;
  readonly enrichment_only: boolean;
  /** In the seed's (or the last PUT's) order: the 403 text lists them that way. */
  teams: readonly TeamRef[];
  tags: readonly string[];
  connection: { readonly id: number; readonly name: string };
  readonly activeExportOrMaterialize: boolean;
  settings: Settings;
  enrichId: number | null;
};

export type Caller = {
  readonly id: number;
  readonly name: string;
  readonly role: UserRole;
  /** Team name -> rank in TEAM_PERMISSIONS; teams the user is not in are absent. */
  readonly ranks: ReadonlyMap<string, number>;
};

export type Model = {
  readonly byId: ReadonlyMap<number, StoredDatastore>;
  /** Sorted by id. */
  readonly ordered: readonly StoredDatastore[];
  /** `ordered` split by `enrichment_only` (fixed: no request adds or removes a datastore or changes its kind). */
  readonly ofKind: { readonly source: readonly StoredDatastore[]; readonly enrichment: readonly StoredDatastore[] };
  /** Name -> the datastores so named, by id: what an exact name filter can match, as a server's index finds it. Kept by `rename`. */
  readonly named: ReadonlyMap<string, readonly StoredDatastore[]>;
  readonly callersByToken: ReadonlyMap<string, Caller>;
  /** Fixed when the seed is loaded: every datastore's `created`. */
  readonly created: string;
  readonly listItemsCarryEnrichment: boolean;
  readonly put: PutMode;
  readonly nameFilter: NameFilter;
  /** Every team name the seed mentions -> its id. A PUT can only name these teams. */
  readonly teamIds: ReadonlyMap<string, number>;
  /** Connection id -> name, from the seed, for a PUT that moves a datastore to another connection. */
  readonly connectionNames: ReadonlyMap<number, string>;
  /** Bumped by every change to a name or to teams (the readable lists and the name order depend on them). */
  version: number;
};

export const PUBLIC_TEAM = 'Public';
/** What Public membership grants when the seed does not say otherwise. */
export const PUBLIC_DEFAULT_PERMISSION: TeamPermission = 'Reporter';
const DEFAULT_STORE_TYPE = 'jdbc';
const DEFAULT_TYPE = 'postgresql';

export function permissionRank(permission: TeamPermission): number {
  return TEAM_PERMISSIONS.indexOf(permission);
}

export interface ModelOptions {
  listItemsCarryEnrichment?: boolean;
  /** Overrides the seed's `put`. */
  put?: PutMode;
  /** Overrides the seed's `name_filter`. */
  nameFilter?: NameFilter;
  /** Defaults to now; tests pass a fixed clock. */
  now?: Date;
}

/**
 * Builds the model, refusing a seed the API itself could never reach (duplicate ids or tokens, a
 * link to an unknown datastore, an out-of-range setting, append/overwrite without a link...), so
 * every rule can rely on the invariants.
 */
export function buildModel(seed: Seed, options: ModelOptions = {}): Model {
  const problems: string[] = SETTINGS.filter((spec) => !isSettingField(spec.key)).map(
    (spec) => `setting ${spec.key} has no rule in src/emulator/setting-rules.ts: the emulator cannot say what the server accepts`,
  );
  const teamIds = assignTeamIds(seed);
  const byId = new Map<number, StoredDatastore>();
  const connectionNames = new Map<number, string>();
  for (const raw of seed.datastores) {
    if (!Number.isSafeInteger(raw.id)) problems.push(`datastore id ${String(raw.id)} is not an integer`);
    if (byId.has(raw.id)) problems.push(`datastore id ${raw.id} appears twice`);
    const settings: Record<string, unknown> = {};
    for (const spec of SETTINGS) {
      const given: unknown = raw[spec.key];
      // The prefix default derives from the name, which may hold no letter or digit: check the given value only.
      const checked = given ?? defaultValue(spec);
      const problem = checked === undefined || !isSettingField(spec.key) ? undefined : settingValueProblem(spec.key, checked);
      if (problem) problems.push(`datastore ${raw.id}: ${problem}`);
      const stored = given ?? defaultValue(spec) ?? raw.name;
      const rule = isSettingField(spec.key) ? SETTING_FIELD_RULES[spec.key] : undefined;
      settings[spec.key] = rule?.kind === 'prefix' && typeof stored === 'string' ? normalisePrefix(stored) : stored;
    }
    const teams = (raw.teams ?? [PUBLIC_TEAM]).map((name) => ({ id: teamIds.get(name) ?? 0, name }));
    const connection = { id: raw.connection?.id ?? raw.id, name: raw.connection?.name ?? `${raw.name} connection` };
    if (!connectionNames.has(connection.id)) connectionNames.set(connection.id, connection.name);
    byId.set(raw.id, {
      id: raw.id,
      name: raw.name,
      nameLower: raw.name.toLowerCase(),
      store_type: raw.store_type ?? DEFAULT_STORE_TYPE,
      type: raw.type ?? DEFAULT_TYPE,
      enrichment_only: raw.enrichment_only ?? false,
      teams,
      tags: [...new Set(raw.tags ?? [])],
      connection,
      activeExportOrMaterialize: raw.active_export_or_materialize ?? false,
      // Every setting of the table was set just above, and checked (problems throw below).
      settings: settings as Settings,
      enrichId: raw.enrich_datastore ?? null,
    });
  }
  for (const ds of byId.values()) {
    if (ds.enrichId === null) {
      if (STRATEGIES_NEEDING_LINK.includes(ds.settings.enrichment_remediation_strategy)) {
        problems.push(`datastore ${ds.id}: strategy '${ds.settings.enrichment_remediation_strategy}' needs a linked enrichment datastore`);
      }
      continue;
    }
    const target = byId.get(ds.enrichId);
    if (!target) problems.push(`datastore ${ds.id}: enrich_datastore ${ds.enrichId} does not exist`);
    else if (!target.enrichment_only && target.id !== ds.id) {
      problems.push(`datastore ${ds.id}: enrich_datastore ${ds.enrichId} is not an enrichment-only datastore`);
    }
    if (ds.enrichId === ds.id) problems.push(`datastore ${ds.id}: linked to itself`);
    if (ds.enrichment_only) problems.push(`datastore ${ds.id}: an enrichment-only datastore cannot have an enrichment link`);
  }
  const callersByToken = new Map<string, Caller>();
  seed.users.forEach((user, index) => {
    if (user.token === '') problems.push(`user ${user.name}: empty token`);
    if (callersByToken.has(user.token)) problems.push(`user ${user.name}: token shared with another user`);
    const ranks = new Map<string, number>([[PUBLIC_TEAM, permissionRank(PUBLIC_DEFAULT_PERMISSION)]]);
    for (const [team, permission] of Object.entries(user.teams ?? {})) ranks.set(team, permissionRank(permission));
    callersByToken.set(user.token, { id: index + 1, name: user.name, role: user.role, ranks });
  });
  if (problems.length > 0) throw new Error(`invalid emulator seed:\n- ${problems.join('\n- ')}`);
  const ordered = [...byId.values()].sort((a, b) => a.id - b.id);
  const named = new Map<string, StoredDatastore[]>();
  for (const ds of ordered) {
    const same = named.get(ds.name);
    if (same) same.push(ds);
    else named.set(ds.name, [ds]);
  }
  return {
    byId,
    ordered,
    ofKind: { source: ordered.filter((ds) => !ds.enrichment_only), enrichment: ordered.filter((ds) => ds.enrichment_only) },
    named,
    callersByToken,
    created: (options.now ?? new Date()).toISOString(),
    listItemsCarryEnrichment: options.listItemsCarryEnrichment ?? true,
    put: options.put ?? seed.put ?? 'partial',
    nameFilter: options.nameFilter ?? seed.name_filter ?? 'exact',
    teamIds,
    connectionNames,
    version: 0,
  };
}

/** Renames a datastore, keeping the name index (`named`) and `version` (the name order changed). */
export function rename(model: Model, ds: StoredDatastore, name: string): void {
  const named = model.named as Map<string, StoredDatastore[]>;
  const before = named.get(ds.name)!.filter((other) => other !== ds);
  if (before.length > 0) named.set(ds.name, before);
  else named.delete(ds.name);
  const after = [...(named.get(name) ?? []), ds].sort((a, b) => a.id - b.id);
  named.set(name, after);
  ds.name = name;
  ds.nameLower = name.toLowerCase();
  model.version += 1;
}

/** A new datastore's value of a setting, from the table; the prefix's derives from the name (undefined here). */
function defaultValue(spec: SettingSpec): string | number | undefined {
  return spec.kind === 'prefix' ? undefined : spec.default;
}

/** Public is team 1; the other names get 2, 3, ... in sorted order, so ids do not depend on seed order. */
function assignTeamIds(seed: Seed): Map<string, number> {
  const names = new Set<string>();
  for (const ds of seed.datastores) for (const team of ds.teams ?? []) names.add(team);
  for (const user of seed.users) for (const team of Object.keys(user.teams ?? {})) names.add(team);
  names.delete(PUBLIC_TEAM);
  const ids = new Map<string, number>([[PUBLIC_TEAM, 1]]);
  [...names].sort().forEach((name, i) => ids.set(name, i + 2));
  return ids;
}
