/** The terminal rendering of a plan, Terraform-like: one block per changed datastore, then a summary. */
import { describeOperation } from '../model/routes.js';
import { STATE_FIELDS } from '../model/state.js';
import type { Change, Plan } from '../model/plan.js';
import type { Paint } from './colour.js';
import { describeRef, describeValue, fieldLabel } from '../model/describe.js';
import type { UnmanagedDatastore } from '../model/plan.js';
import { fieldMarker, hiddenFields, NO_CHANGES, summaryLine, unmanagedHeadline, valueOrigin } from './values.js';

const FIELD_WIDTH = Math.max(...STATE_FIELDS.map((f) => fieldLabel(f).length));

export function renderPlanText(plan: Plan, p: Paint): string {
  const changed = plan.changes.filter((c) => c.action !== 'no-op');
  const out: string[] = [];
  if (changed.length === 0) {
    out.push(p.green(NO_CHANGES));
  } else {
    out.push('enrichctl will perform the following actions:', '');
    for (const c of changed) renderChange(out, c, p);
    out.push(p.bold(summaryLine(plan)));
  }
  if (plan.unmanaged) out.push('', ...renderUnmanaged(plan.unmanaged, p));
  return `${out.join('\n')}\n`;
}

function renderUnmanaged(unmanaged: readonly UnmanagedDatastore[], p: Paint): string[] {
  const lines = [p.yellow(unmanagedHeadline(unmanaged.length))];
  for (const u of unmanaged) {
    lines.push(`  ${p.yellow('!')} ${describeRef(u.datastore)}: ${u.non_default.map((f) => `${fieldLabel(f)} = ${describeValue(f, u.state)}`).join(', ')}`);
  }
  return lines;
}

/** Adds one change's block, and the blank line after it, to `lines` (one array for the whole plan: plans run to 100,000 blocks). */
function renderChange(lines: string[], c: Change, p: Paint): void {
  const ref = describeRef(c.datastore);
  lines.push(p.dim(`  # ${ref}, declared at ${c.declared_at.file}:${c.declared_at.line}`), `  ${p.yellow('~')} datastore ${ref} {`);
  for (const field of c.changed_fields) {
    const marker = fieldMarker(field, c.before, c.after);
    const colour = marker === '+' ? p.green : marker === '-' ? p.red : p.yellow;
    const before = describeValue(field, c.before);
    const after = describeValue(field, c.after);
    const value = marker === '+' ? after : `${before} -> ${after}`;
    const origin = valueOrigin(c, field);
    lines.push(`      ${colour(marker)} ${fieldLabel(field).padEnd(FIELD_WIDTH)} = ${value}${origin ? p.dim(`   # ${origin}`) : ''}`);
  }
  const hidden = hiddenFields(c);
  if (hidden) lines.push(p.dim(`        (${hidden})`));
  lines.push('    }');
  for (const op of c.operations) lines.push(p.dim(`    ${describeOperation(c.datastore.id, op)}${op.type === 'update_settings' ? ` ${JSON.stringify(op.body)}` : ''}`));
  lines.push('');
}
