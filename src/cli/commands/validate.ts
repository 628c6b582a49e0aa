/**
 * `enrichctl validate [PATH...]`: offline checks of manifests. The report goes to stdout (it is the
 * command's product, as with tsc and eslint); exit 0 when there is no error, 1 otherwise.
 */
import { Option, type Command } from 'commander';
import { VALIDATE_FORMATS } from '../../render/views/formats.js';
import { parseReports } from '../reports.js';
import { parseFormat } from '../format-option.js';
import type { Io } from '../io.js';
import type { Handler } from './handler.js';
import { addExamples } from '../help.js';
import { collect } from './plan.js';
import type { ValidateOptions } from './validate-run.js';

export { VALIDATE_FORMATS, type ValidateFormat } from '../../render/views/formats.js';

interface RawValidateOptions {
  format?: unknown;
  color?: unknown;
  report?: string[];
}

/** Commander's raw options -> checked options; separate from the handler so that it is testable alone. */
export function parseValidateOptions(paths: readonly string[], raw: RawValidateOptions): ValidateOptions {
  return {
    paths: paths.length > 0 ? [...paths] : ['.'],
    format: parseFormat(raw.format, VALIDATE_FORMATS),
    color: raw.color !== false,
    reports: parseReports(raw.report, VALIDATE_FORMATS, 'validate'),
  };
}

export function registerValidate(program: Command, io: Io, defer: (h: Handler) => void): void {
  const cmd = program
    .command('validate')
    .description('Check manifests offline: YAML, schema and cross-entry rules. Exit 0 when valid, 1 otherwise.')
    .argument('[paths...]', 'manifest files or directories; every *.yaml/*.yml below a directory (default: the current directory)')
    .addOption(new Option('--format <format>', 'output format').choices([...VALIDATE_FORMATS]).default('text'))
    .option('--no-color', 'never colour the output')
    .option('--report <format=file>', `also write the report in FORMAT to FILE (repeatable; ${VALIDATE_FORMATS.join(', ')})`, collect);
  addExamples(cmd, [
    ['enrichctl validate manifests/', 'every *.yaml and *.yml below manifests/'],
    ['enrichctl validate manifests/ --format json', 'one JSON document, for editors and CI annotations'],
    ['enrichctl validate manifests/ --format github', 'annotations on the pull request\'s changed lines'],
  ]);
  cmd.action((paths: string[] | undefined, raw: RawValidateOptions) => {
      const options = parseValidateOptions(paths ?? [], raw);
      defer(async () => (await import('./validate-run.js')).runValidate(options, io));
    });
}
