/**
 * `npm run demo`: the main job end to end, offline. Starts the emulator in-process on a free
 * loopback port with examples/emulator/seed.yaml, then runs, as a user would type them:
 *   enrichctl plan examples/
 *   enrichctl apply examples/ --auto-approve
 *   enrichctl plan examples/ --detailed-exitcode   (must report no changes)
 * Exits 1 if any step does not do what it should.
 */
import { fileURLToPath } from 'node:url';
import { hasErrors } from '../core/diagnostics.js';
import { startEmulator } from '../emulator/index.js';
import { loadSeedFile } from '../emulator/seed-file.js';
import { renderDiagnosticsText } from '../render/diagnostics.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { processIo, type Io } from './io.js';
import { runCli } from './program.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'admin-token';

async function demo(): Promise<number> {
  const io = processIo(new AbortController().signal);
  const seed = loadSeedFile('examples/emulator/seed.yaml', ROOT);
  if (!seed.seed || hasErrors(seed.diagnostics)) {
    io.stderr.write(renderDiagnosticsText(seed.diagnostics, { sources: seed.sources, colour: false }));
    return EXIT.error;
  }
  const emulator = await startEmulator({ seed: seed.seed });
  const env = { ...process.env, QUALYTICS_URL: emulator.url, QUALYTICS_TOKEN: TOKEN };
  const step = async (args: string[], expected: ExitCode[]): Promise<boolean> => {
    io.stdout.write(`\n\u001b[1m$ enrichctl ${args.join(' ')}\u001b[22m\n`.replace(/\u001b\[\d+m/g, io.stdout.isTTY ? '$&' : ''));
    const code = await runCli(args, { ...io, cwd: ROOT, env } satisfies Io);
    if (!expected.includes(code)) {
      io.stderr.write(`demo: \`enrichctl ${args.join(' ')}\` exited ${code}, expected ${expected.join(' or ')}\n`);
      return false;
    }
    return true;
  };
  try {
    io.stdout.write(
      `Qualytics API emulator listening at ${emulator.url}, seeded from examples/emulator/seed.yaml\n` +
        `(${seed.seed.datastores.length} datastores). The commands below run with QUALYTICS_URL=${emulator.url}\n` +
        `and QUALYTICS_TOKEN=${TOKEN} (the seed's Admin), set for this demo only.\n`,
    );
    const ok =
      (await step(['plan', 'examples/'], [EXIT.ok])) &&
      (await step(['apply', 'examples/', '--auto-approve'], [EXIT.ok])) &&
      (await step(['plan', 'examples/', '--detailed-exitcode'], [EXIT.ok]));
    if (!ok) return EXIT.error;
    const writes = emulator.calls().filter((c) => c.method !== 'GET');
    io.stdout.write(
      `\nDemo complete: the second plan is empty. The emulator served ${emulator.calls().length} requests, ${writes.length} of them writes:\n` +
        writes.map((c) => `  ${c.method} ${c.path} -> ${c.status}\n`).join(''),
    );
    return EXIT.ok;
  } finally {
    await emulator.close();
  }
}

process.exitCode = await demo();
