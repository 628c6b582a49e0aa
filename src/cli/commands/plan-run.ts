/** `enrichctl plan`'s handler, loaded only when the command runs (`plan.ts` defines the command). */
import type { QualyticsClient } from '../../api/client.js';
import type { FirstPages } from '../../api/first-pages.js';
import type { PlanFormat } from '../../render/views/formats.js';
import type { PlanView } from '../../render/views/plan-view.js';
import type { makePlan as MakePlan } from '../planning.js';
import { connect, sendFirstPages, withClient } from '../connect.js';
import type { ConnectedFlags } from '../connection-options.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { outputOf, type Io } from '../io.js';
import { abortReason, checkReportFiles, reportSet, runInfo, type ReportRequest } from '../reports.js';

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

export async function runPlan(options: PlanOptions, io: Io): Promise<ExitCode> {
  if (options.out !== undefined) (await import('../saved-plan.js')).checkPlanOut(options.out, io.cwd, options.paths);
  checkReportFiles(options.reports, io.cwd, [...options.paths, ...(options.out === undefined ? [] : [options.out])]);
  const run = runInfo();
  // The first requests go out before the planner, the views and their renderers load: those wait
  // for the network anyway. A failure to connect is awaited below, where the views report it.
  const started = connectAndAsk(options, io);
  await started.catch(() => undefined);
  const [{ planView }, { fanOut }, { makePlan }] = await Promise.all([import('../../render/views/plan-view.js'), import('../../render/views/fan-out.js'), import('../planning.js')]);
  const reports = reportSet(options.reports, io, (format, output) => planView(format, output, run));
  const view = fanOut([planView(options.format, outputOf(io, !options.color), run), ...reports.views]);
  // The reports still say a failed run failed (Prometheus: enrichctl_plan_success 0); the error is program.ts's to print.
  return reports.around(() => planAndShow(started, makePlan, options, view, io), (err) => view.aborted(abortReason(err)));
}

async function connectAndAsk(options: PlanOptions, io: Io): Promise<{ client: QualyticsClient; first: FirstPages }> {
  const client = await connect(options, io);
  return { client, first: await sendFirstPages(client) };
}

async function planAndShow(started: ReturnType<typeof connectAndAsk>, makePlan: typeof MakePlan, options: PlanOptions, view: PlanView, io: Io): Promise<ExitCode> {
  const { client, first } = await started;
  return withClient(client, io, async () => {
    const planned = await makePlan(client, options, io, first);
    if (!planned.ok) {
      view.failed(planned.diagnostics, planned.sources, planned.declarations);
      return EXIT.error;
    }
    view.warnings(planned.warnings, planned.sources);
    view.plan(planned.plan);
    if (options.out !== undefined) {
      await (await import('../saved-plan.js')).writePlanFile(options.out, io.cwd, planned.plan);
      view.saved(options.out);
    }
    const changes = planned.plan.changes.some((c) => c.action !== 'no-op');
    const unmanaged = options.failOnUnmanaged && (planned.plan.unmanaged ?? []).length > 0;
    return options.detailedExitcode && (changes || unmanaged) ? EXIT.changes : EXIT.ok;
  });
}
