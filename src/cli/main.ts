#!/usr/bin/env node
/** The enrichctl binary: the only place that calls process.exit. */
import { EXIT, type ExitCode } from './exit-codes.js';
import { processIo } from './io.js';

// First signal: stop starting work (apply finishes the writes in flight, then reports). Second:
// stop now (apply reports at once, the writes in flight marked of unknown outcome). Third: exit.
const controller = new AbortController();
const urgent = new AbortController();
let first: NodeJS.Signals | undefined;
const onSignal = (signal: NodeJS.Signals): void => {
  if (first === undefined) {
    first = signal;
    controller.abort();
    return;
  }
  if (!urgent.signal.aborted) {
    urgent.abort();
    // Whatever does not listen for it still ends soon; the report normally wins this race.
    setTimeout(() => process.exit(exitCode(EXIT.interrupted)), 2_000).unref();
    return;
  }
  process.exit(exitCode(EXIT.interrupted));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const io = processIo(controller.signal, urgent.signal, () => first);

/** 130 after SIGINT, 143 after SIGTERM: commands say "interrupted", the signal says which. */
function exitCode(code: ExitCode): ExitCode {
  return code === EXIT.interrupted && first === 'SIGTERM' ? EXIT.terminated : code;
}

async function run(args: readonly string[]): Promise<ExitCode> {
  // `--version` alone is answered as commander would answer it, without building the command tree
  // (a tenth of such a run's own work); test/cli/bundle.test.ts holds the two answers equal.
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    const { VERSION } = await import('./version.js');
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  // The command tree is loaded only now, so a Ctrl-C during start-up is already handled.
  const { runCli } = await import('./program.js');
  return exitCode(await runCli(args, io));
}

// No top-level await: the bundle is CommonJS (scripts/bundle.mjs), which has none. Pipes and files
// are written by then (io.ts writes them synchronously); a terminal's stream may still hold output.
void run(process.argv.slice(2)).then(async (code) => {
  await Promise.all([io.stdout.drained(), io.stderr.drained()]);
  if (io.stdout.failure === undefined) process.exit(code);
  // The work went on without its output (io.ts): a success or a plan's "changes" is an error now.
  io.stderr.write(`error: cannot write the output: ${io.stdout.failure}\n`);
  process.exit(code === EXIT.ok || code === EXIT.changes ? EXIT.error : code);
});
