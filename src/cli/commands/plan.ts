/**
 * `enrichctl plan [PATH...]`: what apply would do, for a terminal, a PR comment or a script.
 * stdout holds only the rendered plan (so `--format json` always parses); warnings and progress go
 * to stderr. Exit 0, or with --detailed-exitcode 0 no changes / 2 changes; 1 on any error.
 */
import { Option, type Command } from 'commander';
import { fanOut } from '../../render/views/fan-out.js';
import { PLAN_FORMATS, planView, type PlanFormat, type PlanView } from '../../render/views/plan-view.js';
import { addConnectionOptions, connect, release, type ConnectedFlags } from '../connect.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { parseFormat } from '../format-option.js';
import { outputOf, type Io } from '../io.js';
import { makePlan } from '../planning.js';
import type { Handler } from './handler.js';
import { addExamples } from '../help.js';
import { checkPlanOut, writePlanFile } from '../saved-plan.js';
import { abortReason, checkReportFiles, parseReports, reportSet, runInfo, type ReportRequest } from '../reports.js';

export { PLAN_FORMATS, type PlanFormat } from '../../render/views/plan-view.js';

export interface PlanOptions extends ConnectedFlags {
  paths: string[];
  targets: string[];
  out?: string;
  format: PlanFormat;
  detailedExitcode: boolean;
  color: boolean;
  reportUnmanaged: boolean;
  /** Unmanaged datastores count as drift (--detailed-exitcode exits 2); implies reportUnmanaged. */
  failOnUnmanaged: boolean;
  /** `--report FORMAT=FILE`. */
  reports: Array<ReportRequest<PlanFormat>>;
}

interface RawPlanOptions extends ConnectedFlags {
  reportUnmanaged?: boolean;
  failOnUnmanaged?: boolean;
  report?: string[];
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
    reportUnmanaged: raw.reportUnmanaged === true || raw.failOnUnmanaged === true,
    failOnUnmanaged: raw.failOnUnmanaged === true,
    reports: parseReports(raw.report, PLAN_FORMATS, 'plan'),
    color: raw.color !== false,
  };
}

export async function runPlan(options: PlanOptions, io: Io): Promise<ExitCode> {
  if (options.out !== undefined) checkPlanOut(options.out, io.cwd, options.paths);
  checkReportFiles(options.reports, io.cwd, [...options.paths, ...(options.out === undefined ? [] : [options.out])]);
  const run = runInfo();
  const reports = reportSet(options.reports, io, (format, output) => planView(format, output, run));
  const view = fanOut([planView(options.format, outputOf(io, !options.color), run), ...reports.views]);
  let code: ExitCode;
  try {
    code = await planAndShow(options, view, io);
  } catch (err) {
    // The reports still say the run failed (Prometheus: enrichctl_plan_success 0); the error is program.ts's to print.
    view.aborted(abortReason(err));
    await reports.write().catch((e: unknown) => io.stderr.write(`error: ${abortReason(e)}\n`));
    throw err;
  }
  await reports.write();
  return code;
}

async function planAndShow(options: PlanOptions, view: PlanView, io: Io): Promise<ExitCode> {
  const client = await connect(options, io);
  try {
    const planned = await makePlan(client, options, io);
    if (!planned.ok) {
      view.failed(planned.diagnostics, planned.sources, planned.declarations);
      return EXIT.error;
    }
    view.warnings(planned.warnings, planned.sources);
    view.plan(planned.plan);
    if (options.out !== undefined) {
      await writePlanFile(options.out, io.cwd, planned.plan);
      view.saved(options.out);
    }
    const changes = planned.plan.changes.some((c) => c.action !== 'no-op');
    const unmanaged = options.failOnUnmanaged && (planned.plan.unmanaged ?? []).length > 0;
    return options.detailedExitcode && (changes || unmanaged) ? EXIT.changes : EXIT.ok;
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
    .option('--report-unmanaged', 'also list live datastores with a link or non-default settings that no manifest declares (never changed)')
    .option('--fail-on-unmanaged', 'count those unmanaged datastores as drift: --detailed-exitcode exits 2 (implies --report-unmanaged)')
    .option('--report <format=file>', `also write the plan in FORMAT to FILE, from the same read of the live state (repeatable; ${PLAN_FORMATS.join(', ')})`, collect);
  addExamples(cmd, [
    ['enrichctl plan manifests/', 'what apply would change'],
    ['enrichctl plan manifests/ --out plan.json --format markdown', 'a reviewed plan, and the text of a PR comment'],
    ['enrichctl plan manifests/ --detailed-exitcode --fail-on-unmanaged --report sarif=drift.sarif', 'a drift job: exit 2 on drift, findings for code scanning'],
    ['enrichctl plan manifests/ --report prometheus=/var/lib/node_exporter/textfile_collector/enrichctl.prom', 'metrics for alerting, written atomically'],
  ]);
  addConnectionOptions(cmd).action((paths: string[] | undefined, raw: RawPlanOptions) => {
    const options = parsePlanOptions(paths ?? [], raw);
    defer(() => runPlan(options, io));
  });
}
