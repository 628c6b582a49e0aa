/**
 * `enrichctl plan [PATH...]`: what apply would do, for a terminal, a PR comment or a script.
 * stdout holds only the rendered plan (so `--format json` always parses); warnings and progress go
 * to stderr. Exit 0, or with --detailed-exitcode 0 no changes / 2 changes; 1 on any error.
 */
import { Option, type Command } from 'commander';
import { PLAN_FORMATS } from '../../render/views/formats.js';
import { addConnectionOptions, type ConnectedFlags } from '../connection-options.js';
import { parseFormat } from '../format-option.js';
import type { Io } from '../io.js';
import type { Handler } from './handler.js';
import { addExamples } from '../help.js';
import { parseReports } from '../reports.js';
import type { PlanOptions } from './plan-run.js';

export { PLAN_FORMATS, type PlanFormat } from '../../render/views/formats.js';

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
    defer(async () => (await import('./plan-run.js')).runPlan(options, io));
  });
}
