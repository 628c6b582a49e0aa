/**
 * `enrichctl explain DATASTORE [PATH...]`: where each desired value of one datastore comes from
 * (every entry, rule and `defaults` that sets it, and which wins), beside its live value. Reads the
 * manifests offline first, then only that datastore (one request, two when list items lack the
 * enrichment fields). Exit 0 when explained; 1 when it is not found or nothing declares it.
 */
import { Option, type Command } from 'commander';
import { observeOne } from '../../api/observe-one.js';
import { explainDatastore } from '../../plan/explain.js';
import { describeRefusal } from '../../render/explain-text.js';
import { EXPLAIN_FORMATS, explainView, type ExplainFormat } from '../../render/views/explain-view.js';
import { addConnectionOptions, connect, release, type ConnectedFlags } from '../connect.js';
import { UserError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { parseFormat } from '../format-option.js';
import { interruptible, outputOf, type Io } from '../io.js';
import { readDesired } from '../planning.js';
import type { Handler } from './handler.js';
import { addExamples } from '../help.js';

export interface ExplainOptions extends ConnectedFlags {
  datastore: string;
  paths: string[];
  format: ExplainFormat;
  color: boolean;
}

interface RawExplainOptions extends ConnectedFlags {
  format?: unknown;
  color?: boolean;
}

export function parseExplainOptions(datastore: string, paths: readonly string[], raw: RawExplainOptions): ExplainOptions {
  if (datastore.trim() === '') throw new UserError('explain needs a datastore name or id');
  return { ...raw, datastore, paths: [...paths], format: parseFormat(raw.format, EXPLAIN_FORMATS), color: raw.color !== false };
}

export async function runExplain(options: ExplainOptions, io: Io): Promise<ExitCode> {
  const view = explainView(options.format, outputOf(io, !options.color));
  const desired = readDesired(options.paths, io);
  if (!desired.ok) {
    view.diagnostics(desired.diagnostics, desired.sources);
    const n = desired.diagnostics.filter((d) => d.severity === 'error').length;
    throw new UserError(`the manifests have ${n} ${n === 1 ? 'error' : 'errors'}; nothing was read from the API`);
  }
  view.diagnostics(desired.warnings, desired.sources);
  const client = await connect(options, io);
  try {
    const observation = await interruptible(observeOne(client, options.datastore), io.signal);
    const result = explainDatastore(desired, observation, options.datastore);
    if (!result.ok) throw new UserError(describeRefusal(result.refusal));
    view.explained(result.explanation);
    return EXIT.ok;
  } finally {
    await release(client, io);
  }
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
    defer(() => runExplain(options, io));
  });
}
