/**
 * The plan as a pull-request comment: a marker that lets a pipeline find and update its previous
 * comment, a summary table, then one collapsible <details> per changed datastore holding a `diff`
 * block. However large the plan, the comment stays under GitHub's 65,536-character limit (budget
 * 60,000): what does not fit is counted, not silently dropped. Every piece of text that came from
 * the server or the manifests goes through `markdown-escape.ts`, for the context it lands in.
 */
import { describeOperation } from '../model/routes.js';
import { diffLines } from 'diff';
import { describeValue, fieldLabel } from '../model/describe.js';
import { STATE_FIELDS } from '../model/state.js';
import type { Change, EnrichmentState, Plan } from '../model/plan.js';
import { codeSpan, fencedBlock, htmlText, markdownText } from './markdown-escape.js';
import { fieldMarker, NO_CHANGES, summaryLine, unmanagedHeadline, valueOrigin } from './values.js';
import { thousands } from '../core/format.js';

/** A hidden marker, so CI can find the comment it posted before and edit it in place. */
export const COMMENT_MARKER = '<!-- enrichctl-plan -->';
export const MARKDOWN_BUDGET = 60_000;

export function renderPlanMarkdown(plan: Plan, budget: number = MARKDOWN_BUDGET): string {
  const changed = plan.changes.filter((c) => c.action !== 'no-op');
  const out = [COMMENT_MARKER, '### enrichctl plan', '', `Against ${codeSpan(plan.base_url)}.`, ''];
  out.push(changed.length === 0 ? `**${NO_CHANGES}**` : `**${summaryLine(plan)}**`, '');
  const warnings = plan.warnings ?? [];
  for (const w of warnings.slice(0, 20)) {
    out.push(`> **Warning**${w.file && w.line ? ` (${codeSpan(`${w.file}:${w.line}`)})` : ''}: ${markdownText(w.message)}`, '');
  }
  if (warnings.length > 20) out.push(`> ${warnings.length - 20} more warnings: run \`enrichctl plan\` to see them.`, '');
  // Each part is added only while the whole still fits; room is kept for the closing notes.
  let used = out.join('\n').length + 600;
  /**
   * The texts of the leading items that fit under `limit`, in order (stopping at the first that does
   * not). Each is rendered when its turn comes: of a plan of 100,000 changes, a few hundred fit.
   */
  const fitting = <T>(items: readonly T[], render: (item: T) => string, limit: number): string[] => {
    const taken: string[] = [];
    for (const item of items) {
      const text = render(item);
      if (used + text.length + 1 > limit) break;
      used += text.length + 1;
      taken.push(text);
    }
    return taken;
  };
  const notes: string[] = [];

  if (changed.length > 0) {
    out.push('| | Datastore | Id | Changes |', '|:-:|---|--:|---|');
    const shown = fitting(changed, (c) => `| \`${marker(c)}\` | ${markdownText(c.datastore.name)} | ${c.datastore.id} | ${c.changed_fields.map((f) => `\`${fieldLabel(f)}\``).join(', ')} |`, budget * 0.4);
    out.push(...shown, '');
    if (shown.length < changed.length) out.push(`_${changed.length - shown.length} more changed datastores are not listed in this table._`, '');
  }

  if (plan.unmanaged) {
    out.push(`#### ${unmanagedHeadline(plan.unmanaged.length)}`, '');
    if (plan.unmanaged.length > 0) {
      out.push('| Datastore | Id | Not at its default |', '|---|--:|---|');
      const unmanaged = plan.unmanaged;
      const shown = fitting(unmanaged, (u) => `| ${markdownText(u.datastore.name)} | ${u.datastore.id} | ${u.non_default.map((f) => `\`${fieldLabel(f)}\` = ${markdownText(describeValue(f, u.state))}`).join(', ')} |`, budget * 0.55);
      out.push(...shown, '');
      if (shown.length < unmanaged.length) out.push(`_${unmanaged.length - shown.length} more unmanaged datastores are not listed._`, '');
    }
  }

  const details = fitting(changed, renderDetails, budget);
  out.push(...details);
  if (details.length < changed.length) {
    notes.push(`_${changed.length - details.length} of ${changed.length} changed datastores are not shown in detail to keep this comment under ${thousands(budget)} characters; run \`enrichctl plan\` or read the JSON plan for all of them._`);
  }
  if (notes.length > 0) out.push('', ...notes);
  return `${out.join('\n')}\n`;
}

function renderDetails(c: Change): string {
  const title = `${marker(c)} ${htmlText(c.datastore.name)} (id ${c.datastore.id}): ${c.operations.map((o) => o.type).join(', ')}`;
  return [
    '<details>',
    `<summary>${title}</summary>`,
    '',
    fencedBlock('diff', stateDiff(c)),
    '',
    c.operations.map((o) => `- ${codeSpan(describeOperation(c.datastore.id, o))}${o.type === 'update_settings' ? ` ${codeSpan(JSON.stringify(o.body))}` : ''}`).join('\n'),
    '',
    '</details>',
  ].join('\n');
}

/**
 * The five values before and after as a line diff (one line each): GitHub colours `-` and `+` lines;
 * a value the manifests do not manage says so.
 */
function stateDiff(c: Change): string[] {
  const text = (s: EnrichmentState, after: boolean): string =>
    STATE_FIELDS.map((f) => {
      const origin = after && c.changed_fields.includes(f) ? valueOrigin(c, f) : undefined;
      return `${fieldLabel(f)}: ${describeValue(f, s)}${c.locations?.[f] || c.changed_fields.includes(f) ? '' : '  (not managed)'}${origin ? `   # ${origin}` : ''}\n`;
    }).join('');
  return diffLines(text(c.before, false), text(c.after, true))
    .map((part) => {
      const sign = part.added ? '+' : part.removed ? '-' : ' ';
      return part.value.replace(/\n$/, '').split('\n').map((line) => `${sign} ${line}`);
    })
    .flat();
}

/** `+` a link appears, `-` it goes, `~` a switch or settings only. */
function marker(c: Change): string {
  return c.changed_fields.includes('enrich_datastore') ? fieldMarker('enrich_datastore', c.before, c.after) : '~';
}
