/** `enrichctl apply`'s handler, loaded only when the command runs (`apply.ts` defines the command). */
import { applyPlan } from '../../apply/apply.js';
import { countResults } from '../../model/report.js';
import { resolve } from 'node:path';
import { visibleText } from '../../core/visible-text.js';
import type { QualyticsClient } from '../../api/client.js';
import { observe } from '../../api/observe.js';
import type { Observation } from '../../model/observation.js';
import type { Plan } from '../../model/plan.js';
import { linkTargets, recomputePlan } from '../../plan/verify.js';
import { describeRef } from '../../model/describe.js';
import { describeOperation } from '../../model/routes.js';
import { datastoreProgress, nameProblems, namesToCheck, planMismatches, type NamesUsed } from '../../plan/stale.js';
import { applyView, type ApplyFormat, type ApplyView } from '../../render/views/apply-view.js';
import { askApproval, canAsk } from '../approval.js';
import { connect, withClient } from '../connect.js';
import type { ConnectedFlags } from '../connection-options.js';
import { UserError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { interruptible, outputOf, type Io } from '../io.js';
import { makePlan, manifestDigest, readDesired } from '../planning.js';
import { readPlanFile } from '../saved-plan.js';
import { fanOut } from '../../render/views/fan-out.js';
import { checkReportFiles, reportSet, type ReportRequest } from '../reports.js';

export interface ApplyCommandOptions extends ConnectedFlags {
  paths: string[];
  targets: string[];
  plan?: string;
  autoApprove: boolean;
  format: ApplyFormat;
  color: boolean;
  /** `--report FORMAT=FILE`: the apply report in another format too. */
  reports: Array<ReportRequest<ApplyFormat>>;
}

export async function runApply(options: ApplyCommandOptions, io: Io): Promise<ExitCode> {
  checkReportFiles(options.reports, io.cwd, [...options.paths, ...(options.plan === undefined ? [] : [options.plan])]);
  const reports = reportSet(options.reports, io, applyView);
  const view = fanOut([applyView(options.format, outputOf(io, !options.color)), ...reports.views]);
  return reports.around(() => applyWith(view, options, io));
}

async function applyWith(view: ApplyView, options: ApplyCommandOptions, io: Io): Promise<ExitCode> {
  const client = await connect(options, io);
  return withClient(client, io, async () => {
    const plan = options.plan !== undefined ? await currentSavedPlan(client, options.plan, options.paths, io) : await planNow(client, options, view, io);
    if (typeof plan === 'number') return plan;
    return execute(client, plan, options, view, io);
  });
}

/** Plans, shows the plan, and gets approval; an exit code when it ends there. */
async function planNow(client: QualyticsClient, options: ApplyCommandOptions, view: ApplyView, io: Io): Promise<Plan | ExitCode> {
  const planned = await makePlan(client, options, io);
  if (!planned.ok) {
    view.failed(planned.diagnostics, planned.sources);
    return EXIT.error;
  }
  view.warnings(planned.warnings, planned.sources);
  const plan = planned.plan;
  view.plan(plan);
  if (!plan.changes.some((c) => c.action !== 'no-op')) return plan;
  if (options.autoApprove) return plan;
  if (!canAsk(io)) {
    throw new UserError(
      'apply needs approval and there is no terminal to ask on; nothing was changed. ' +
        `Review the plan above and re-run with --auto-approve, or save it with \`enrichctl plan ${[...options.paths, '--out plan.json'].join(' ')}\` and run \`enrichctl apply --plan plan.json\``,
    );
  }
  if (!(await askApproval(io))) {
    if (io.signal.aborted) {
      io.stderr.write('\nInterrupted before approval. Nothing was changed.\n');
      return EXIT.interrupted;
    }
    io.stderr.write('Apply cancelled: only \'yes\' approves. Nothing was changed.\n');
    return EXIT.error;
  }
  // The prompt may have waited long: what was approved must still be what would happen.
  const changing = { ...plan, changes: plan.changes.filter((c) => c.action !== 'no-op') };
  const progress = datastoreProgress(changing, await observeChanging(client, changing, io), { resume: false });
  if (progress.problems.length > 0) {
    return refusal('the plan')([...progress.problems, 'the live state moved while the plan waited for approval: run apply again and review the new plan']);
  }
  return plan;
}

/**
 * Reads a saved plan and proves it may still run, or refuses it whole. The file is data: what runs
 * is the plan the manifests imply, recomputed from the states the file recorded, and the file must
 * say exactly that (`plan/verify.ts`). Datastores an earlier apply of this plan already changed are
 * left out, and those it left half-way get only what remains (applying again resumes).
 */
async function currentSavedPlan(client: QualyticsClient, file: string, paths: readonly string[], io: Io): Promise<Plan | ExitCode> {
  const saved = await readPlanFile(file, io.cwd);
  const refuse = refusal(`the plan in ${file}`);
  // The manifests the pipeline trusts, when it names them: the file's own list must be those (a
  // plan made from other manifests, brought along with it, is not the reviewed one).
  const where = (list: readonly string[]): string => JSON.stringify([...new Set(list.map((p) => resolve(io.cwd, p)))].sort());
  if (paths.length > 0 && where(paths) !== where(saved.manifest_paths)) {
    return refuse([`the plan was made from the manifests in ${visibleText(saved.manifest_paths.join(', '))}, not from ${paths.join(', ')} as given`]);
  }
  const desired = await readDesired(saved.manifest_paths, io);
  const mismatches = planMismatches(saved, client.baseUrl, desired.ok ? manifestDigest(desired.sources) : undefined);
  if (mismatches.length > 0 || !desired.ok) return refuse(mismatches);
  // Before any request: the file must be what the reviewed manifests imply.
  const recomputed = recomputePlan(saved, desired.datastores, desired.rules);
  if (!recomputed.ok) {
    return refuse([...recomputed.problems, `${file} is not the plan the manifests imply (edited since it was saved?): plan again and review the new plan`]);
  }
  const plan = recomputed.plan;
  const names = namesToCheck(plan, desired.datastores, [...desired.datastores, ...desired.rules].map((d) => d.link));
  const live = await observeChanging(client, plan, io, names);
  const progress = datastoreProgress(plan, live, { resume: true });
  const problems = [...nameProblems(names, live), ...progress.problems];
  if (problems.length > 0) {
    return refuse([...problems, 'the live state moved since the plan was made: plan again and review the new plan']);
  }
  for (const c of progress.resumed) {
    const remaining = progress.changes.find((r) => r.datastore.id === c.datastore.id)!;
    io.stderr.write(`Resuming ${describeRef(c.datastore)}: an earlier apply of ${file} got part of the way; remaining: ${remaining.operations.map((o) => describeOperation(remaining.datastore.id, o)).join(', ')}.\n`);
  }
  if (progress.done.length === 0) return { ...plan, changes: progress.changes };
  const remaining = progress.changes.filter((c) => c.action !== 'no-op').length;
  io.stderr.write(remaining === 0
    ? `The plan in ${file} is already applied: every datastore is in the state it leads to.\n`
    : `${progress.done.length} of the datastores in ${file} are already in the state the plan leads to (an earlier apply); applying the other ${remaining}.\n`);
  return { ...plan, changes: progress.changes };
}

/**
 * Reads again, by id, the datastores a plan changes and every enrichment datastore it names (in
 * `before`, `after` and its link operations), and by name the names the manifests found them by
 * (`names`, for a saved plan): what the staleness check compares with the plan.
 */
async function observeChanging(client: QualyticsClient, plan: Plan, io: Io, names?: NamesUsed): Promise<Observation> {
  const sources = [...plan.changes.map((c) => c.datastore.id), ...(names?.sources.keys() ?? [])];
  const targets = [...linkTargets(plan).map((t) => t.id), ...(names?.targets.keys() ?? [])];
  const { observation } = await interruptible(observe(client, { sources, targets }), io.signal);
  return observation;
}

/** Refuses a plan whole, with every reason (program.ts prints it; exit 1). */
function refusal(what: string): (problems: string[]) => never {
  return (problems) => {
    throw new UserError(`refusing ${what}; nothing was changed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  };
}

async function execute(client: QualyticsClient, plan: Plan, options: ApplyCommandOptions, view: ApplyView, io: Io): Promise<ExitCode> {
  if (!plan.changes.some((c) => c.action !== 'no-op')) {
    view.nothingToDo(plan.base_url, options.plan !== undefined);
    return EXIT.ok;
  }
  view.starting();
  const acknowledge = (): void => {
    const n = client.inFlight();
    io.stderr.write(`\nstopping: waiting for ${n} request${n === 1 ? '' : 's'} in flight; ${io.stopAgain ?? 'press Ctrl-C again'} to stop now\n`);
  };
  io.signal.addEventListener('abort', acknowledge, { once: true });
  const report = await applyPlan(client, plan, {
    parallelism: options.parallelism,
    signal: io.signal,
    urgent: io.urgent,
    onResult: (r) => view.result(r),
  }).finally(() => io.signal.removeEventListener('abort', acknowledge));
  view.report(report);
  if (report.interrupted) return EXIT.interrupted;
  const counts = countResults(report);
  return counts.failed + counts.partial > 0 ? EXIT.error : EXIT.ok;
}
