/**
 * The live state `explain` needs for one datastore, in the fewest requests: by id, one
 * GET /datastores/{id}; by name, one name-filtered page of the source listing, whose item carries the
 * name, type and tags rules match on and (on servers whose list items have them) the enrichment fields,
 * else one GET by id. Only when that finds nothing is more asked: a datastore named with digits, or an
 * enrichment datastore of that name (for a precise message).
 */
import { emptyObservation, type Observation } from '../model/observation.js';
import type { QualyticsClient } from './client.js';
import { lookUpNames, readByIds } from './observe.js';

export async function observeOne(client: QualyticsClient, ref: string): Promise<Observation> {
  const obs = emptyObservation();
  if (/^[0-9]+$/.test(ref)) {
    const id = Number(ref);
    await readByIds(client, obs, [id]);
    if (obs.datastores.has(id) || obs.denied.has(id)) return obs;
  }
  await lookUpNames(client, obs, [ref], 'source');
  const sources = obs.names.get(ref) ?? [];
  if (sources.length === 0) {
    obs.names.delete(ref);
    await lookUpNames(client, obs, [ref], 'enrichment');
  } else if (sources.length === 1 && obs.datastores.get(sources[0]!)?.state === undefined) {
    await readByIds(client, obs, sources);
  }
  return obs;
}
