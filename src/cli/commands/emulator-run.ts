/** `enrichctl emulator`'s handler, loaded only when the command runs (`emulator.ts` defines the command). */
import type { EmulatorFormat } from '../../render/views/formats.js';
import { hasErrors } from '../../core/diagnostics.js';
import { isLoopbackHost } from '../../api/url.js';
import { startEmulator } from '../../emulator/index.js';
import { loadSeedFile, loadSeedText } from '../../emulator/seed-file.js';
import type { PutMode } from '../../core/seed-types.js';
import { renderDiagnosticsText } from '../../render/diagnostics.js';
import { UserError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { useColour, type Io } from '../io.js';
import { counted } from '../../render/values.js';
import { DEMO_SEED_FILE, demoSeedText } from '../demo-seed.js';

export interface EmulatorCommandOptions {
  /** Absent: the built-in demo seed. */
  seed?: string;
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

export async function runEmulator(options: EmulatorCommandOptions, io: Io): Promise<ExitCode> {
  const load = options.seed === undefined ? loadSeedText(DEMO_SEED_FILE, demoSeedText()) : loadSeedFile(options.seed, io.cwd);
  if (load.diagnostics.length > 0) {
    io.stderr.write(renderDiagnosticsText(load.diagnostics, { sources: load.sources, colour: useColour(io.stderr, io.env, false) }));
  }
  if (!load.seed || hasErrors(load.diagnostics)) {
    // The example file is in the repository only: an installed enrichctl writes a working seed from its built-in one.
    io.stderr.write(`The seed file ${options.seed ?? DEMO_SEED_FILE} was refused; fix the errors above. For a working one, see ${DEMO_SEED_FILE} in the enrichctl repository, or run \`enrichctl emulator\` without --seed and write its deployment with \`enrichctl export --format seed\`.\n`);
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
    io.stderr.write(`warning: listening on ${options.host}: other machines can reach the emulator, and the tokens in ${options.seed ?? 'the demo seed'} work for anyone who has them\n`);
  }
  const ready = { url: emulator.url, admin_url: `${emulator.origin}/_emulator`, datastores: load.seed.datastores.length, users: load.seed.users.length };
  io.stdout.write(options.format === 'json' ? `${JSON.stringify(ready)}\n` : `${emulator.url}\n`);
  if (options.seed === undefined) {
    const tokens = load.seed.users.map((u) => `${u.token} (${u.name}, ${u.role})`).join(', ');
    io.stderr.write(`No --seed: serving the built-in demo seed (${DEMO_SEED_FILE} in the enrichctl repository). Its tokens: ${tokens}.\n`);
  }
  io.stderr.write(`Qualytics API emulator: ${counted(load.seed.datastores.length, 'datastore')}, ${counted(load.seed.users.length, 'user')}; admin API at ${emulator.origin}/_emulator. Ctrl-C stops it.\n`);
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await emulator.close();
  io.stderr.write('Emulator stopped.\n');
  return EXIT.ok;
}
