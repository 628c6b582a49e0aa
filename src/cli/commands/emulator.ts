/**
 * `enrichctl emulator --seed FILE`: serves the Qualytics API emulator on loopback until Ctrl-C or
 * SIGTERM, for rehearsing a manifest offline. Prints the base URL on stdout once it listens.
 */
import { Option, type Command } from 'commander';
import { hasErrors } from '../../core/diagnostics.js';
import { isLoopbackHost } from '../../api/url.js';
import { startEmulator } from '../../emulator/index.js';
import { loadSeedFile } from '../../emulator/seed-file.js';
import { PUT_MODES, type PutMode } from '../../core/seed-types.js';
import { renderDiagnosticsText } from '../../render/diagnostics.js';
import { UserError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { useColour, type Io } from '../io.js';
import { parseFormat } from '../format-option.js';
import type { Handler } from './handler.js';
import { counted } from '../../render/values.js';
import { addExamples } from '../help.js';

export interface EmulatorCommandOptions {
  seed: string;
  host: string;
  port: number;
  latencyMs: number;
  errorRate: number;
  resetRate: number;
  listWithoutEnrichment: boolean;
  /** Overrides the seed's `put`; absent: the seed decides (default partial). */
  put?: PutMode;
  format: EmulatorFormat;
}

export const EMULATOR_FORMATS = ['text', 'json'] as const;
export type EmulatorFormat = (typeof EMULATOR_FORMATS)[number];

function number(flag: string, min: number, max: number, integer: boolean): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new UserError(`${flag} takes ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not "${v}"`);
    }
    return n;
  };
}

export async function runEmulator(options: EmulatorCommandOptions, io: Io): Promise<ExitCode> {
  const load = loadSeedFile(options.seed, io.cwd);
  if (load.diagnostics.length > 0) {
    io.stderr.write(renderDiagnosticsText(load.diagnostics, { sources: load.sources, colour: useColour(io.stderr, io.env, false) }));
  }
  if (!load.seed || hasErrors(load.diagnostics)) {
    io.stderr.write(`The seed file ${options.seed} was refused; fix the errors above. See examples/emulator/seed.yaml for a working one.\n`);
    return EXIT.error;
  }
  let emulator;
  try {
    emulator = await startEmulator({
      seed: load.seed,
      host: options.host,
      port: options.port,
      faults: { latencyMs: options.latencyMs, errorRate: options.errorRate, resetRate: options.resetRate, errorStatuses: [503, 429] },
      listItemsCarryEnrichment: !options.listWithoutEnrichment,
      ...(options.put ? { put: options.put } : {}),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'EADDRINUSE' ? `port ${options.port} on ${options.host} is already in use; pick another with --port, or --port 0 for a free one`
        : code === 'EADDRNOTAVAIL' ? `${options.host} is not an address of this machine; use 127.0.0.1`
          : `the emulator could not start: ${code ?? (err as Error).message}`,
    );
  }
  if (!isLoopbackHost(options.host)) {
    io.stderr.write(`warning: listening on ${options.host}: other machines can reach the emulator, and the tokens in ${options.seed} work for anyone who has them\n`);
  }
  const ready = { url: emulator.url, admin_url: `${emulator.origin}/_emulator`, datastores: load.seed.datastores.length, users: load.seed.users.length };
  io.stdout.write(options.format === 'json' ? `${JSON.stringify(ready)}\n` : `${emulator.url}\n`);
  io.stderr.write(`Qualytics API emulator: ${counted(load.seed.datastores.length, 'datastore')}, ${counted(load.seed.users.length, 'user')}; admin API at ${emulator.origin}/_emulator. Ctrl-C stops it.\n`);
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await emulator.close();
  io.stderr.write('Emulator stopped.\n');
  return EXIT.ok;
}

export function registerEmulator(program: Command, io: Io, defer: (h: Handler) => void): void {
  const cmd = program
    .command('emulator')
    .description('Serve a local, stateful emulator of the Qualytics API (for rehearsals, tests and demos).')
    .requiredOption('--seed <file>', 'YAML file with the users and datastores to start with')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--port <n>', 'port to listen on (0 picks a free one)').default(0).argParser(number('--port', 0, 65535, true)))
    .addOption(new Option('--latency-ms <ms>', 'delay every API answer by this much').default(0).argParser(number('--latency-ms', 0, 600_000, true)))
    .addOption(new Option('--error-rate <share>', 'share of API requests answered 503 or 429 (0..1)').default(0).argParser(number('--error-rate', 0, 1, false)))
    .addOption(new Option('--reset-rate <share>', 'share of API connections reset without an answer (0..1)').default(0).argParser(number('--reset-rate', 0, 1, false)))
    .option('--list-without-enrichment', 'list items omit the enrichment fields, as lighter list endpoints may')
    .addOption(new Option('--put <mode>', 'PUT semantics: partial (absent fields unchanged) or full (name, connection_id and enrichment_only required); default: the seed\'s put, else partial').choices([...PUT_MODES]))
    .addOption(new Option('--format <format>', 'text prints the API URL once listening; json prints one JSON line').choices([...EMULATOR_FORMATS]).default('text'));
  addExamples(cmd, [
    ['enrichctl emulator --seed examples/emulator/seed.yaml --port 8642', 'serve the example deployment'],
    ['enrichctl emulator --seed rehearsal.yaml --put full', 'a copy of production (export --format seed) that wants whole PUTs'],
    ['enrichctl emulator --seed seed.yaml --latency-ms 50 --error-rate 0.05', 'a slow, flaky server'],
  ]);
  cmd.action((raw: Omit<EmulatorCommandOptions, 'listWithoutEnrichment' | 'format' | 'put'> & { listWithoutEnrichment?: boolean; format?: unknown; put?: unknown }) => {
      const { put, ...rest } = raw;
      const mode = PUT_MODES.find((m) => m === put);
      defer(() => runEmulator({ ...rest, listWithoutEnrichment: raw.listWithoutEnrichment === true, ...(mode ? { put: mode } : {}), format: parseFormat(raw.format, EMULATOR_FORMATS) }, io));
    });
}
