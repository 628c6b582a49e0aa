/**
 * `enrichctl plan [PATH...]`: what apply would do, for a terminal, a PR comment or a script.
 * stdout holds only the rendered plan (so `--format json` always parses); warnings and progress go
 * to stderr. Exit 0, or with --detailed-exitcode 0 no changes / 2 changes; 1 on any error.
 */
import { Option, type Command } from 'commander';
import { PLAN_FORMATS, planView, type PlanFormat } from '../../render/views/plan-view.js';
import { addConnectionOptions, connect, release, type ConnectedFlags } from '../connect.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { parseFormat } from '../format-option.js';
import { outputOf, type Io } from '../io.js';
import { makePlan } from '../planning.js';
import type { Handler } from './handler.js';
import { addExamples } from '../help.js';
import { checkPlanOut, writePlanFile } from '../saved-plan.js';

export { PLAN_FORMATS, type PlanFormat } from '../../render/views/plan-view.js';

export interface PlanOptions extends ConnectedFlags {
  paths: string[];
  targets: string[];
  out?: string;
  format: PlanFormat;
  detailedExitcode: boolean;
  color: boolean;
  reportUnmanaged: boolean;
}

interface RawPlanOptions extends ConnectedFlags {
  reportUnmanaged?: boolean;
  target?: string[];
  out?: string;
  format?: unknown;
  detailedExitcode?: boolean;
  color?: boolean;
}

export function parsePlanOptions(paths: readonly string[], raw: RawPlanOptions): PlanOptions {
  return {
    ...raw,
    paths: [...paths],
    targets: raw.target ?? [],
    format: parseFormat(raw.format, PLAN_FORMATS),
    detailedExitcode: raw.detailedExitcode === true,
    reportUnmanaged: raw.reportUnmanaged === true,
    color: raw.color !== false,
  };
}

export async function runPlan(options: PlanOptions, io: Io): Promise<ExitCode> {
  if (options.out !== undefined) checkPlanOut(options.out, io.cwd, options.paths);
  const view = planView(options.format, outputOf(io, !options.color));
  const client = await connect(options, io);
  try {
    const planned = await makePlan(client, options, io);
    if (!planned.ok) {
      view.failed(planned.diagnostics, planned.sources);
      return EXIT.error;
    }
    view.warnings(planned.warnings, planned.sources);
    view.plan(planned.plan);
    if (options.out !== undefined) {
      await writePlanFile(options.out, io.cwd, planned.plan);
      view.saved(options.out);
    }
    const changes = planned.plan.changes.some((c) => c.action !== 'no-op');
    return options.detailedExitcode && changes ? EXIT.changes : EXIT.ok;
  } finally {
    await release(client, io);
  }
}

export function addPlanSelectionOptions(cmd: Command): Command {
  return cmd
    .argument('[paths...]', 'manifest files or directories; every *.yaml/*.yml below a directory (default: the current directory)')
    .option('--target <datastore>', 'plan only this datastore, by name or id (repeatable)', collect)
    .option('--no-color', 'never colour the output');
}

/** For repeatable options: each use adds a value. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerPlan(program: Command, io: Io, defer: (h: Handler) => void): void {
  const cmd = program
    .command('plan')
    .description('Compare the manifests with the live enrichment settings and show what apply would change.');
  addPlanSelectionOptions(cmd)
    .option('--out <file>', 'also save the plan, for `enrichctl apply --plan FILE`')
    .addOption(new Option('--format <format>', 'output format').choices([...PLAN_FORMATS]).default('text'))
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 on error')
    .option('--report-unmanaged', 'also list live datastores with a link or non-default settings that no manifest declares (never changed)');
  addExamples(cmd, [
    ['enrichctl plan manifests/', 'what apply would change'],
    ['enrichctl plan manifests/ --out plan.json --format markdown', 'a reviewed plan, and the text of a PR comment'],
    ['enrichctl plan manifests/ --detailed-exitcode --report-unmanaged', 'a drift job: exit 2 when live state drifted'],
    ['enrichctl plan manifests/ --target "Sales EU"', 'one datastore, by name or id'],
  ]);
  addConnectionOptions(cmd).action((paths: string[] | undefined, raw: RawPlanOptions) => {
    const options = parsePlanOptions(paths ?? [], raw);
    defer(() => runPlan(options, io));
  });
}
