/** The terminal rendering of an apply report: one line per datastore as it finishes, then a summary. */
import type { ApplyReport, DatastoreResult, OperationResult } from '../model/report.js';
import { countResults } from '../model/report.js';
import type { Paint } from './colour.js';
import { describeRef } from '../model/describe.js';
import { describeOperation } from '../model/routes.js';
import { visibleText } from '../core/visible-text.js';


export function renderResultLine(r: DatastoreResult, p: Paint): string {
  const name = describeRef(r.datastore);
  switch (r.status) {
    case 'applied':
      return `${p.green('applied')}  ${name}: ${r.operations.map((o) => describeOperation(r.datastore.id, o.operation)).join(', ')}\n`;
    case 'failed': {
      const lines = [`${p.red('failed')}   ${name}`];
      for (const o of r.operations) lines.push(`         ${describeOp(r.datastore.id, o)}`);
      // Mismatches quote what the server answered: made visible again here, whatever built them.
      for (const m of r.mismatches ?? []) lines.push(`         ${p.red('not converged:')} ${visibleText(m)}`);
      return `${lines.join('\n')}\n`;
    }
    case 'partial':
    case 'skipped': {
      const lines = [`${p.yellow(r.status === 'partial' ? 'partial' : 'skipped')}  ${name}: interrupted`];
      for (const o of r.operations) lines.push(`         ${describeOp(r.datastore.id, o)}`);
      return `${lines.join('\n')}\n`;
    }
    default: {
      const unreachable: never = r.status;
      return String(unreachable);
    }
  }
}

function describeOp(datastoreId: number, o: OperationResult): string {
  const call = describeOperation(datastoreId, o.operation);
  switch (o.outcome) {
    case 'done':
      return `done     ${call}`;
    case 'not-run':
      return `not run  ${call}`;
    case 'failed':
      return `failed   ${visibleText(o.error?.message ?? call)}`;
    case 'unknown':
      return o.error
        ? `unknown  ${visibleText(o.error.message)}; it may have landed (run plan to see)`
        : `unknown  ${call}: outcome unknown (re-run plan to see)`;
    default: {
      const unreachable: never = o.outcome;
      return String(unreachable);
    }
  }
}

export function renderApplySummary(report: ApplyReport, p: Paint): string {
  const c = countResults(report);
  const parts = [`${c.applied} applied`, `${c.failed} failed`, `${c.skipped} skipped`];
  if (c.partial > 0) parts.push(`${c.partial} partially applied`);
  const head = report.interrupted ? 'Apply interrupted' : c.failed > 0 ? 'Apply finished with errors' : 'Apply complete';
  const colour = report.interrupted || c.partial > 0 ? p.yellow : c.failed > 0 ? p.red : p.green;
  let text = `${p.bold(colour(`${head}: ${parts.join(', ')}.`))}\n`;
  if (c.failed > 0) text += 'Fix what failed, then run apply again: every call enrichctl makes is idempotent, so it converges.\n';
  else if (report.interrupted) text += 'Run apply again to finish: every call enrichctl makes is idempotent, so it converges.\n';
  if (report.results.some((r) => r.operations.some((o) => o.outcome === 'unknown'))) {
    text += 'Writes marked unknown were cut off in flight, or failed after the server may have received them: they may or may not have landed; run plan to see the live state.\n';
  }
  return text;
}
