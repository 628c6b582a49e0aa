/**
 * The live deployment as an emulator seed (`enrichctl export --format seed`): a rehearsal copy that
 * answers like production for everything enrichctl does. Pure: an Observation and the token's user
 * in, a Seed out, deterministic (datastores in id order, teams and tags as the API listed them).
 *
 * What a token cannot see cannot be copied. Choices, each documented in the README:
 * - the token's user keeps its name and role, with a placeholder token (never the real one), and is
 *   Editor in every team seen, so it can read and write in the copy what it could see in production;
 * - when that user is not an Admin, a placeholder Admin is added, so unlinks can be rehearsed too;
 * - a linked enrichment datastore the token could not read is copied as an enrichment datastore
 *   with the name the link showed, in a team nobody is in, so it stays invisible in the copy too.
 */
import type { ApiUser } from '../core/api-types.js';
import { normalisePrefix } from '../core/prefix.js';
import { SETTINGS } from '../core/settings.js';
import type { Seed, SeedDatastore, SeedUser, TeamPermission, UserRole } from '../core/seed-types.js';
import { USER_ROLES } from '../core/seed-types.js';
import type { Observation, ObservedDatastore } from '../model/observation.js';

export const REHEARSAL_TOKEN = 'rehearsal-token';
export const REHEARSAL_ADMIN_TOKEN = 'rehearsal-admin-token';
/** The team of the datastores the token could not read. */
export const HIDDEN_TEAM = 'Not visible to the exporting token';

export function seedFromLive(observed: Observation, me: Pick<ApiUser, 'name' | 'role'>): Seed {
  const datastores: SeedDatastore[] = [];
  const teams = new Set<string>();
  for (const d of [...observed.datastores.values()].sort((a, b) => a.id - b.id)) {
    datastores.push(seedDatastore(d));
    for (const t of d.details?.teams ?? []) teams.add(t);
  }
  const seen = new Set(datastores.map((d) => d.id));
  for (const d of observed.datastores.values()) {
    const link = d.state?.enrich_datastore;
    if (!link || seen.has(link.id)) continue;
    seen.add(link.id);
    datastores.push({ id: link.id, name: link.name, enrichment_only: true, teams: [HIDDEN_TEAM] });
  }
  datastores.sort((a, b) => a.id - b.id);

  const role: UserRole = USER_ROLES.find((r) => r === me.role) ?? 'Member';
  const editor: Record<string, TeamPermission> = Object.fromEntries([...teams].sort().map((t) => [t, 'Editor']));
  const users: SeedUser[] = [{ name: me.name, role, token: REHEARSAL_TOKEN, ...(role === 'Admin' || teams.size === 0 ? {} : { teams: editor }) }];
  if (role !== 'Admin') users.push({ name: 'Rehearsal Admin', role: 'Admin', token: REHEARSAL_ADMIN_TOKEN });
  return { users, datastores };
}

function seedDatastore(d: ObservedDatastore): SeedDatastore {
  const out: SeedDatastore = { id: d.id, name: d.name };
  const details = d.details ?? {};
  if (details.store_type !== undefined) out.store_type = details.store_type;
  if (details.type !== undefined) out.type = details.type;
  if (details.teams !== undefined && details.teams.length > 0) out.teams = [...details.teams];
  if (d.enrichment_only) out.enrichment_only = true;
  if (details.tags !== undefined && details.tags.length > 0) out.tags = [...details.tags];
  if (details.connection !== undefined) out.connection = { ...details.connection };
  const state = d.state;
  if (state) {
    for (const spec of SETTINGS) Object.assign(out, { [spec.key]: state[spec.key] });
    // A prefix derived from the name is left for the emulator to derive again: a long name's, or that
    // of a name with no letter or digit, is one a seed (checked as a PUT body is) could not give.
    if (out.enrichment_prefix === normalisePrefix(d.name)) delete out.enrichment_prefix;
    if (state.enrich_datastore) out.enrich_datastore = state.enrich_datastore.id;
  }
  return out;
}
