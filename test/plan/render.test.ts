/**
 * Golden files for the rendered plan (decK's testdata layout): one folder per case under
 * test/plan/golden/, holding the expected text and markdown. The plans come from the real diff.
 * Only UPDATE_GOLDEN=1 writes them (a missing one fails); review the git diff before committing.
 */
import { fileURLToPath } from 'node:url';
import { hiddenFields } from '../../src/render/values.js';
import { STATE_FIELDS } from '../../src/model/state.js';
import { describe, expect, it } from 'vitest';
import { diffState } from '../../src/plan/diff.js';
import { findUnmanaged } from '../../src/plan/unmanaged.js';
import type { Plan } from '../../src/model/plan.js';
import { COLOUR, PLAIN } from '../../src/render/colour.js';
import { MARKDOWN_BUDGET, renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { writePlanText } from '../../src/render/plan-text.js';
import type { Paint } from '../../src/render/colour.js';
import { expectGolden } from '../helpers/golden.js';
import { declare, META, observed, rule, type LiveEntry } from './builders.js';

const ENR = { id: 100, name: 'Healthcare Enrichment' };
const OLD = { id: 101, name: 'Legacy | Enrichment <old>' };

/** The text a plan view writes: every part, in order. */
function planText(p: Plan, paint: Paint): string {
  let text = '';
  writePlanText(p, paint, (part) => { text += part; });
  return text;
}

function plan(live: LiveEntry[], decls: ReturnType<typeof declare>[]): Plan {
  const result = diffState(decls, observed([...live, { ...ENR, enrichment_only: true }, { ...OLD, enrichment_only: true }]), META);
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return result.plan;
}

/**
 * Names a hostile datastore owner could choose: each tries to forge part of a pull-request comment
 * (a table row, a heading, a link, an image, HTML, a closed code block, a mention, math).
 */
export const HOSTILE = {
  row: 'Evil\n| 666 | `forged row` |\n| x',
  heading: '# Approved by security',
  html: '<img src=x onerror=alert(1)><b>bold</b>',
  link: '[click me](https://evil.example/login) ![pixel](https://evil.example/p.png)',
  fence: '```\n</details>\n\n## Fake section\n````',
  mention: '@security-team please approve *now* _quickly_ $\\color{red}{x}$ ~gone~',
  carriage: 'Carriage\r\n- [x] done\u2028line',
  bidi: 'abc\u202Eevil\u202C',
};
const HOSTILE_ENR = { id: 200, name: 'Enr </summary><h1>x</h1>\n| fake | row |' };

const CASES: Record<string, () => Plan> = {
  '001-no-changes': () => plan([{ id: 1, name: 'Orders' }], [declare('Orders', { settings: { enrichment_prefix: 'Source' } })]),
  '002-every-kind-of-change': () => plan(
    [
      { id: 1, name: 'Orders' },
      { id: 2, name: 'Customers', state: { enrich_datastore: OLD, enrichment_remediation_strategy: 'append' } },
      { id: 3, name: 'Payments', state: { enrich_datastore: ENR, enrichment_remediation_strategy: 'overwrite' } },
      { id: 4, name: 'Inventory_*stock*', state: { enrichment_source_record_limit: 100 } },
      { id: 5, name: 'Unchanged' },
    ],
    [
      declare('Orders', { link: 'Healthcare Enrichment', settings: { enrichment_remediation_strategy: 'append', enrichment_prefix: 'Orders Prod' } }),
      declare('Customers', { link: 100 }),
      declare('Payments', { link: null, settings: { high_count_rollup_threshold: 25 } }),
      declare(4, { settings: { enrichment_source_record_limit: 1_000_000 } }),
      declare('Unchanged', { settings: { high_count_rollup_threshold: 10 } }),
    ],
  ),
  '004-unmanaged': () => {
    const live: LiveEntry[] = [
      { id: 1, name: 'Orders' },
      { id: 2, name: 'Hand-made | link', state: { enrich_datastore: ENR, enrichment_prefix: '_hand_made_link' } },
      { id: 3, name: 'Tuned', state: { enrichment_prefix: '_custom', high_count_rollup_threshold: 99 } },
      { id: 4, name: 'Untouched', state: { enrichment_prefix: '_untouched' } },
    ];
    const obs = observed([...live, { ...ENR, enrichment_only: true }]);
    const result = diffState([declare('Orders', { settings: { high_count_rollup_threshold: 20 } })], obs, META);
    if (!result.ok) throw new Error('expected a plan');
    return { ...result.plan, unmanaged: findUnmanaged(obs, new Set([1])) };
  },
  '005-hostile-names': () => {
    const names = Object.values(HOSTILE);
    const live: LiveEntry[] = names.map((name, i) => ({ id: 10 + i, name, state: { enrichment_prefix: `_p${i}` } }));
    live.push({ id: 50, name: '`tick` ``double`` [unmanaged](javascript:alert(1))', state: { enrich_datastore: HOSTILE_ENR, enrichment_prefix: 'x`` <b>|</b>\n# y' } });
    const obs = observed([...live, { ...HOSTILE_ENR, enrichment_only: true }]);
    const decls = names.map((name) => declare(name, { link: HOSTILE_ENR.name, settings: { enrichment_prefix: 'Orders Prod' } }));
    const result = diffState(decls, obs, META);
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    return {
      ...result.plan,
      base_url: 'http://127.0.0.1:1/api`` <b>',
      unmanaged: findUnmanaged(obs, new Set(names.map((_, i) => 10 + i))),
      warnings: [{ message: `datastore ${JSON.stringify(HOSTILE.row)} says ${HOSTILE.link} ${HOSTILE.html}\n> quoted`, file: 'm`.yaml', line: 3 }],
    };
  },
  '006-rules': () => {
    const live: LiveEntry[] = [
      { id: 1, name: 'Sales EU', type: 'snowflake', tags: ['pii'] },
      { id: 2, name: 'Sales US', type: 'snowflake', tags: ['pii'], state: { high_count_rollup_threshold: 42 } },
      { ...ENR, enrichment_only: true },
    ];
    const entry = declare('Sales US', { settings: { enrichment_source_record_limit: 5 } });
    const rules = [rule({ tags: ['pii'] }, {
      link: 'Healthcare Enrichment', settings: { enrichment_prefix: 'pii {name}', high_count_rollup_threshold: 42 }, defaults: { enrichment_source_record_limit: 50 }, file: 'manifests/pii.yaml', line: 3,
    })];
    const result = diffState([entry], observed(live), META, [], rules);
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    return result.plan;
  },
  '003-markdown-over-budget': () => plan(
    Array.from({ length: 3000 }, (_, i) => ({ id: 1000 + i, name: `warehouse.schema_${String(i).padStart(4, '0')}` })),
    Array.from({ length: 3000 }, (_, i) => declare(`warehouse.schema_${String(i).padStart(4, '0')}`, { link: 100, settings: { enrichment_remediation_strategy: 'overwrite' } })),
  ),
};

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));

function golden(name: string, file: string, actual: string): void {
  expectGolden(`${GOLDEN}${name}/${file}`, actual, 'test/plan/render.test.ts');
}

describe('golden renderings', () => {
  for (const [name, make] of Object.entries(CASES)) {
    it(name, () => {
      const p = make();
      if (name !== '003-markdown-over-budget') golden(name, 'plan.txt', planText(p, PLAIN));
      golden(name, 'plan.md', renderPlanMarkdown(p));
    });
  }
});

describe('render rules', () => {
  it('keeps markdown under the budget and counts what it left out', () => {
    const md = renderPlanMarkdown(CASES['003-markdown-over-budget']!());
    expect(md.length).toBeLessThan(MARKDOWN_BUDGET);
    const shown = (md.match(/<details>/g) ?? []).length;
    expect(shown).toBeGreaterThan(10);
    expect(md).toContain(`_${3000 - shown} of 3000 changed datastores are not shown in detail`);
  });

  it('no server-provided name can forge markdown structure', () => {
    const md = renderPlanMarkdown(CASES['005-hostile-names']!());
    const names = [...Object.values(HOSTILE), HOSTILE_ENR.name];
    // Every line is one the renderer made: table rows have their 4 (or 3) cells, and nothing but the
    // renderer's own headings, fences, HTML and list items starts a line.
    const lines = md.split('\n');
    for (const line of lines) {
      if (line.startsWith('|')) expect((line.match(/(?<!\\)\|/g) ?? []).length, line).toBeGreaterThanOrEqual(4);
      if (line.startsWith('|')) expect((line.match(/(?<!\\)\|/g) ?? []).length, line).toBeLessThanOrEqual(5);
      if (line.startsWith('#')) expect(line, line).toMatch(/^#{3,4} (enrichctl plan|Unmanaged)/);
      if (line.startsWith('<')) expect(line, line).toMatch(/^(<!-- enrichctl-plan -->|<details>|<\/details>|<summary>[^<]*<\/summary>)$/);
    }
    // The fences the renderer opens are closed by it: every diff block is as long as it began.
    const fences = lines.filter((l) => /^`{3,}/.test(l));
    expect(fences.length % 2).toBe(0);
    for (let i = 0; i < fences.length; i += 2) expect(fences[i + 1]).toBe(fences[i]!.replace(/diff$/, ''));
    // Outside code blocks no raw `<`, `](`, line break or mention survives from any name.
    let inFence = '';
    const prose: string[] = [];
    for (const line of lines) {
      const fence = /^(`{3,})/.exec(line)?.[1];
      if (fence && (inFence === '' || fence === inFence)) {
        inFence = inFence === '' ? fence : '';
        continue;
      }
      if (inFence === '') prose.push(line.replace(/^<\/?(details|summary)>|<\/summary>$|^<!-- enrichctl-plan -->$/g, ''));
    }
    // Code spans are literal text: drop them (after escaped backticks, which open none).
    const text = prose.join('\n').replace(/\\`/g, '').replace(/(`+)(?!`)[^]*?(?<!`)\1(?!`)/g, '');
    expect(text).not.toMatch(/<(?!!--)/);
    expect(text).not.toMatch(/(?<!\\)\]\(/);
    expect(text).not.toMatch(/@security-team/);
    expect(text).not.toMatch(/https:\/\//);
    for (const name of names) {
      // A whole line of a name never becomes a line of the comment (`</details>` is the renderer's own).
      for (const part of name.split(/\r?\n/)) if (part.length > 3 && part !== '</details>') expect(lines, part).not.toContain(part);
    }
    expect(md).not.toMatch(/[\u202a-\u202e\u2028\r]/);
  });

  it('writes a long plan in parts of whole blocks, which add up to the plan', () => {
    const live = Array.from({ length: 300 }, (_, i) => ({ id: 1000 + i, name: `ds_${String(i + 1).padStart(3, '0')}` }));
    const p = plan(live, live.map((d, i) => declare(d.name, { link: ENR.name, line: 3 + 2 * i })));
    const parts: string[] = [];
    writePlanText(p, PLAIN, (part) => parts.push(part));
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(part.endsWith('\n')).toBe(true);
    // Each part after the first starts a block (its comment line): a block is never split.
    for (const part of parts.slice(1, -1)) expect(part).toMatch(/^ {2}# "ds_\d{3}" \(id \d+\), declared at m\.yaml:\d+\n/);
    const text = parts.join('');
    expect(text.match(/^ {2}~ datastore /gm)).toHaveLength(300);
    expect(text.endsWith('Plan: 300 datastores to change (300 links), 0 unchanged.\n')).toBe(true);
  });

  it('colours only when asked', () => {
    const p = CASES['002-every-kind-of-change']!();
    expect(planText(p, PLAIN)).not.toContain('\u001b[');
    expect(planText(p, COLOUR)).toContain('\u001b[32m+\u001b[39m');
  });
});

describe('hidden values in a change block', () => {
  const at = { file: 'm.yaml', line: 4, column: 5, end_line: 4, end_column: 9 };
  it.each([
    { changed: ['enrichment_prefix'], managed: ['enrichment_prefix', 'high_count_rollup_threshold', 'enrich_datastore'], text: '2 unchanged, 2 not managed' },
    { changed: ['enrichment_prefix'], managed: ['enrichment_prefix'], text: '4 not managed' },
    { changed: ['enrichment_prefix'], managed: STATE_FIELDS, text: '4 unchanged' },
    { changed: STATE_FIELDS, managed: STATE_FIELDS, text: '' },
  ] as const)('$text', ({ changed, managed, text }) => {
    expect(hiddenFields({ changed_fields: [...changed], locations: Object.fromEntries(managed.map((f) => [f, at])) })).toBe(text);
  });
});
