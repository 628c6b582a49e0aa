/**
 * The report formats (SARIF, GitHub annotations, JUnit, Prometheus) as views of `validate`, `plan`
 * and `show`: each collects what the command hands it, builds the one findings model
 * (`render/findings.ts`) and writes its document once. Unlike text, JSON and Markdown, these formats
 * describe a failed run too (SARIF with the errors, Prometheus with `enrichctl_plan_success 0`), so
 * `failed` and `aborted` also write the document; the diagnostics still go to stderr for people.
 */
import type { Diagnostic } from '../../core/diagnostics.js';
import type { Plan } from '../../model/plan.js';
import { abortedFindings, failedPlanFindings, planFindings, validateFindings, type Declaration, type Findings } from '../findings.js';
import { renderGithubAnnotations } from '../reports/github.js';
import { renderJunit } from '../reports/junit.js';
import { renderPrometheus } from '../reports/prometheus.js';
import type { RunInfo } from '../reports/run-info.js';
import { renderSarif } from '../reports/sarif.js';
import type { Checked, ValidateView } from './diagnostics-view.js';
import { planningMessages } from './diagnostics-view.js';
import type { Output } from './output.js';
import type { PlanView } from './plan-view-interface.js';

import type { FindingsFormat } from './formats.js';

export { FINDINGS_FORMATS, type FindingsFormat } from './formats.js';

export function findingsRenderer(format: FindingsFormat, run: RunInfo): (report: Findings) => string {
  switch (format) {
    case 'sarif': return (report) => renderSarif(report, run);
    case 'github': return renderGithubAnnotations;
    case 'junit': return renderJunit;
    case 'prometheus': return (report) => renderPrometheus(report, run);
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
}

export function findingsValidateView(format: FindingsFormat, output: Output, run: RunInfo): ValidateView {
  const render = findingsRenderer(format, run);
  return { checked: (r: Checked) => output.stdout.write(render(validateFindings(r.diagnostics))) };
}

/** `plan` and `show` (a saved plan's recorded warnings are handed over as its diagnostics). */
export function findingsPlanView(format: FindingsFormat, output: Output, run: RunInfo, command: 'plan' | 'show'): PlanView {
  const render = findingsRenderer(format, run);
  const messages = planningMessages(output);
  let diagnostics: readonly Diagnostic[] = [];
  let written = false;
  const write = (report: Findings): void => {
    if (written) return;
    written = true;
    output.stdout.write(render(report));
  };
  return {
    failed: (d, sources, declarations: readonly Declaration[] = []) => {
      messages.failed(d, sources);
      write({ ...failedPlanFindings(d, declarations), command });
    },
    warnings: (d, sources) => {
      messages.warnings(d, sources);
      diagnostics = d;
    },
    plan: (plan: Plan) => write(planFindings(command, plan, diagnostics)),
    saved: (file) => output.stderr.write(`Saved the plan to ${file}. Apply exactly this plan with: enrichctl apply --plan ${file}\n`),
    aborted: (reason, declarations = []) => write(abortedFindings(command, reason, declarations)),
  };
}
