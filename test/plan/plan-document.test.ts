/** The plan's JSON document: operations gain method and path from the route table, and lose them again only when they are exactly its. */
import { describe, expect, it } from 'vitest';
import { diffState } from '../../src/plan/diff.js';
import type { Plan } from '../../src/model/plan.js';
import { planDocument, planFromDocument, type PlanDocument } from '../../src/render/plan-document.js';
import { declare, META, observed } from './builders.js';

function plan(): Plan {
  const live = observed([{ id: 42, name: 'Sales' }, { id: 100, name: 'Enrichment', enrichment_only: true }]);
  const result = diffState([declare('Sales', { link: 'Enrichment', settings: { high_count_rollup_threshold: 5 } })], live, META);
  if (!result.ok) throw new Error('plan failed');
  return result.plan;
}

describe('plan document', () => {
  it('adds each operation\'s method and path, and reads back to the same plan', () => {
    const doc = planDocument(plan());
    expect(doc.changes[0]!.operations).toStrictEqual([
      { type: 'link', enrich_datastore: { id: 100, name: 'Enrichment' }, method: 'PATCH', path: '/datastores/42/enrichment/100' },
      { type: 'update_settings', body: { high_count_rollup_threshold: 5 }, method: 'PUT', path: '/datastores/42' },
    ]);
    expect(planFromDocument(JSON.parse(JSON.stringify(doc)) as PlanDocument)).toStrictEqual({ ok: true, plan: plan() });
  });

  const cases: Array<{ name: string; edit: (d: PlanDocument) => void; problem: string }> = [
    {
      name: 'a path to another datastore',
      edit: (d) => { d.changes[0]!.operations[1]!.path = '/datastores/7'; },
      problem: 'operation PUT /datastores/7 is not the update_settings of datastore id 42 (that is PUT /datastores/42)',
    },
    {
      name: 'a path to another link target than the operation names',
      edit: (d) => { d.changes[0]!.operations[0]!.path = '/datastores/42/enrichment/101'; },
      problem: 'operation PATCH /datastores/42/enrichment/101 is not the link of datastore id 42 (that is PATCH /datastores/42/enrichment/100)',
    },
    {
      name: 'another method',
      edit: (d) => { d.changes[0]!.operations[1]!.method = 'DELETE'; },
      problem: 'operation DELETE /datastores/42 is not the update_settings of datastore id 42 (that is PUT /datastores/42)',
    },
    {
      name: 'operations out of order',
      edit: (d) => { d.changes[0]!.operations.reverse(); },
      problem: 'the operations of datastore id 42 are out of order',
    },
  ];
  it.each(cases)('refuses $name', ({ edit, problem }) => {
    const doc = JSON.parse(JSON.stringify(planDocument(plan()))) as PlanDocument;
    edit(doc);
    expect(planFromDocument(doc)).toStrictEqual({ ok: false, problem });
  });
});
