/**
 * One model of findings for the machine-readable report formats (SARIF, GitHub annotations, JUnit,
 * Prometheus): every diagnostic, every drifted field of every declared datastore located at the
 * manifest line that owns it, and every unmanaged datastore (no file location). The views render
 * this value; none of them walks the plan or the diagnostics again. Pure.
 */
import type { Diagnostic } from '../core/diagnostics.js';
import { describeRef, describeValue, fieldLabel } from '../model/describe.js';
import type { Change, DatastoreRef, DeclaredAt, EnrichmentState, Plan } from '../model/plan.js';

export type FindingLevel = 'error' | 'warning' | 'note';

/** 1-based; the end exclusive, as in diagnostics. */
export interface FindingRegion {
  startLine: number;
  startColumn: number;
  endLine?: number;
  endColumn?: number;
}

export interface FindingLocation {
  file: string;
  /** Absent for a problem with a whole file. */
  region?: FindingRegion;
}

export interface Finding {
  kind: 'diagnostic' | 'drift' | 'unmanaged';
  level: FindingLevel;
  /** The diagnostic's code, the drifted field's name, or `unmanaged-datastore`. */
  rule: string;
  /** One line or several; each format escapes it for its own syntax. */
  message: string;
  /** Absent for unmanaged datastores: no manifest declares them. */
  location?: FindingLocation;
  /** The datastore it concerns (drift, unmanaged). */
  datastore?: DatastoreRef;
}

/** A declared datastore as a test case: one per declaration, for JUnit. */
export interface DeclaredCase {
  /** The datastore as the plan resolved it, or as the manifest writes it when planning failed. */
  name: string;
  declared_at?: DeclaredAt;
  outcome: 'unchanged' | 'drifted' | 'failed' | 'not-planned';
  /** Why it failed or what drifted, one finding each. */
  findings: Finding[];
}

export interface Findings {
  command: 'validate' | 'plan' | 'show';
  /** False when the run failed (errors, or no plan could be made). */
  ok: boolean;
  /** Why the run stopped without a result, when it did not end in diagnostics (network, credentials). */
  aborted?: string;
  findings: Finding[];
  declared: DeclaredCase[];
  /** Absent where unknown: no plan, or no `--report-unmanaged`. */
  drifted?: number;
  unmanaged?: number;
}

/** A declaration as the manifests write it, for the cases of a plan that failed. */
export interface Declaration {
  name: string;
  declared_at: DeclaredAt;
}

export const UNMANAGED_RULE = 'unmanaged-datastore';

export function diagnosticFinding(d: Diagnostic): Finding {
  const message = [d.message, ...(d.hints ?? [])].join('\n');
  const region: FindingRegion | undefined = d.start && {
    startLine: d.start.line,
    startColumn: d.start.column,
    ...(d.end ? { endLine: d.end.line, endColumn: d.end.column } : {}),
  };
  return { kind: 'diagnostic', level: d.severity, rule: d.code, message, location: { file: d.file, ...(region ? { region } : {}) } };
}

/** Each changed field at the line that declares it: the key when the manifests set it, else the entry. */
export function driftFindings(c: Change): Finding[] {
  return c.changed_fields.map((field) => ({
    kind: 'drift',
    level: 'warning',
    rule: fieldLabel(field),
    message: `${describeRef(c.datastore)}: ${fieldLabel(field)} is ${describeValue(field, c.before)} live, the manifests say ${describeValue(field, c.after)}`,
    location: fieldLocation(c, field),
    datastore: c.datastore,
  }));
}

function fieldLocation(c: Change, field: keyof EnrichmentState): FindingLocation {
  const span = c.locations?.[field];
  if (span) return { file: span.file, region: { startLine: span.line, startColumn: span.column, endLine: span.end_line, endColumn: span.end_column } };
  return { file: c.declared_at.file, region: { startLine: c.declared_at.line, startColumn: c.declared_at.column } };
}

export function unmanagedFindings(plan: Plan): Finding[] {
  return (plan.unmanaged ?? []).map((u) => ({
    kind: 'unmanaged',
    level: 'warning',
    rule: UNMANAGED_RULE,
    message: `${describeRef(u.datastore)} has enrichment configuration that no manifest declares: ${u.non_default.map((f) => `${fieldLabel(f)} = ${describeValue(f, u.state)}`).join(', ')}`,
    datastore: u.datastore,
  }));
}

/** `validate`: the diagnostics are the findings. */
export function validateFindings(diagnostics: readonly Diagnostic[]): Findings {
  const findings = diagnostics.map(diagnosticFinding);
  return { command: 'validate', ok: !findings.some((f) => f.level === 'error'), findings, declared: [] };
}

/**
 * A plan that was made: its diagnostics (for `show`, the warnings it recorded), the drift of each
 * declared datastore, the unmanaged datastores.
 */
export function planFindings(command: 'plan' | 'show', plan: Plan, diagnostics: readonly Diagnostic[]): Findings {
  const declared: DeclaredCase[] = plan.changes.map((c) => {
    const drift = driftFindings(c);
    return { name: describeRef(c.datastore), declared_at: c.declared_at, outcome: c.action === 'no-op' ? 'unchanged' : 'drifted', findings: drift };
  });
  return {
    command,
    ok: true,
    findings: [...diagnostics.map(diagnosticFinding), ...declared.flatMap((d) => d.findings), ...unmanagedFindings(plan)],
    declared,
    drifted: declared.filter((d) => d.outcome === 'drifted').length,
    ...(plan.unmanaged ? { unmanaged: plan.unmanaged.length } : {}),
  };
}

/** A saved plan's recorded warnings, as the diagnostics `plan` reported them. */
export function recordedDiagnostics(plan: Plan): Diagnostic[] {
  return (plan.warnings ?? []).map((w) => ({
    severity: 'warning',
    file: w.file ?? plan.manifest_paths.join(', '),
    ...(w.line !== undefined ? { start: { line: w.line, column: w.column ?? 1 } } : {}),
    message: w.message,
    code: w.code ?? 'plan-warning',
  }));
}

/**
 * A plan that could not be made: the errors, each declared datastore failed by the errors inside
 * its entry (an entry runs from its declaration to the next one in the same file) or not planned.
 */
export function failedPlanFindings(diagnostics: readonly Diagnostic[], declarations: readonly Declaration[]): Findings {
  const findings = diagnostics.map(diagnosticFinding);
  const owner = (f: Finding): Declaration | undefined => {
    const line = f.location?.region?.startLine;
    if (line === undefined) return undefined;
    let best: Declaration | undefined;
    for (const d of declarations) {
      if (d.declared_at.file === f.location?.file && d.declared_at.line <= line && (!best || d.declared_at.line > best.declared_at.line)) best = d;
    }
    return best;
  };
  // Each error's owner is found once (a plan of thousands of entries may fail with as many errors).
  const owned = new Map<Declaration, Finding[]>();
  const unowned: Finding[] = [];
  for (const f of findings) {
    if (f.level !== 'error') continue;
    const d = owner(f);
    if (d === undefined) unowned.push(f);
    else if (owned.has(d)) owned.get(d)!.push(f);
    else owned.set(d, [f]);
  }
  const declared: DeclaredCase[] = declarations.map((d) => {
    const own = owned.get(d) ?? [];
    return { name: d.name, declared_at: d.declared_at, outcome: own.length > 0 ? 'failed' : 'not-planned', findings: own };
  });
  // Errors no entry owns (a broken file, a schema error above the entries) are cases of their own.
  for (const f of unowned) declared.push({ name: f.location ? f.location.file : 'manifests', outcome: 'failed', findings: [f] });
  return { command: 'plan', ok: false, findings, declared };
}

/** The run stopped on an error that is not about the manifests (network, credentials, an interrupt). */
export function abortedFindings(command: Findings['command'], reason: string, declarations: readonly Declaration[] = []): Findings {
  return {
    command,
    ok: false,
    aborted: reason,
    findings: [],
    declared: declarations.map((d) => ({ name: d.name, declared_at: d.declared_at, outcome: 'not-planned', findings: [] })),
  };
}
