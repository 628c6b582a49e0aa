/**
 * Findings as JUnit XML (GitLab `artifacts:reports:junit`, most CI test views): one test case per
 * declared datastore, a failure when it drifted or could not be planned, and one failing case per
 * unmanaged datastore (`--report-unmanaged`: configured, and no manifest declares it). Every text is
 * XML-escaped, and characters XML 1.0 cannot hold at all are written as `\uXXXX`.
 */
import { describeRef } from '../../model/describe.js';
import type { DeclaredCase, Findings } from '../findings.js';

export function renderJunit(report: Findings): string {
  const cases = report.declared.map(testcase);
  const unmanaged = report.findings.filter((f) => f.kind === 'unmanaged');
  for (const f of unmanaged) {
    const name = f.datastore ? describeRef(f.datastore) : f.message;
    cases.push(`    <testcase classname="enrichctl.unmanaged" name="${attr(name)}"><failure message="unmanaged: no manifest declares it" type="unmanaged">${text(f.message)}</failure></testcase>`);
  }
  if (report.aborted) cases.push(`    <testcase classname="enrichctl.${report.command}" name="run"><failure message="${attr(report.aborted)}" type="run-failed">${text(report.aborted)}</failure></testcase>`);
  const failures = report.declared.filter((d) => d.outcome === 'drifted' || d.outcome === 'failed').length + unmanaged.length + (report.aborted ? 1 : 0);
  const skipped = report.declared.filter((d) => d.outcome === 'not-planned').length;
  const tests = cases.length;
  const counts = `tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="enrichctl ${report.command}" ${counts}>`,
    `  <testsuite name="enrichctl ${report.command}" ${counts}>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function testcase(d: DeclaredCase): string {
  const file = d.declared_at ? ` file="${attr(d.declared_at.file)}" line="${d.declared_at.line}"` : '';
  const open = `    <testcase classname="enrichctl.datastore" name="${attr(d.name)}"${file}>`;
  switch (d.outcome) {
    case 'unchanged':
      return `${open}</testcase>`;
    case 'not-planned':
      return `${open}<skipped message="not planned: the plan failed on other errors"/></testcase>`;
    case 'drifted':
    case 'failed': {
      const summary = d.outcome === 'drifted' ? `drifted: ${d.findings.map((f) => f.rule).join(', ')}` : 'could not be planned';
      const body = d.findings.map((f) => (f.location?.region ? `${f.location.file}:${f.location.region.startLine}: ${f.message}` : f.message)).join('\n');
      return `${open}<failure message="${attr(summary)}" type="${d.outcome}">${text(body)}</failure></testcase>`;
    }
    default: {
      const unreachable: never = d.outcome;
      throw new Error(`unknown outcome ${String(unreachable)}`);
    }
  }
}

/** Characters XML 1.0 does not allow anywhere (controls but tab, CR, LF; lone surrogates; U+FFFE/F). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function text(s: string): string {
  return s.replace(NOT_XML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value: also quotes, and line breaks and tabs kept as character references (attribute normalisation would turn them into spaces). */
function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
