/**
 * `enrichctl apply [PATH...]` plans, shows the plan, asks for `yes` on a terminal, then executes.
 * `enrichctl apply --plan FILE [PATH...]` executes a reviewed, saved plan after proving it still applies (and resumes one an earlier run left unfinished); with paths, the plan must have been made from exactly those manifests.
 * Exit 0 when everything applied (or nothing to do), 1 on any failure or refusal, 130 when
 * interrupted (143 after SIGTERM: main.ts), what ran and what did not reported; running apply again
 * converges. The first signal is acknowledged at once; a second one stops waiting for the writes in
 * flight, which the report marks of unknown outcome.
 */
import { Option, type Command } from 'commander';
import { APPLY_FORMATS } from '../../render/views/formats.js';
import { addConnectionOptions, type ConnectedFlags } from '../connection-options.js';
import { UserError } from '../errors.js';
import { parseFormat } from '../format-option.js';
import type { Io } from '../io.js';
import type { Handler } from './handler.js';
import { addExamples } from '../help.js';
import { addPlanSelectionOptions, collect } from './plan.js';
import { parseReports } from '../reports.js';
import type { ApplyCommandOptions } from './apply-run.js';

export { APPLY_FORMATS, type ApplyFormat } from '../../render/views/formats.js';

interface RawApplyOptions extends ConnectedFlags {
  report?: string[];
  target?: string[];
  plan?: string;
  autoApprove?: boolean;
  format?: unknown;
  color?: boolean;
}

export function parseApplyOptions(paths: readonly string[], raw: RawApplyOptions): ApplyCommandOptions {
  if (raw.plan !== undefined && (raw.target ?? []).length > 0) {
    throw new UserError('--plan applies exactly the saved plan: give no --target with it');
  }
  return {
    ...raw,
    paths: [...paths],
    targets: raw.target ?? [],
    autoApprove: raw.autoApprove === true,
    format: parseFormat(raw.format, APPLY_FORMATS),
    color: raw.color !== false,
    reports: parseReports(raw.report, APPLY_FORMATS, 'apply'),
  };
}

export function registerApply(program: Command, io: Io, defer: (h: Handler) => void): void {
  const cmd = program
    .command('apply')
    .description('Plan, show the plan, ask for approval, then make the changes (or execute a saved plan with --plan).');
  addPlanSelectionOptions(cmd)
    .option('--plan <file>', 'execute this saved plan (from `plan --out`) without asking; refused if anything moved since, resumed if partly applied')
    .option('--auto-approve', 'do not ask for approval (for pipelines); implied by --plan')
    .addOption(new Option('--format <format>', 'report format').choices([...APPLY_FORMATS]).default('text'))
    .option('--report <format=file>', `also write the apply report in FORMAT to FILE (repeatable; ${APPLY_FORMATS.join(', ')})`, collect);
  addExamples(cmd, [
    ['enrichctl apply manifests/', 'plan, show the plan, and ask for yes'],
    ['enrichctl apply --plan plan.json', 'exactly the plan reviewed (from plan --out)'],
    ['enrichctl apply --plan plan.json manifests/', 'the same, and only if it was made from manifests/ (pipelines)'],
    ['enrichctl apply manifests/ --auto-approve --format json', 'in a pipeline, with a JSON report'],
  ]);
  addConnectionOptions(cmd).action((paths: string[] | undefined, raw: RawApplyOptions) => {
    const options = parseApplyOptions(paths ?? [], raw);
    defer(async () => (await import('./apply-run.js')).runApply(options, io));
  });
}
