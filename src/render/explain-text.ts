/**
 * `explain` as text: the datastore, then one row per field (desired value, where it comes from and
 * what it overrides, the live value), and the messages for a datastore there is nothing to explain
 * of. Server text (names, types, tags, live values) and manifest strings pass through visible-text.
 */
import { quoteText, visibleText } from '../core/visible-text.js';
import { describeRef } from '../model/describe.js';
import type { Candidate, ExplainRefusal, Explanation, FieldExplanation, FieldValue, Place } from '../model/explanation.js';

export function renderExplainText(e: Explanation): string {
  const d = e.datastore;
  const head = [describeRef(d), ...(d.type !== undefined ? [visibleText(d.type)] : []), ...(d.tags && d.tags.length > 0 ? [`tags: ${d.tags.map(visibleText).join(', ')}`] : [])].join(', ');
  const declared = [
    ...e.entries.map((p) => `entry at ${at(p)}`),
    ...e.rules.map((p) => `rule at ${at(p)}`),
  ];
  const rows = e.fields.map((f) => [f.field, desiredText(f), originText(f), `live: ${f.live === undefined ? 'unknown' : valueText(f.live)}`]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = [
    head,
    `  declared by ${declared.join(', ')}`,
    ...rows.map((r) => `  ${r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ')}`.trimEnd()),
  ];
  if (e.rules_not_matching.length > 0) {
    lines.push(`  not matching: ${e.rules_not_matching.map((r) => `rule at ${at(r)} (${r.failed.join(', ')})`).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Why `explain` has nothing to show: one message for the CLI's error line. */
export function describeRefusal(r: ExplainRefusal): string {
  switch (r.kind) {
    case 'not-found':
      return `no datastore ${typeof r.ref === 'number' ? `with id ${r.ref}` : `named ${quoteText(r.ref)}`} is visible with this token`;
    case 'ambiguous':
      return `${r.ids.length} source datastores are named ${quoteText(r.ref)} (ids ${r.ids.join(', ')}): explain one by id`;
    case 'enrichment-only':
      return `${describeRef(r.datastore)} is an enrichment datastore: manifests declare source datastores, so there is nothing to explain`;
    case 'denied':
      return `datastore id ${r.ref} may not be read with this token: ${visibleText(r.detail)}`;
    case 'not-declared': {
      const close = r.rules_not_matching.filter((x) => x.failed.length === 1);
      const hint = close.length === 0 ? '' : `; rules that miss it by one criterion: ${close.map((x) => `${at(x)} (${x.failed[0]})`).join(', ')}`;
      return `${describeRef(r.datastore)} is not declared by any entry or rule of these manifests${hint}`;
    }
    default: {
      const unreachable: never = r;
      throw new Error(`unknown refusal ${String(unreachable)}`);
    }
  }
}

function desiredText(f: FieldExplanation): string {
  if (f.status === 'not-managed') return 'not managed';
  if (f.status === 'conflict') return 'conflict';
  return valueText(f.desired ?? null);
}

function originText(f: FieldExplanation): string {
  const winner = f.candidates.find((c) => c.role === 'winner');
  const also = f.candidates.filter((c) => c.role === 'agrees').map(where);
  const overridden = f.candidates.filter((c) => c.role === 'overridden').map((c) => `${where(c)}: ${valueText(c.value)}`);
  const conflicting = f.candidates.filter((c) => c.role === 'conflicting').map((c) => `${where(c)}: ${valueText(c.value)}`);
  const parts: string[] = [];
  if (winner) parts.push(where(winner));
  if (f.refused) parts.push(`(plan refuses: ${f.refused})`);
  if (conflicting.length > 0) parts.push(`${conflicting.join(' vs ')} (plan refuses)`);
  if (also.length > 0) parts.push(`(also ${also.join(', ')})`);
  if (overridden.length > 0) parts.push(`(overrides ${overridden.join(', ')})`);
  return parts.join(' ');
}

function where(c: Candidate): string {
  return `${c.from} at ${at(c)}`;
}

function at(p: Place): string {
  return `${visibleText(p.file)}:${p.line}`;
}

function valueText(v: FieldValue | { id: number; name: string }): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return quoteText(v);
  if (typeof v === 'number') return String(v);
  if (v.name !== undefined && v.id !== undefined) return describeRef({ id: v.id, name: v.name });
  return v.name !== undefined ? quoteText(v.name) : `id ${v.id}`;
}
