/**
 * The plan as a pull-request comment: a marker that lets a pipeline find and update its previous
 * comment, a summary table, then one collapsible <details> per changed datastore holding a `diff`
 * block. However large the plan, the comment stays under GitHub's 65,536-character limit (budget
 * 60,000): what does not fit is counted, not silently dropped.
 */
import { diffLines } from 'diff';
import { describeValue } from '../plan/describe.js';
import { STATE_FIELDS } from '../plan/diff.js';
import type { Change, EnrichmentState, Plan } from '../plan/types.js';
import { fieldMarker, NO_CHANGES, summaryLine } from './values.js';
import { thousands } from '../core/format.js';

/** A hidden marker, so CI can find the comment it posted before and edit it in place. */
export const COMMENT_MARKER = '<!-- enrichctl-plan -->';
export const MARKDOWN_BUDGET = 60_000;

export function renderPlanMarkdown(plan: Plan, budget: number = MARKDOWN_BUDGET): string {
  const changed = plan.changes.filter((c) => c.action !== 'no-op');
  const head = [COMMENT_MARKER, '### enrichctl plan', '', `Against \`${plan.base_url}\`.`, ''];
  if (changed.length === 0) return `${[...head, `**${NO_CHANGES}**`].join('\n')}\n`;
  head.push(`**${summaryLine(plan.summary)}**`, '');

  const table = ['| | Datastore | Id | Changes |', '|:-:|---|--:|---|'];
  const details: string[] = [];
  // Reserve room for the closing note; each part is added only while the whole still fits.
  const reserve = 400;
  let used = head.join('\n').length + table.join('\n').length + reserve;
  let inTable = 0;
  for (const c of changed) {
    const row = `| \`${marker(c)}\` | ${cell(c.datastore.name)} | ${c.datastore.id} | ${c.changed_fields.map((f) => `\`${f}\``).join(', ')} |`;
    if (used + row.length + 1 > budget / 2) break;
    table.push(row);
    used += row.length + 1;
    inTable++;
  }
  let inDetails = 0;
  for (const c of changed) {
    const block = renderDetails(c);
    if (used + block.length + 1 > budget) break;
    details.push(block);
    used += block.length + 1;
    inDetails++;
  }
  const out = [...head, ...table, ''];
  if (inTable < changed.length) out.push(`_${changed.length - inTable} more changed datastores are not listed in this table._`, '');
  out.push(...details);
  if (inDetails < changed.length) {
    out.push('', `_${changed.length - inDetails} of ${changed.length} changed datastores are not shown in detail to keep this comment under ${thousands(budget)} characters; run \`enrichctl plan\` or read the JSON plan for all of them._`);
  }
  return `${out.join('\n')}\n`;
}

function renderDetails(c: Change): string {
  const title = `${marker(c)} ${html(c.datastore.name)} (id ${c.datastore.id}): ${c.operations.map((o) => o.type).join(', ')}`;
  return [
    '<details>',
    `<summary>${title}</summary>`,
    '',
    '```diff',
    stateDiff(c.before, c.after).trimEnd(),
    '```',
    '',
    c.operations.map((o) => `- \`${o.method} ${o.path}\`${o.type === 'update_settings' ? ` \`${JSON.stringify(o.body)}\`` : ''}`).join('\n'),
    '',
    '</details>',
  ].join('\n');
}

/** The five values before and after as a line diff: GitHub colours `-` and `+` lines. */
function stateDiff(before: EnrichmentState, after: EnrichmentState): string {
  const text = (s: EnrichmentState): string => STATE_FIELDS.map((f) => `${f}: ${describeValue(f, s)}\n`).join('');
  return diffLines(text(before), text(after))
    .map((part) => {
      const sign = part.added ? '+' : part.removed ? '-' : ' ';
      return part.value.replace(/\n$/, '').split('\n').map((line) => `${sign} ${line}`).join('\n');
    })
    .join('\n');
}

/** `+` a link appears, `-` it goes, `~` a switch or settings only. */
function marker(c: Change): string {
  return c.changed_fields.includes('enrich_datastore') ? fieldMarker('enrich_datastore', c.before, c.after) : '~';
}

function html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cell(s: string): string {
  return html(s).replace(/([\\`*_[\]|])/g, '\\$1');
}
