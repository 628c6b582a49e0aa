/**
 * `enrichctl emulator [--seed FILE]`: serves the Qualytics API emulator on loopback until Ctrl-C or
 * SIGTERM, for rehearsing a manifest offline; without `--seed`, the built-in demo seed (the example
 * deployment). Prints the base URL on stdout once it listens.
 */
import { Option, type Command } from 'commander';
import { EMULATOR_FORMATS } from '../../render/views/formats.js';
import { PUT_MODES } from '../../core/seed-types.js';
import { UserError } from '../errors.js';
import type { Io } from '../io.js';
import { parseFormat } from '../format-option.js';
import type { Handler } from './handler.js';
import { addExamples } from '../help.js';
import type { EmulatorCommandOptions } from './emulator-run.js';

function number(flag: string, min: number, max: number, integer: boolean): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new UserError(`${flag} takes ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not "${v}"`);
    }
    return n;
  };
}

export function registerEmulator(program: Command, io: Io, defer: (h: Handler) => void): void {
  const cmd = program
    .command('emulator')
    .description('Serve a local, stateful emulator of the Qualytics API (for rehearsals, tests and demos).')
    .option('--seed <file>', 'YAML file with the users and datastores to start with (default: the built-in demo seed, examples/emulator/seed.yaml in the enrichctl repository)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--port <n>', 'port to listen on (0 picks a free one)').default(0).argParser(number('--port', 0, 65535, true)))
    .addOption(new Option('--latency-ms <ms>', 'delay every API answer by this much').default(0).argParser(number('--latency-ms', 0, 600_000, true)))
    .addOption(new Option('--error-rate <share>', 'share of API requests answered 503 or 429 (0..1)').default(0).argParser(number('--error-rate', 0, 1, false)))
    .addOption(new Option('--reset-rate <share>', 'share of API connections reset without an answer (0..1)').default(0).argParser(number('--reset-rate', 0, 1, false)))
    .option('--list-without-enrichment', 'list items omit the enrichment fields, as lighter list endpoints may')
    .addOption(new Option('--put <mode>', 'PUT semantics: partial (absent fields unchanged) or full (name, connection_id and enrichment_only required); default: the seed\'s put, else partial').choices([...PUT_MODES]))
    .addOption(new Option('--format <format>', 'text prints the API URL once listening; json prints one JSON line').choices([...EMULATOR_FORMATS]).default('text'));
  addExamples(cmd, [
    ['enrichctl emulator --port 8642', 'serve the example deployment (the built-in demo seed; its tokens are printed on stderr)'],
    ['enrichctl emulator --seed rehearsal.yaml --put full', 'a copy of production (export --format seed) that wants whole PUTs'],
    ['enrichctl emulator --seed seed.yaml --latency-ms 50 --error-rate 0.05', 'a slow, flaky server'],
  ]);
  cmd.action((raw: Omit<EmulatorCommandOptions, 'listWithoutEnrichment' | 'format' | 'put'> & { listWithoutEnrichment?: boolean; format?: unknown; put?: unknown }) => {
      const { put, ...rest } = raw;
      const mode = PUT_MODES.find((m) => m === put);
      defer(async () => (await import('./emulator-run.js')).runEmulator({ ...rest, listWithoutEnrichment: raw.listWithoutEnrichment === true, ...(mode ? { put: mode } : {}), format: parseFormat(raw.format, EMULATOR_FORMATS) }, io));
    });
}
