/**
 * Findings as Prometheus metrics in the text exposition format, for a node_exporter textfile
 * collector (the CLI writes the file atomically, so the collector never reads half of one). A run
 * that failed reports `enrichctl_plan_success 0` and leaves out what it could not know (drift,
 * unmanaged), so an alert on drift never fires on a number that was not measured.
 */
import type { Findings } from '../findings.js';
import type { RunInfo } from './run-info.js';

interface Metric {
  name: string;
  help: string;
  value: number | undefined;
}

export function renderPrometheus(report: Findings, run: RunInfo): string {
  const declared = report.declared.filter((d) => d.declared_at !== undefined).length;
  const metrics: Metric[] = [
    { name: 'enrichctl_plan_success', help: 'Whether the last plan was made (1) or failed (0).', value: report.ok ? 1 : 0 },
    { name: 'enrichctl_last_run_timestamp_seconds', help: 'When the last plan ran, in seconds since the Unix epoch.', value: Math.floor(run.now.getTime() / 1000) },
    { name: 'enrichctl_declared_datastores', help: 'Datastores the manifests declare (the --target selection, if any).', value: report.ok || declared > 0 ? declared : undefined },
    { name: 'enrichctl_drift_datastores', help: 'Declared datastores whose live enrichment configuration differs from the manifests.', value: report.drifted },
    { name: 'enrichctl_unmanaged_datastores', help: 'Live datastores with enrichment configuration that no manifest declares (with --report-unmanaged).', value: report.unmanaged },
  ];
  return metrics
    .filter((m) => m.value !== undefined)
    .map((m) => `# HELP ${m.name} ${m.help}\n# TYPE ${m.name} gauge\n${m.name} ${m.value}\n`)
    .join('');
}
