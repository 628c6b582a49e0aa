/** The seeded deployment the plan/apply tests run against. */
import type { Seed } from '../../src/core/seed-types.js';

export const ADMIN_TOKEN = 'admin-secret-0f9c1e';
export const EDITOR_TOKEN = 'editor-secret-77ab2d';

export function world(): Seed {
  return {
    users: [
      { name: 'Ada Admin', role: 'Admin', token: ADMIN_TOKEN },
      { name: 'Eddie Editor', role: 'Member', token: EDITOR_TOKEN, teams: { 'Data Platform': 'Editor' } },
    ],
    datastores: [
      { id: 1, name: 'Orders', teams: ['Data Platform'] },
      { id: 2, name: 'Customers', teams: ['Data Platform'], enrich_datastore: 101, enrichment_remediation_strategy: 'append' },
      { id: 3, name: 'Payments', teams: ['Data Platform'], enrich_datastore: 100, enrichment_remediation_strategy: 'overwrite' },
      { id: 4, name: 'Busy', teams: ['Data Platform'], enrich_datastore: 100, active_export_or_materialize: true },
      { id: 5, name: 'Inventory', teams: ['Data Platform'], enrichment_prefix: '_inventory', enrichment_source_record_limit: 100 },
      { id: 100, name: 'Warehouse Enrichment', enrichment_only: true, teams: ['Data Platform'] },
      { id: 101, name: 'Lake Enrichment', enrichment_only: true, teams: ['Data Platform'] },
    ],
  };
}
