/**
 * `enrichctl explain DATASTORE [PATH...]`: where each desired value of one datastore comes from
 * (every entry, rule and `defaults` that sets it, and which wins), beside its live value. Reads the
 * manifests offline first, then only that datastore (one request, two when list items lack the
 * enrichment fields). Exit 0 when explained; 1 when it is not found or nothing declares it.
 */
import { Option, type Command } from 'commander';
import { EXPLAIN_FORMATS } from '../../render/views/formats.js';
import { addConnectionOptions, type ConnectedFlags } from '../connection-options.js';
import { UserError } from '../errors.js';
import { parseFormat } from '../format-option.js';
import type { Io } from '../io.js';
import type { Handler } from './handler.js';
import { addExamples } from '../help.js';
import type { ExplainOptions } from './explain-run.js';

interface RawExplainOptions extends ConnectedFlags {
  format?: unknown;
  color?: boolean;
}

export function parseExplainOptions(datastore: string, paths: readonly string[], raw: RawExplainOptions): ExplainOptions {
  if (datastore.trim() === '') throw new UserError('explain needs a datastore name or id');
  return { ...raw, datastore, paths: [...paths], format: parseFormat(raw.format, EXPLAIN_FORMATS), color: raw.color !== false };
}

export function registerExplain(program: Command, io: Io, defer: (h: Handler) => void): void {
  const cmd = program
    .command('explain')
    .description('Show where each desired value of one datastore comes from (entry, rule or defaults, and which wins), beside its live value.')
    .argument('<datastore>', 'the datastore, by name or id')
    .argument('[paths...]', 'manifest files or directories; every *.yaml/*.yml below a directory (default: the current directory)')
    .addOption(new Option('--format <format>', 'output format').choices([...EXPLAIN_FORMATS]).default('text'))
    .option('--no-color', 'never colour the output');
  addExamples(cmd, [
    ['enrichctl explain "Sales EU" manifests/', 'which entry, rule or defaults sets each value, and the live one'],
    ['enrichctl explain 42 manifests/ --format json', 'the same by id, as one JSON document'],
  ]);
  addConnectionOptions(cmd).action((datastore: string, paths: string[] | undefined, raw: RawExplainOptions) => {
    const options = parseExplainOptions(datastore, paths ?? [], raw);
    defer(async () => (await import('./explain-run.js')).runExplain(options, io));
  });
}
