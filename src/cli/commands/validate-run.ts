/** `enrichctl validate`'s handler, loaded only when the command runs (`validate.ts` defines the command). */
import { hasErrors } from '../../core/diagnostics.js';
import { loadManifests } from '../../manifest/load.js';
import { fanOut } from '../../render/views/fan-out.js';
import { validateView, type ValidateFormat } from '../../render/views/validate-view.js';
import { checkReportFiles, reportSet, runInfo, type ReportRequest } from '../reports.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { outputOf, type Io } from '../io.js';

export interface ValidateOptions {
  paths: string[];
  format: ValidateFormat;
  /** False with --no-color. */
  color: boolean;
  /** `--report FORMAT=FILE`. */
  reports: Array<ReportRequest<ValidateFormat>>;
}

export async function runValidate(options: ValidateOptions, io: Io): Promise<ExitCode> {
  checkReportFiles(options.reports, io.cwd, options.paths);
  const run = runInfo();
  const reports = reportSet(options.reports, io, (format, output) => validateView(format, output, run));
  const view = fanOut([validateView(options.format, outputOf(io, !options.color), run), ...reports.views]);
  // validate plans nothing: the checks without the desired state (its locations cost a tenth of 100,000 entries).
  const load = loadManifests(options.paths, io.cwd, { state: false });
  const { declared: datastores, rules } = load;
  view.checked({ diagnostics: load.diagnostics, sources: load.sources, files: load.files.length, ...(datastores === undefined ? {} : { datastores }), ...(rules ? { rules } : {}) });
  await reports.write();
  return hasErrors(load.diagnostics) ? EXIT.error : EXIT.ok;
}
