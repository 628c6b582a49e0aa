/**
 * What `apply` shows, one view per `--format`, chosen once: the plan it is about to apply, each
 * datastore as it finishes, and the report. In text the plan and the lines are the product (stdout);
 * in JSON stdout holds the report document only, and the plan goes to stderr for whoever watches.
 */
import { describeRef } from '../../model/describe.js';
import type { Plan } from '../../model/plan.js';
import type { ApplyReport, DatastoreResult } from '../../model/report.js';
import { renderApplySummary, renderResultLine } from '../apply-text.js';
import { paint } from '../colour.js';
import { reportDocument } from '../plan-document.js';
import { writePlanText } from '../plan-text.js';
import { NO_CHANGES } from '../values.js';
import { planningMessages, type PlanningMessages } from './diagnostics-view.js';
import type { Output } from './output.js';

import type { ApplyFormat } from './formats.js';

export { APPLY_FORMATS, type ApplyFormat } from './formats.js';

export interface ApplyView extends PlanningMessages {
  /** The plan about to be applied (before approval). */
  plan(plan: Plan): void;
  /** A saved plan with nothing left to do. */
  nothingToDo(baseUrl: string, fromSavedPlan: boolean): void;
  /** The writes are about to start. */
  starting(): void;
  /** One datastore finished (or, after a second interrupt, was cut off). */
  result(result: DatastoreResult): void;
  report(report: ApplyReport): void;
}

export function applyView(format: ApplyFormat, output: Output): ApplyView {
  const messages = planningMessages(output);
  const { stdout, stderr } = output;
  switch (format) {
    case 'text': {
      const p = paint(stdout.colour);
      const shown = new Set<DatastoreResult>();
      return {
        ...messages,
        plan: (plan) => writePlanText(plan, p, (text) => stdout.write(text)),
        nothingToDo: (_baseUrl, fromSavedPlan) => { if (fromSavedPlan) stdout.write(`${NO_CHANGES}\n`); },
        starting: () => stdout.write('\n'),
        // Datastores never started are listed once, with the report.
        result: (r) => {
          if (r.status === 'skipped' || shown.has(r)) return;
          shown.add(r);
          stdout.write(renderResultLine(r, p));
        },
        report: (report) => {
          // After a second Ctrl-C, those cut off in flight have not been shown yet.
          for (const r of report.results) if (r.status !== 'skipped' && !shown.has(r)) stdout.write(renderResultLine(r, p));
          const unstarted = report.results.filter((r) => r.status === 'skipped');
          if (unstarted.length > 0) stdout.write(`Not started (interrupted): ${unstarted.map((r) => describeRef(r.datastore)).join(', ')}\n`);
          stdout.write(`\n${renderApplySummary(report, p)}`);
        },
      };
    }
    case 'json': {
      const document = (report: ApplyReport): void => { stdout.write(`${JSON.stringify(reportDocument(report), null, 2)}\n`); };
      return {
        ...messages,
        plan: (plan) => writePlanText(plan, paint(stderr.colour), (text) => stderr.write(text)),
        nothingToDo: (baseUrl) => document({ base_url: baseUrl, interrupted: false, results: [] }),
        starting: () => undefined,
        result: () => undefined,
        report: document,
      };
    }
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
}
