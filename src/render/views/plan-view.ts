/**
 * What `plan` (and `show`) shows, one view per `--format`, chosen once (Terraform's command views):
 * the command builds the plan and hands it over; it never asks which format it is writing.
 */
import type { Plan } from '../../model/plan.js';
import { paint } from '../colour.js';
import { planDocument } from '../plan-document.js';
import { renderPlanMarkdown } from '../plan-markdown.js';
import { writePlanText } from '../plan-text.js';
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
    plan: (plan) => render(plan, (text) => stdout.write(text)),
    saved: (file) => notes.write(`Saved the plan to ${file}. Apply exactly this plan with: enrichctl apply --plan ${file}\n`),
    aborted: () => undefined,
  };
}

/** A plan in `format`, handed to `write` whole or, in text, in parts. */
function planRenderer(format: DocumentFormat, colour: boolean): (plan: Plan, write: (text: string) => void) => void {
  switch (format) {
    case 'text':
      return (plan, write) => writePlanText(plan, paint(colour), write);
    case 'json':
      return (plan, write) => write(`${JSON.stringify(planDocument(plan), null, 2)}\n`);
    case 'markdown':
      return (plan, write) => write(renderPlanMarkdown(plan));
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
}
