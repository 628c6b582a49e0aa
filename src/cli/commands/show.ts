/**
 * `enrichctl show PLAN_FILE`: a saved plan rendered offline, like `terraform show`: no credentials,
 * no request, no manifests needed (a later pipeline step may hold only the plan file). The plan
 * records where each change is declared (`declared_at`, `locations`), which is what SARIF and the
 * annotations point at. The file is read as `apply --plan` reads it (schema, routes, summary), but
 * not checked against the manifests: showing is not applying.
 */
import { Option, type Command } from 'commander';
import { SHOW_FORMATS } from '../../render/views/formats.js';
import { parseFormat } from '../format-option.js';
import type { Io } from '../io.js';
import { parseReports } from '../reports.js';
import type { Handler } from './handler.js';
import { addExamples } from '../help.js';
import { collect } from './plan.js';
import type { ShowOptions } from './show-run.js';

interface RawShowOptions {
  format?: unknown;
  color?: boolean;
  report?: string[];
}

export function parseShowOptions(file: string, raw: RawShowOptions): ShowOptions {
  return { file, format: parseFormat(raw.format, SHOW_FORMATS), color: raw.color !== false, reports: parseReports(raw.report, SHOW_FORMATS, 'show') };
}

export function registerShow(program: Command, io: Io, defer: (h: Handler) => void): void {
  const cmd = program
    .command('show')
    .description('Render a saved plan (from `plan --out`) offline: no credentials, no request, no manifests needed.')
    .argument('<plan-file>', 'the saved plan')
    .addOption(new Option('--format <format>', 'output format').choices([...SHOW_FORMATS]).default('text'))
    .option('--no-color', 'never colour the output')
    .option('--report <format=file>', `also write the plan in FORMAT to FILE (repeatable; ${SHOW_FORMATS.join(', ')})`, collect);
  addExamples(cmd, [
    ['enrichctl show plan.json', 'the reviewed plan, as plan printed it'],
    ['enrichctl show plan.json --format markdown', 'again, for a comment'],
    ['enrichctl show plan.json --format sarif > plan.sarif', 'its drift located at the manifest lines, for code scanning'],
  ]);
  cmd.action((file: string, raw: RawShowOptions) => {
    const options = parseShowOptions(file, raw);
    defer(async () => (await import('./show-run.js')).runShow(options, io));
  });
}
