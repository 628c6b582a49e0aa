/**
 * The report formats over the one findings model: golden files (one folder per case under
 * test/render/golden/), SARIF validated against the official SARIF 2.1.0 schema, GitHub annotation
 * escaping against hostile names, Prometheus read back by a real exposition-format parser, JUnit's
 * counts and escaping. Only UPDATE_GOLDEN=1 writes the golden files.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
// @ts-expect-error -- the parser ships no types; the test only reads its plain-object result.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/core/diagnostics.js';
import type { Plan } from '../../src/model/plan.js';
import { diffState } from '../../src/plan/diff.js';
import { findUnmanaged } from '../../src/plan/unmanaged.js';
import { abortedFindings, failedPlanFindings, planFindings, recordedDiagnostics, validateFindings, type Findings } from '../../src/render/findings.js';
import { escapeData, escapeProperty, renderGithubAnnotations } from '../../src/render/reports/github.js';
import { renderJunit } from '../../src/render/reports/junit.js';
import { renderPrometheus } from '../../src/render/reports/prometheus.js';
import { renderSarif } from '../../src/render/reports/sarif.js';
import { expectGolden } from '../helpers/golden.js';
import { declare, META, observed, type LiveEntry } from '../plan/builders.js';

const RUN = { version: '0.0.0-test', now: new Date('2025-01-02T03:04:05Z') };
const ENR = { id: 100, name: 'Healthcare Enrichment' };

function planOf(live: LiveEntry[], decls: ReturnType<typeof declare>[], unmanaged?: Set<number>): Plan {
  const obs = observed([...live, { ...ENR, enrichment_only: true }]);
  const result = diffState(decls, obs, META);
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return unmanaged ? { ...result.plan, unmanaged: findUnmanaged(obs, unmanaged) } : result.plan;
}

const WARNING: Diagnostic = { severity: 'warning', file: 'm.yaml', start: { line: 5, column: 5 }, end: { line: 5, column: 15 }, code: 'prefix-change', message: 'changing the prefix leaves tables behind' };
const NOTE: Diagnostic = { severity: 'note', file: 'm.yaml', start: { line: 5, column: 24 }, code: 'prefix-normalised', message: 'stored as _orders_prod', hints: ['write it that way to silence this note'] };
const ERRORS: Diagnostic[] = [
  { severity: 'error', file: 'm.yaml', start: { line: 3, column: 15 }, end: { line: 3, column: 22 }, code: 'unresolved-datastore', message: 'no visible datastore is named "Ghost"' },
  { severity: 'error', file: 'other.yaml', code: 'empty-file', message: 'the file is empty' },
];
/** A name written to break every format: workflow-command syntax, property separators, XML, newlines, percent. */
const HOSTILE = 'Evil::error file=x,line=1::forged 100% <b>&amp;</b> "q"\r\n::warning::second\u0001';

const CASES: Record<string, () => Findings> = {
  '001-drift-and-unmanaged': () => planFindings('plan', planOf(
    [
      { id: 1, name: 'Orders', state: { enrichment_prefix: '_orders' } },
      { id: 2, name: 'Payments', state: { enrich_datastore: ENR, enrichment_remediation_strategy: 'append' } },
      { id: 3, name: 'Same' },
      { id: 4, name: 'Hand-made', state: { enrich_datastore: ENR } },
    ],
    [
      declare('Orders', { link: 'Healthcare Enrichment', settings: { enrichment_prefix: 'Orders Prod', high_count_rollup_threshold: 20 } }),
      declare('Payments', { link: null, line: 10 }),
      declare('Same', { settings: { enrichment_prefix: '_source' }, line: 20 }),
    ],
    new Set([1, 2, 3]),
  ), [WARNING, NOTE]),
  '002-no-drift': () => planFindings('plan', planOf([{ id: 1, name: 'Orders' }], [declare('Orders', { settings: { enrichment_prefix: '_source' } })]), []),
  '003-plan-failed': () => failedPlanFindings(ERRORS, [
    { name: 'Ghost', declared_at: { file: 'm.yaml', line: 3, column: 5 } },
    { name: 'Orders', declared_at: { file: 'm.yaml', line: 8, column: 5 } },
  ]),
  '004-validate': () => validateFindings([...ERRORS, NOTE]),
  '005-aborted': () => abortedFindings('plan', 'GET /datastores failed: connection refused'),
  '006-hostile-names': () => planFindings('plan', planOf(
    [{ id: 7, name: HOSTILE, state: { enrichment_prefix: '_x' } }, { id: 8, name: `${HOSTILE} unmanaged`, state: { enrich_datastore: ENR } }],
    [{ ...declare(HOSTILE, { settings: { enrichment_prefix: 'y' } }), location: { file: 'dir,with:odd %name.yaml', start: { line: 3, column: 5 }, end: { line: 3, column: 9 } } }],
    new Set([7]),
  ), [{ ...WARNING, file: 'dir,with:odd %name.yaml', message: `about ${HOSTILE}` }]),
};

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const golden = (name: string, file: string, text: string): void => expectGolden(`${GOLDEN}${name}/${file}`, text, 'test/render/reports.test.ts');

// A draft-04 schema: ajv's default (draft-07) class reads it without checking it against its
// meta-schema, once its draft-04 `id` is spelled `$id` (the file itself stays as published).
const { id: sarifId, ...sarifSchema } = JSON.parse(readFileSync(new URL('../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as { id: string };
const validateSarif = new Ajv({ strict: false, validateSchema: false, allErrors: true }).compile({ ...sarifSchema, $id: sarifId });

describe('report formats, golden', () => {
  for (const [name, make] of Object.entries(CASES)) {
    it(name, () => {
      const report = make();
      const sarif = renderSarif(report, RUN);
      expect(validateSarif(JSON.parse(sarif)), JSON.stringify(validateSarif.errors)).toBe(true);
      golden(name, 'report.sarif', sarif);
      golden(name, 'annotations.txt', renderGithubAnnotations(report));
      golden(name, 'junit.xml', renderJunit(report));
      golden(name, 'metrics.prom', renderPrometheus(report, RUN));
    });
  }
});

describe('SARIF', () => {
  it('locates drift at the key that sets it, else at the entry; unmanaged datastores have no location', () => {
    const sarif = JSON.parse(renderSarif(CASES['001-drift-and-unmanaged']!(), RUN)) as { runs: Array<{ results: Array<{ ruleId: string; locations?: Array<{ physicalLocation: { region: object } }> }> }> };
    const results = sarif.runs[0]!.results;
    const at = (rule: string): object | undefined => results.find((r) => r.ruleId === rule)?.locations?.[0]?.physicalLocation.region;
    expect(at('enrichment_datastore')).toStrictEqual({ startLine: 4, startColumn: 27, endLine: 4, endColumn: 37 });
    expect(at('enrichment_prefix')).toStrictEqual({ startLine: 5, startColumn: 5, endLine: 5, endColumn: 15 });
    // Payments' strategy is reset by its unlink: no key sets it, so the entry owns it.
    expect(results.filter((r) => r.ruleId === 'enrichment_remediation_strategy').map((r) => r.locations?.[0]?.physicalLocation.region)).toStrictEqual([{ startLine: 10, startColumn: 5 }]);
    expect(results.filter((r) => r.ruleId === 'unmanaged-datastore').map((r) => r.locations)).toStrictEqual([undefined]);
  });

  it('reads the same from a saved plan as from the plan run that made it', () => {
    const plan = planOf([{ id: 1, name: 'Orders', state: { enrichment_prefix: '_orders' } }], [declare('Orders', { settings: { enrichment_prefix: 'x' } })]);
    const warnings = [{ message: WARNING.message, code: WARNING.code, file: 'm.yaml', line: 5, column: 5 }];
    const fromRun = planFindings('plan', plan, [WARNING]);
    const fromFile = planFindings('plan', { ...plan, warnings }, recordedDiagnostics({ ...plan, warnings }));
    expect(fromFile.findings.map((f) => [f.rule, f.location?.file, f.location?.region?.startLine])).toStrictEqual(fromRun.findings.map((f) => [f.rule, f.location?.file, f.location?.region?.startLine]));
  });
});

describe('GitHub annotations', () => {
  it('escape data and properties as the runner requires', () => {
    expect(escapeData('100% a\r\nb')).toBe('100%25 a%0D%0Ab');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });

  it('no hostile name starts a command, forges a property or breaks a line', () => {
    const out = renderGithubAnnotations(CASES['006-hostile-names']!());
    const lines = out.trimEnd().split('\n');
    expect(lines.length).toBe(CASES['006-hostile-names']!().findings.length);
    for (const line of lines) {
      const m = /^::(error|warning|notice) ([^:]*)::(.*)$/.exec(line);
      expect(m, line).not.toBeNull();
      // Only the properties enrichctl writes, each once.
      const keys = m![2]!.split(',').map((p) => p.split('=')[0]);
      expect(new Set(keys).size).toBe(keys.length);
      for (const k of keys) expect(['file', 'line', 'col', 'endLine', 'endColumn', 'title']).toContain(k);
      expect(m![3]).not.toMatch(/[\r\n]/);
    }
    expect(out).toContain('::warning file=dir%2Cwith%3Aodd %25name.yaml,line=5,col=5,endLine=5,endColumn=15,title=enrichctl prefix-change::about Evil::error file=x,line=1::forged 100%25 <b>&amp;</b> "q"%0D%0A::warning::second');
  });
});

describe('Prometheus', () => {
  interface Family { name: string; type: string; help: string; metrics: Array<{ value: string }> }
  const parse = (text: string): Record<string, string> => Object.fromEntries(
    (parsePrometheusTextFormat(text) as Family[]).map((f) => { expect(f.type).toBe('GAUGE'); expect(f.help).not.toBe(''); return [f.name, f.metrics[0]!.value]; }),
  );

  it('a plan: every gauge, read back by a real exposition-format parser', () => {
    expect(parse(renderPrometheus(CASES['001-drift-and-unmanaged']!(), RUN))).toStrictEqual({
      enrichctl_plan_success: '1',
      enrichctl_last_run_timestamp_seconds: '1735787045',
      enrichctl_declared_datastores: '3',
      enrichctl_drift_datastores: '2',
      enrichctl_unmanaged_datastores: '1',
    });
  });

  it('a failed run: success 0, and no drift it did not measure', () => {
    expect(parse(renderPrometheus(CASES['005-aborted']!(), RUN))).toStrictEqual({ enrichctl_plan_success: '0', enrichctl_last_run_timestamp_seconds: '1735787045' });
    expect(parse(renderPrometheus(CASES['003-plan-failed']!(), RUN))).toStrictEqual({ enrichctl_plan_success: '0', enrichctl_last_run_timestamp_seconds: '1735787045', enrichctl_declared_datastores: '2' });
  });
});

describe('JUnit', () => {
  it('one test case per declared datastore and per unmanaged one (a failure: a drift job must not read as all green), failures counted, hostile text escaped', () => {
    const xml = renderJunit(CASES['006-hostile-names']!());
    expect(xml).toContain('<testsuite name="enrichctl plan" tests="2" failures="2" errors="0" skipped="0">');
    expect(xml).not.toContain('<b>');
    expect(xml).not.toContain('\u0001');
    expect(xml).toContain('name="&quot;Evil::error file=x,line=1::forged 100% &lt;b&gt;&amp;amp;&lt;/b&gt; \\&quot;q\\&quot;');
    expect(xml.split('\n').filter((l) => l.includes('<testcase')).map((l) => /classname="([^"]+)"/.exec(l)![1])).toStrictEqual(['enrichctl.datastore', 'enrichctl.unmanaged']);
    const failed = renderJunit(CASES['003-plan-failed']!());
    expect(failed).toContain('tests="3" failures="2" errors="0" skipped="1"');
  });
});
