/** A saved plan against what the manifests imply, recomputed from the states it recorded. Pure. */
import { describe, expect, it } from 'vitest';
import { diffState } from '../../src/plan/diff.js';
import { observationFromPlan, recomputePlan } from '../../src/plan/verify.js';
import type { Plan } from '../../src/model/plan.js';
import { declare, META, observed } from './builders.js';

const live = observed([
  { id: 42, name: 'Healthcare Database' },
  { id: 43, name: 'Claims', state: { enrich_datastore: { id: 101, name: 'Old Enrichment' } } },
  { id: 100, name: 'Healthcare Enrichment', enrichment_only: true },
  { id: 101, name: 'Old Enrichment', enrichment_only: true },
  { id: 7, name: 'Unrelated' },
]);
const desired = [
  declare('Healthcare Database', { link: 'Healthcare Enrichment', settings: { high_count_rollup_threshold: 42 } }),
  declare(43, { link: 100, line: 9 }),
];

function plan(): Plan {
  const result = diffState(desired, live, META);
  if (!result.ok) throw new Error('plan failed');
  return result.plan;
}

describe('observationFromPlan', () => {
  it('holds the sources with their before, and every link target by name, as enrichment datastores', () => {
    const obs = observationFromPlan(plan());
    expect([...obs.datastores.values()]).toStrictEqual([
      { id: 43, name: 'Claims', enrichment_only: false, state: plan().changes[0]!.before },
      { id: 42, name: 'Healthcare Database', enrichment_only: false, state: plan().changes[1]!.before },
      { id: 101, name: 'Old Enrichment', enrichment_only: true },
      { id: 100, name: 'Healthcare Enrichment', enrichment_only: true },
    ]);
    expect(obs.names).toStrictEqual(new Map([['Claims', [43]], ['Healthcare Database', [42]], ['Old Enrichment', [101]], ['Healthcare Enrichment', [100]]]));
  });
});

describe('recomputePlan', () => {
  it('accepts the plan as saved, and returns the recomputed one', () => {
    expect(recomputePlan(plan(), desired)).toStrictEqual({ ok: true, plan: plan() });
  });

  const tampered: Array<{ name: string; edit: (p: Plan) => void; problems: string[] }> = [
    {
      name: 'a PUT body changed',
      edit: (p) => { const op = p.changes[1]!.operations[1]!; if (op.type === 'update_settings') op.body.high_count_rollup_threshold = 999; },
      problems: ['datastore id 42: the saved plan\'s PUT body sets high_count_rollup_threshold to 999, the manifests say 42'],
    },
    {
      name: 'a PUT body with a field added',
      edit: (p) => { const op = p.changes[1]!.operations[1]!; if (op.type === 'update_settings') op.body.enrichment_remediation_strategy = 'overwrite'; },
      problems: ['datastore id 42: the saved plan\'s PUT body sets enrichment_remediation_strategy to "overwrite", the manifests leave it alone'],
    },
    {
      name: 'after edited',
      edit: (p) => { p.changes[1]!.after.enrichment_source_record_limit = 5; },
      problems: ['datastore id 42: the saved plan\'s after has enrichment_source_record_limit 5, the manifests say 10'],
    },
    {
      name: 'an operation added',
      edit: (p) => { p.changes[0]!.operations.push({ type: 'unlink' }); },
      problems: ['datastore id 43: the saved plan has a DELETE /datastores/43/enrichment the manifests do not imply'],
    },
    {
      name: 'a link retargeted to another enrichment datastore (consistently)',
      edit: (p) => {
        const c = p.changes[1]!;
        c.operations[0] = { type: 'link', enrich_datastore: { id: 101, name: 'Old Enrichment' } };
        c.after.enrich_datastore = { id: 101, name: 'Old Enrichment' };
      },
      problems: [
        'datastore id 42: the saved plan\'s after has enrich_datastore "Old Enrichment" (id 101), the manifests say "Healthcare Enrichment" (id 100)',
        'datastore id 42: the saved plan links to {"id":101,"name":"Old Enrichment"}, the manifests to {"id":100,"name":"Healthcare Enrichment"}',
      ],
    },
    {
      name: 'a link target renamed in the text',
      edit: (p) => { p.changes[1]!.after.enrich_datastore = { id: 100, name: 'Evil' }; },
      problems: ['datastore id 42: the saved plan\'s after has enrich_datastore "Evil" (id 100), the manifests say "Healthcare Enrichment" (id 100)'],
    },
    {
      name: 'a datastore declared by name renamed in the text',
      edit: (p) => { p.changes[1]!.datastore.name = 'Elsewhere'; },
      problems: ['the manifests do not plan against the datastores the saved plan records: m.yaml:3:5: datastore "Healthcare Database" not found: no datastore of exactly that name is visible to this token (it does not exist, or the token lacks Reporter permission on it)'],
    },
    {
      name: 'a datastore left out',
      edit: (p) => { p.changes.splice(0, 1); },
      problems: ['the manifests do not plan against the datastores the saved plan records: m.yaml:9:5: datastore id 43 not found'],
    },
  ];
  for (const t of tampered) {
    it(`refuses ${t.name}, naming the difference`, () => {
      const p = plan();
      t.edit(p);
      expect(recomputePlan(p, desired)).toStrictEqual({ ok: false, problems: t.problems });
    });
  }

  it('an operation moved to another datastore (its id changed; the paths come from the route table)', () => {
    const p = plan();
    const c = p.changes[1]!;
    c.datastore = { id: 7, name: 'Unrelated' };
    const result = recomputePlan(p, desired);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toContain('datastore "Healthcare Database" not found');
  });

  it('recomputes a --target plan with its recorded selection', () => {
    const full = plan();
    const targeted: Plan = { ...full, targets: ['42'], changes: [full.changes[1]!], summary: { link: 1, unlink: 0, update: 1, unchanged: 0 } };
    expect(recomputePlan(targeted, desired)).toStrictEqual({ ok: true, plan: targeted });
    const dropped: Plan = { ...targeted, targets: undefined };
    delete dropped.targets;
    expect(recomputePlan(dropped, desired)).toStrictEqual({
      ok: false,
      problems: ['the manifests do not plan against the datastores the saved plan records: m.yaml:9:5: datastore id 43 not found'],
    });
  });
});
