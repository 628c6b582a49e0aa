/**
 * What `plan` shows, one view per `--format`, chosen once (Terraform's command views): the command
 * builds the plan and hands it over; it never asks which format it is writing.
 */
import type { Plan } from '../../model/plan.js';
import { paint } from '../colour.js';
import { planDocument } from '../plan-document.js';
import { renderPlanMarkdown } from '../plan-markdown.js';
import { renderPlanText } from '../plan-text.js';
import { planningMessages, type PlanningMessages } from './diagnostics-view.js';
import type { Output } from './output.js';

export const PLAN_FORMATS = ['text', 'json', 'markdown'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export interface PlanView extends PlanningMessages {
  plan(plan: Plan): void;
  /** The plan was saved with --out. */
  saved(file: string): void;
}

export function planView(format: PlanFormat, output: Output): PlanView {
  const { stdout, stderr } = output;
  const render = planRenderer(format, stdout.colour);
  // In text the note belongs with the plan; in a document format stdout holds the document only.
  const notes = format === 'text' ? stdout : stderr;
  return {
    ...planningMessages(output),
    plan: (plan) => stdout.write(render(plan)),
    saved: (file) => notes.write(`Saved the plan to ${file}. Apply exactly this plan with: enrichctl apply --plan ${file}\n`),
  };
}

export function planRenderer(format: PlanFormat, colour: boolean): (plan: Plan) => string {
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
