/**
 * What `plan` (and `show`) shows, one view per `--format`, chosen once (Terraform's command views):
 * the command builds the plan and hands it over; it never asks which format it is writing.
 */
import type { Plan } from '../../model/plan.js';
import { paint } from '../colour.js';
import { planDocument } from '../plan-document.js';
import { renderPlanMarkdown } from '../plan-markdown.js';
import { renderPlanText } from '../plan-text.js';
import type { RunInfo } from '../reports/run-info.js';
import { planningMessages } from './diagnostics-view.js';
import { findingsPlanView } from './findings-view.js';
import type { DocumentFormat, PlanFormat } from './formats.js';
import type { Output } from './output.js';
import type { PlanView } from './plan-view-interface.js';

export type { PlanView } from './plan-view-interface.js';

export { PLAN_FORMATS, SHOW_FORMATS, type PlanFormat, type ShowFormat } from './formats.js';


export function planView(format: PlanFormat, output: Output, run: RunInfo, command: 'plan' | 'show' = 'plan'): PlanView {
  switch (format) {
    case 'text':
    case 'json':
    case 'markdown':
      return documentPlanView(format, output);
    case 'sarif':
    case 'github':
    case 'junit':
    case 'prometheus':
      return findingsPlanView(format, output, run, command);
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
}

function documentPlanView(format: DocumentFormat, output: Output): PlanView {
  const { stdout, stderr } = output;
  const render = planRenderer(format, stdout.colour);
  // In text the note belongs with the plan; in a document format stdout holds the document only.
  const notes = format === 'text' ? stdout : stderr;
  return {
    ...planningMessages(output),
    plan: (plan) => stdout.write(render(plan)),
    saved: (file) => notes.write(`Saved the plan to ${file}. Apply exactly this plan with: enrichctl apply --plan ${file}\n`),
    aborted: () => undefined,
  };
}

export function planRenderer(format: DocumentFormat, colour: boolean): (plan: Plan) => string {
  switch (format) {
    case 'text':
      return (plan) => renderPlanText(plan, paint(colour));
    case 'json':
      return (plan) => `${JSON.stringify(planDocument(plan), null, 2)}\n`;
    case 'markdown':
      return renderPlanMarkdown;
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
}
