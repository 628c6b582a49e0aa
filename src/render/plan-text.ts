/**
 * The terminal rendering of a plan, Terraform-like: one block per changed datastore, then a summary.
 * Plans run to 100,000 blocks, rendered once in a fresh process (cold code): written in parts,
 * indexed loops, and what every block repeats (padded labels, the text of the few datastores linked
 * to) made once.
 */
import { visibleText } from '../core/visible-text.js';
import { describeOperation } from '../model/routes.js';
import { STATE_FIELDS } from '../model/state.js';
import type { Change, DatastoreRef, EnrichmentState, Plan } from '../model/plan.js';
import type { Paint } from './colour.js';
import { describeRef, describeValue, fieldLabel, refTexts } from '../model/describe.js';
import type { UnmanagedDatastore } from '../model/plan.js';
import { fieldMarker, hiddenFields, NO_CHANGES, summaryLine, unmanagedHeadline, valueOrigin } from './values.js';

const FIELD_WIDTH = Math.max(...STATE_FIELDS.map((f) => fieldLabel(f).length));
/** Lines handed to `write` at a time: ~25 KB of a plan's blocks. */
const PART_LINES = 512;
const PADDED_LABEL = Object.fromEntries(STATE_FIELDS.map((f) => [f, fieldLabel(f).padEnd(FIELD_WIDTH)])) as Record<keyof EnrichmentState, string>;

export function renderPlanText(plan: Plan, p: Paint): string {
  const parts: string[] = [];
  writePlanText(plan, p, (text) => parts.push(text));
  return parts.join('');
}

/**
 * The plan's text handed to `write` in parts of a few hundred lines: a plan is never one string (a
 * plan of 2,000 blocks is 0.5 MB, and its lines kept until the end were copied by every garbage
 * collection in between).
 */
export function writePlanText(plan: Plan, p: Paint, write: (text: string) => void): void {
  const out: string[] = [];
  const links = refTexts();
  const changes = plan.changes;
  let changing = false;
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    if (c.action === 'no-op') continue;
    if (!changing) out.push('enrichctl will perform the following actions:', '');
    changing = true;
    renderChange(out, c, p, links);
    if (out.length >= PART_LINES) writeLines(out, write);
  }
  out.push(changing ? p.bold(summaryLine(plan)) : p.green(NO_CHANGES));
  if (plan.unmanaged) out.push('', ...renderUnmanaged(plan.unmanaged, p));
  writeLines(out, write);
}

/** The lines, each ended, as one flat string (a join, not a concatenation the writer would flatten again); empties `lines`. */
function writeLines(lines: string[], write: (text: string) => void): void {
  lines.push('');
  write(lines.join('\n'));
  lines.length = 0;
}

function renderUnmanaged(unmanaged: readonly UnmanagedDatastore[], p: Paint): string[] {
  const lines = [p.yellow(unmanagedHeadline(unmanaged.length))];
  for (const u of unmanaged) {
    lines.push(`  ${p.yellow('!')} ${describeRef(u.datastore)}: ${u.non_default.map((f) => `${fieldLabel(f)} = ${describeValue(f, u.state)}`).join(', ')}`);
  }
  return lines;
}

/** Adds one change's block, and the blank line after it, to `lines`. `links`: how a link reads. */
function renderChange(lines: string[], c: Change, p: Paint, links: (ref: DatastoreRef) => string): void {
  const ref = describeRef(c.datastore);
  lines.push(p.dim(`  # ${ref}, declared at ${visibleText(c.declared_at.file)}:${c.declared_at.line}`), `  ${p.yellow('~')} datastore ${ref} {`);
  for (let i = 0; i < c.changed_fields.length; i++) {
    const field = c.changed_fields[i]!;
    const marker = fieldMarker(field, c.before, c.after);
    const colour = marker === '+' ? p.green : marker === '-' ? p.red : p.yellow;
    const after = describeValue(field, c.after, links);
    const value = marker === '+' ? after : `${describeValue(field, c.before, links)} -> ${after}`;
    const origin = valueOrigin(c, field);
    lines.push(`      ${colour(marker)} ${PADDED_LABEL[field]} = ${value}${origin ? p.dim(`   # ${origin}`) : ''}`);
  }
  const hidden = hiddenFields(c);
  if (hidden) lines.push(p.dim(`        (${hidden})`));
  lines.push('    }');
  for (let i = 0; i < c.operations.length; i++) {
    const op = c.operations[i]!;
    lines.push(p.dim(`    ${describeOperation(c.datastore.id, op)}${op.type === 'update_settings' ? ` ${JSON.stringify(op.body)}` : ''}`));
  }
  lines.push('');
}
