/**
 * How a stored datastore looks on the wire: the single GET (every field) and the lighter list item.
 */
import type { ApiDatastore, EnrichDatastoreRef, ListDatastoreItem, TeamRef } from '../core/api-types.js';
import type { Settings } from '../core/settings.js';
import type { Model, StoredDatastore } from './model.js';

type CommonFields = {
  id: number;
  name: string;
  store_type: string;
  type: string;
  enrichment_only: boolean;
  created: string;
  connected: boolean;
  favorite: boolean;
  global_tags: string[];
  teams: TeamRef[];
};
type EnrichmentFields = Settings & { enrich_datastore: EnrichDatastoreRef | null };

function enrichRef(model: Model, id: number | null): EnrichDatastoreRef | null {
  const target = id === null ? undefined : model.byId.get(id);
  if (!target) return null;
  return {
    id: target.id,
    name: target.name,
    store_type: target.store_type,
    type: target.type,
    enrichment_only: target.enrichment_only,
  };
}

type Identity = Pick<CommonFields, 'id' | 'name' | 'store_type' | 'type' | 'enrichment_only'>;
type Extras = Omit<CommonFields, keyof Identity>;

function identity(ds: StoredDatastore): Identity {
  return { id: ds.id, name: ds.name, store_type: ds.store_type, type: ds.type, enrichment_only: ds.enrichment_only };
}

/** Realistic fields enrichctl does not use; present so a client proves it tolerates them. */
function extras(model: Model, ds: StoredDatastore): Extras {
  return {
    created: model.created,
    connected: true,
    favorite: false,
    global_tags: [],
    teams: ds.teams.map((t) => ({ id: t.id, name: t.name })),
  };
}

function enrichmentFields(model: Model, ds: StoredDatastore): EnrichmentFields {
  return { ...ds.settings, enrich_datastore: enrichRef(model, ds.enrichId) };
}

/** `GET /api/datastores/{id}`. */
export function datastoreView(model: Model, ds: StoredDatastore): ApiDatastore {
  return {
    ...identity(ds),
    ...enrichmentFields(model, ds),
    ...extras(model, ds),
    connection: { id: ds.id, name: `${ds.name} connection`, type: ds.type },
  };
}

/** One item of `GET /api/datastores`: no `connection`; no enrichment part when the model says so. */
export function listItemView(model: Model, ds: StoredDatastore): ListDatastoreItem {
  return model.listItemsCarryEnrichment
    ? { ...identity(ds), ...enrichmentFields(model, ds), ...extras(model, ds) }
    : { ...identity(ds), ...extras(model, ds) };
}
