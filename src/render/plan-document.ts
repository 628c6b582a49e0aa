/**
 * The JSON documents of plans and apply reports (`--format json`, saved plans): the model values with
 * each operation's method and path added from the route table, as `schemas/plan.schema.json` and
 * `schemas/apply-report.schema.json` publish them. Reading a saved plan back takes them off again,
 * after checking that each is exactly what the route table says for its datastore: a plan file is
 * data, and never decides which request is sent.
 */
import { countResults, type ApplyReport } from '../model/report.js';
import { OPERATION_ORDER, type Change, type Operation, type Plan } from '../model/plan.js';
import { operationRoute, type Route } from '../model/routes.js';

export type OperationDocument = Operation & Route;

export type ChangeDocument = Omit<Change, 'operations'> & { operations: OperationDocument[] };

export type PlanDocument = Omit<Plan, 'changes'> & { changes: ChangeDocument[] };

export function operationDocument(datastoreId: number, op: Operation): OperationDocument {
  return { ...op, ...operationRoute(datastoreId, op) };
}

export function planDocument(plan: Plan): PlanDocument {
  return { ...plan, changes: plan.changes.map((c) => ({ ...c, operations: c.operations.map((op) => operationDocument(c.datastore.id, op)) })) };
}

export function reportDocument(report: ApplyReport): object {
  return {
    format_version: 1,
    ...report,
    results: report.results.map((r) => ({ ...r, operations: r.operations.map((o) => ({ ...o, operation: operationDocument(r.datastore.id, o.operation) })) })),
    summary: countResults(report),
  };
}

/**
 * A schema-valid plan document back to the model: each operation must address its own datastore
 * with the method and path the route table gives, in OPERATION_ORDER; otherwise the reason.
 */
export function planFromDocument(doc: PlanDocument): { ok: true; plan: Plan } | { ok: false; problem: string } {
  const changes: Change[] = [];
  for (const c of doc.changes) {
    let last = -1;
    const operations: Operation[] = [];
    for (const { method, path, ...op } of c.operations) {
      const operation = op as Operation;
      const expected = operationRoute(c.datastore.id, operation);
      if (method !== expected.method || path !== expected.path) {
        return { ok: false, problem: `operation ${method} ${path} is not the ${operation.type} of datastore id ${c.datastore.id} (that is ${expected.method} ${expected.path})` };
      }
      const rank = OPERATION_ORDER.indexOf(operation.type);
      if (rank <= last) return { ok: false, problem: `the operations of datastore id ${c.datastore.id} are out of order` };
      last = rank;
      operations.push(operation);
    }
    changes.push({ ...c, operations });
  }
  return { ok: true, plan: { ...doc, changes } };
}
