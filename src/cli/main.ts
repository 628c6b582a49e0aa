#!/usr/bin/env node
/** The enrichctl binary: the only place that calls process.exit. */
import { EXIT } from './exit-codes.js';
import { processIo } from './io.js';

const controller = new AbortController();
let interrupts = 0;
const onSignal = (): void => {
  interrupts += 1;
  // A second Ctrl-C means "now": stop without waiting for in-flight work.
  if (interrupts > 1) process.exit(EXIT.interrupted);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// The command tree is loaded only now, so a Ctrl-C during start-up is already handled.
const { runCli } = await import('./program.js');
const code = await runCli(process.argv.slice(2), processIo(controller.signal));
// Let stdout drain (pipes) before exiting.
process.stdout.write('', () => process.exit(code));
