/**
 * Findings as SARIF 2.1.0 (GitHub code scanning, GitLab, IDEs): one run, one rule per diagnostic
 * code or drifted field, results located at file/line/column when known; unmanaged datastores are
 * results without a location. A run that failed says so in its invocation.
 */
import type { Finding, Findings } from '../findings.js';
import type { RunInfo } from './run-info.js';

const RULE_HELP: Record<Finding['kind'], string> = {
  diagnostic: 'A problem in the manifests or in planning them.',
  drift: 'The live value of this field differs from what the manifests declare.',
  unmanaged: 'A live datastore has enrichment configuration that no manifest declares.',
};

export function renderSarif(report: Findings, run: RunInfo): string {
  const rules: Array<{ id: string; kind: Finding['kind'] }> = [];
  const index = new Map<string, number>();
  for (const f of report.findings) {
    if (!index.has(f.rule)) {
      index.set(f.rule, rules.length);
      rules.push({ id: f.rule, kind: f.kind });
    }
  }
  const results = report.findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: index.get(f.rule)!,
    level: f.level,
    message: { text: f.message },
    ...(f.location ? { locations: [location(f.location)] } : {}),
    ...(f.datastore ? { properties: { datastore_id: f.datastore.id, datastore_name: f.datastore.name } } : {}),
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'enrichctl',
          version: run.version,
          rules: rules.map((r) => ({ id: r.id, name: r.id, shortDescription: { text: RULE_HELP[r.kind] } })),
        },
      },
      invocations: [{
        executionSuccessful: report.ok,
        ...(report.aborted ? { toolExecutionNotifications: [{ level: 'error', message: { text: report.aborted } }] } : {}),
      }],
      results,
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function location(where: NonNullable<Finding['location']>): object {
  const r = where.region;
  return {
    physicalLocation: {
      artifactLocation: { uri: artifactUri(where.file) },
      ...(r ? { region: { startLine: r.startLine, startColumn: r.startColumn, ...(r.endLine !== undefined ? { endLine: r.endLine, endColumn: r.endColumn } : {}) } } : {}),
    },
  };
}

/** A manifest path as a relative URI reference: forward slashes, no `./`, each segment percent-encoded. */
export function artifactUri(file: string): string {
  return file.replace(/\\/g, '/').replace(/^(\.\/)+/, '').split('/').map(encodeURIComponent).join('/');
}
