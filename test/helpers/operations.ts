/** The client's writes as tests ask for them: one planned operation each, sent by `perform`. */
import type { Performed, QualyticsClient } from '../../src/api/client.js';
import type { SettingsPatch } from '../../src/core/api-types.js';

export function link(client: QualyticsClient, id: number, enrichId: number): Promise<Performed> {
  return client.perform(id, { type: 'link', enrich_datastore: { id: enrichId, name: '' } });
}

export function updateSettings(client: QualyticsClient, id: number, body: SettingsPatch): Promise<Performed> {
  return client.perform(id, { type: 'update_settings', body });
}

export function unlink(client: QualyticsClient, id: number): Promise<Performed> {
  return client.perform(id, { type: 'unlink' });
}
