/**
 * `enrichctl export`: the live enrichment configuration as manifests, to start managing an existing
 * deployment. Deterministic (re-exporting an unchanged deployment changes no byte) and exact (`plan`
 * of the export against the same deployment has no changes).
 */
import { Option, type Command } from 'commander';
import { EXPORT_FORMATS } from '../../render/views/formats.js';
import { addConnectionOptions, type ConnectedFlags } from '../connection-options.js';
import { UserError } from '../errors.js';
import { parseFormat } from '../format-option.js';
import type { Io } from '../io.js';
import type { Handler } from './handler.js';
import { addExamples } from '../help.js';
import { collect } from './plan.js';
import type { ExportCommandOptions } from './export-run.js';

interface RawExportOptions extends ConnectedFlags {
  datastore?: string[];
  all?: boolean;
  output?: string;
  byId?: boolean;
  format?: unknown;
}

export function parseExportOptions(raw: RawExportOptions): ExportCommandOptions {
  const datastores = raw.datastore ?? [];
  if (raw.all && datastores.length > 0) throw new UserError('--all exports every datastore: give either --all or --datastore, not both');
  const format = parseFormat(raw.format ?? (raw.output !== undefined && /\.json$/i.test(raw.output) ? 'json' : 'yaml'), EXPORT_FORMATS);
  if (format === 'seed' && (datastores.length > 0 || raw.byId)) {
    throw new UserError('--format seed copies the whole deployment as the token sees it: give no --datastore or --by-id with it');
  }
  return { ...raw, datastores, byId: raw.byId === true, format };
}

export function registerExport(program: Command, io: Io, defer: (h: Handler) => void): void {
  const cmd = program
    .command('export')
    .description('Write manifests that describe the live enrichment configuration (to start managing an existing deployment).')
    .option('--datastore <name-or-id>', 'export only this datastore (repeatable); default: every datastore the token can read', collect)
    .option('--all', 'export every datastore the token can read (the default, said explicitly)')
    .option('--output <file-or-dir>', 'write here instead of stdout: a .yaml/.yml/.json file, or a directory (one file per enrichment datastore, plus unlinked.yaml)')
    .option('--by-id', 'name datastores by id instead of by name')
    .addOption(new Option('--format <format>', 'output format: yaml or json manifests, or seed (an emulator seed copying the deployment, to rehearse on); default: json for an --output ending in .json, else yaml').choices([...EXPORT_FORMATS]));
  addExamples(cmd, [
    ['enrichctl export --output manifests/', 'one file per enrichment datastore, to start managing a deployment'],
    ['enrichctl export --datastore "Sales EU" > sales.yaml', 'one datastore, to stdout'],
    ['enrichctl export --format seed --output rehearsal.yaml', 'an emulator seed copying the deployment'],
  ]);
  addConnectionOptions(cmd).action((raw: RawExportOptions) => {
    const options = parseExportOptions(raw);
    defer(async () => (await import('./export-run.js')).runExport(options, io));
  });
}
