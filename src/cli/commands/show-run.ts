/** `enrichctl show`'s handler, loaded only when the command runs (`show.ts` defines the command). */
import { recordedDiagnostics } from '../../render/findings.js';
import { fanOut } from '../../render/views/fan-out.js';
import { planView, type ShowFormat } from '../../render/views/plan-view.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { outputOf, type Io } from '../io.js';
import { checkReportFiles, reportSet, runInfo, type ReportRequest } from '../reports.js';
import { readPlanFile } from '../saved-plan.js';

export interface ShowOptions {
  file: string;
  format: ShowFormat;
  color: boolean;
  reports: Array<ReportRequest<ShowFormat>>;
}

export async function runShow(options: ShowOptions, io: Io): Promise<ExitCode> {
  checkReportFiles(options.reports, io.cwd, [options.file]);
  const plan = await readPlanFile(options.file, io.cwd);
  const run = runInfo();
  const reports = reportSet(options.reports, io, (format, output) => planView(format, output, run, 'show'));
  const view = fanOut([planView(options.format, outputOf(io, !options.color), run, 'show'), ...reports.views]);
  view.warnings(recordedDiagnostics(plan), new Map());
  view.plan(plan);
  await reports.write();
  return EXIT.ok;
}
