/**
 * How a stored datastore looks on the wire: the single GET (every field) and the lighter list item.
 */
import type { ApiDatastore, EnrichDatastoreRef, ListDatastoreItem } from '../core/api-types.js';
import { SETTINGS } from '../core/settings.js';
import type { Model, StoredDatastore } from './model.js';

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

/** One item of `GET /api/datastores`: no `connection`; no enrichment part when the model says so. */
export function listItemView(model: Model, ds: StoredDatastore): ListDatastoreItem {
  return model.listItemsCarryEnrichment ? render(model, ds, 'list') : render(model, ds, 'list-light');
}

/** `GET /api/datastores/{id}`. */
export function datastoreView(model: Model, ds: StoredDatastore): ApiDatastore {
  return render(model, ds, 'full');
}

function render(model: Model, ds: StoredDatastore, shape: 'full' | 'list'): ApiDatastore;
function render(model: Model, ds: StoredDatastore, shape: 'list-light'): ListDatastoreItem;
/**
 * Plain assignments rather than spreads: object spread costs microseconds per item on Node 20, which
 * would dominate a 100-item page. The settings are copied by the table, in its order.
 */
function render(model: Model, ds: StoredDatastore, shape: 'full' | 'list' | 'list-light'): ListDatastoreItem {
  const teams = ds.teams.map((t) => ({ id: t.id, name: t.name }));
  // As the user guide's GET example shows them (docs/source-datastore/add-datastores/api.md).
  const global_tags = ds.tags.map((name) => ({ name }));
  // Realistic fields enrichctl does not use; present so a client proves it tolerates them.
  const created = model.created;
  if (shape === 'list-light') {
    const { id, name, store_type, type, enrichment_only } = ds;
    return { id, name, store_type, type, enrichment_only, teams, created, connected: true, favorite: false, global_tags };
  }
  const view: Record<string, unknown> = { id: ds.id, name: ds.name, store_type: ds.store_type, type: ds.type, enrichment_only: ds.enrichment_only };
  for (const { key } of SETTINGS) view[key] = ds.settings[key];
  view.enrich_datastore = enrichRef(model, ds.enrichId);
  view.teams = teams;
  view.created = created;
  view.connected = true;
  view.favorite = false;
  view.global_tags = global_tags;
  if (shape === 'full') view.connection = { id: ds.connection.id, name: ds.connection.name, type: ds.type };
  // The fields of ApiDatastore, each set above (the settings by the table).
  return view as ApiDatastore;
}
