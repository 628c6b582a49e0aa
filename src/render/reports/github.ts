/**
 * Findings as GitHub Actions workflow commands: `::error file=...,line=...::message` shows on the
 * pull request's diff at that line; drift and unmanaged datastores are warnings. Everything that came
 * from the manifests or the server is escaped as the runner requires, so no name can end a command
 * early, start another (`::`), or forge a property.
 */
import type { Finding, Findings } from '../findings.js';

const COMMAND: Record<Finding['level'], string> = { error: 'error', warning: 'warning', note: 'notice' };

export function renderGithubAnnotations(report: Findings): string {
  const lines = report.findings.map((f) => {
    const properties: Array<[string, string | number]> = [];
    const where = f.location;
    if (where) {
      properties.push(['file', where.file]);
      const r = where.region;
      if (r) {
        properties.push(['line', r.startLine], ['col', r.startColumn]);
        if (r.endLine !== undefined) properties.push(['endLine', r.endLine], ['endColumn', r.endColumn ?? r.startColumn]);
      }
    }
    properties.push(['title', title(f)]);
    const props = properties.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
    return `::${COMMAND[f.level]} ${props}::${escapeData(f.message)}`;
  });
  if (report.aborted) lines.push(`::error title=${escapeProperty(`enrichctl ${report.command} failed`)}::${escapeData(report.aborted)}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

function title(f: Finding): string {
  switch (f.kind) {
    case 'diagnostic': return `enrichctl ${f.rule}`;
    case 'drift': return `drift in ${f.rule}`;
    case 'unmanaged': return 'unmanaged datastore';
    default: {
      const unreachable: never = f.kind;
      throw new Error(`unknown finding ${String(unreachable)}`);
    }
  }
}

/** A command's message: `%`, CR and LF, as the runner's own toolkit (`@actions/core`) escapes them. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value: as data, and `:` and `,`, which would otherwise end the value. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
