/**
 * Builds `schemas/emulator-seed.schema.json` from the seed types and the SETTINGS table (the same
 * arrangement as the manifest schema: TypeScript is the source, `npm run schemas` writes the file).
 */
import { SETTINGS, type SettingKey } from '../core/settings.js';
import { settingSchema, type JsonSchema } from '../core/setting-schema.js';
import { NAME_FILTERS, PUT_MODES, TEAM_PERMISSIONS, USER_ROLES, type Seed, type SeedConnection, type SeedDatastore, type SeedUser } from '../core/seed-types.js';

const USER_PROPERTIES = {
  name: { title: 'Name', description: 'The user\'s display name, as `GET /api/users/me` answers it.', type: 'string', minLength: 1 },
  role: { title: 'Role', description: 'The user role: Admins bypass every team check.', type: 'string', enum: [...USER_ROLES] },
  token: { title: 'API token', description: 'The bearer token that authenticates as this user. Unique across users.', type: 'string', minLength: 1 },
  teams: {
    title: 'Team permissions',
    description: 'Team name -> the permission held there. Every user is also in Public (as Reporter unless given here).',
    type: 'object',
    additionalProperties: {
      title: 'Team permission',
      description: 'The permission held in this team, lowest to highest: Reporter, Viewer, Drafter, Author, Editor.',
      type: 'string',
      enum: [...TEAM_PERMISSIONS],
    },
  },
} satisfies Record<keyof SeedUser, JsonSchema>;

const DATASTORE_PROPERTIES = {
  id: { title: 'Id', description: 'The datastore id. Unique within the seed.', type: 'integer', minimum: 1 },
  name: { title: 'Name', description: 'The datastore name. Names need not be unique (the real API does not guarantee it).', type: 'string', minLength: 1 },
  store_type: { title: 'Store type', description: 'An opaque store type such as jdbc or dfs. Default jdbc.', type: 'string', default: 'jdbc' },
  type: { title: 'Type', description: 'The connector type such as postgresql. Default postgresql.', type: 'string', default: 'postgresql' },
  teams: {
    title: 'Teams',
    description: 'The teams the datastore belongs to. Default [Public].',
    type: 'array',
    items: { title: 'Team', description: 'A team name.', type: 'string', minLength: 1 },
    minItems: 1,
    uniqueItems: true,
    default: ['Public'],
  },
  enrichment_only: {
    title: 'Enrichment only',
    description: 'True for an enrichment datastore: it can be linked to, but cannot have a link itself.',
    type: 'boolean',
    default: false,
  },
  enrich_datastore: {
    title: 'Linked enrichment datastore',
    description: 'The id of the linked enrichment datastore (another datastore of this seed), or null for none.',
    type: ['integer', 'null'],
    minimum: 1,
  },
  active_export_or_materialize: {
    title: 'Active export or materialize operations',
    description: 'True makes unlinking answer 409, as the real server does when such operations exist.',
    type: 'boolean',
    default: false,
  },
  tags: {
    title: 'Tags',
    description: 'Tag names, answered as global_tags: [{name}] and matched by the list filter tag. Default none.',
    type: 'array',
    items: { title: 'Tag', description: 'A tag name.', type: 'string', minLength: 1 },
    uniqueItems: true,
    default: [],
  },
  connection: {
    title: 'Connection',
    description: 'The connection the single GET answers as connection: {id, name, type}. Default: the datastore id, named "<name> connection".',
    type: 'object',
    additionalProperties: false,
    required: ['id'] satisfies (keyof SeedConnection)[],
    properties: {
      id: { title: 'Connection id', description: 'The connection id (connections may be shared by datastores).', type: 'integer', minimum: 1 },
      name: { title: 'Connection name', description: 'Default "<datastore name> connection".', type: 'string', minLength: 1 },
    } satisfies Record<keyof SeedConnection, JsonSchema>,
  },
} satisfies Record<Exclude<keyof SeedDatastore, SettingKey>, JsonSchema>;

export const SEED_USER_SCHEMA: JsonSchema = {
  title: 'User',
  description: 'A user the emulator authenticates by token.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role', 'token'] satisfies (keyof SeedUser)[],
  properties: USER_PROPERTIES,
};

export const SEED_DATASTORE_SCHEMA: JsonSchema = {
  title: 'Datastore',
  description: 'A datastore of the emulated deployment, with its enrichment link and settings.',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'] satisfies (keyof SeedDatastore)[],
  properties: { ...DATASTORE_PROPERTIES, ...Object.fromEntries(SETTINGS.map((s) => [s.key, settingSchema(s, s.kind === 'prefix' ? 'Left out: derived from the name.' : "Left out: the server's default.")])) },
};

export function buildSeedSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'enrichctl emulator seed',
    description: 'The users and datastores the bundled Qualytics API emulator starts with.',
    type: 'object',
    additionalProperties: false,
    required: ['users', 'datastores'] satisfies (keyof Seed)[],
    properties: {
      users: { title: 'Users', description: 'The users, each with a unique token.', type: 'array', items: SEED_USER_SCHEMA },
      datastores: { title: 'Datastores', description: 'The datastores, each with a unique id.', type: 'array', items: SEED_DATASTORE_SCHEMA },
      name_filter: {
        title: 'Listing name filter',
        description:
          'exact (default): GET /datastores?name= keeps datastores of exactly that name, as the user guide documents. ' +
          'substring: a case-insensitive substring match, as older servers filtered.',
        type: 'string',
        enum: [...NAME_FILTERS],
        default: 'exact',
      },
      put: {
        title: 'PUT semantics',
        description:
          'partial (default): a PUT body changes only the fields it has, as the enrichment API page says. ' +
          'full: a body without name, connection_id or enrichment_only is a 422, as the official CLI (commit 0d5c7c5) says the endpoint requires.',
        type: 'string',
        enum: [...PUT_MODES],
        default: 'partial',
      },
    } satisfies Record<keyof Seed, JsonSchema>,
  };
}

export const SEED_SCHEMA: JsonSchema = buildSeedSchema();
