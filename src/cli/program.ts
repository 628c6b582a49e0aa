/**
 * Builds the commander program and runs it. Each command lives in `commands/<name>.ts` and exports a
 * `register<Name>(program, io)`; handlers throw `UserError` (or typed API errors) and return an exit
 * code; this file alone turns a failure into one message and an exit code.
 */
import { Command, CommanderError } from 'commander';
import { ApiError, NetworkError, UnusableResponseError } from '../api/errors.js';
import { originalStack } from './debug-stack.js';
import { visibleLines } from '../core/visible-text.js';
import { UserError } from './errors.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { Interrupted, useColour, type Io } from './io.js';
import { registerEmulator } from './commands/emulator.js';
import { registerValidate } from './commands/validate.js';
import { registerPlan } from './commands/plan.js';
import { registerApply } from './commands/apply.js';
import { registerExport } from './commands/export.js';
import { registerShow } from './commands/show.js';
import { registerCompletion } from './commands/completion.js';
import { registerExplain } from './commands/explain.js';
import { VERSION } from './version.js';
import type { Handler } from './commands/handler.js';

export type { Handler } from './commands/handler.js';


/**
 * The command tree. Commands hand their handler to `defer` instead of running inside commander, so
 * that errors surface in one place, and so that a caller (a test of the CI examples) can check an
 * argument list parses without running anything.
 */
export function buildProgram(io: Io, defer: (h: Handler) => void): Command {
  const program = new Command('enrichctl')
    .description('Manage Qualytics enrichment settings as code: validate, plan, apply, export.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Asked of io's streams, not of process.stdout (cli/io.ts): a terminal's width, and enrichctl's colour rule.
      getOutHelpWidth: () => (io.stdout.isTTY && io.stdout.columns) || 80, // 80: commander's width when not a terminal
      getErrHelpWidth: () => (io.stderr.isTTY && io.stderr.columns) || 80,
      getOutHasColors: () => useColour(io.stdout, io.env, false),
      getErrHasColors: () => useColour(io.stderr, io.env, false),
    });
  registerEmulator(program, io, defer);
  registerValidate(program, io, defer);
  registerPlan(program, io, defer);
  registerApply(program, io, defer);
  registerExport(program, io, defer);
  registerShow(program, io, defer);
  registerExplain(program, io, defer);
  registerCompletion(program, io, defer);
  return program;
}

export async function runCli(argv: readonly string[], io: Io): Promise<ExitCode> {
  let pending: Handler | undefined;
  const program = buildProgram(io, (h) => {
    pending = h;
  });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    return report(err, io);
  }
  if (!pending) return EXIT.ok;
  try {
    return await pending();
  } catch (err) {
    return report(err, io);
  }
}

function report(err: unknown, io: Io): ExitCode {
  if (err instanceof Interrupted) {
    io.stderr.write('\nInterrupted. Nothing was changed.\n');
    return EXIT.interrupted;
  }
  // Messages may quote a saved plan's or the server's text: shown, never obeyed (no escape sequence, no bidi reordering).
  if (err instanceof UserError) {
    io.stderr.write(`error: ${visibleLines(err.message)}\n`);
    return err.exitCode;
  }
  if (err instanceof UnusableResponseError) {
    io.stderr.write(`error: ${visibleLines(err.message)}\n  = enrichctl does not act on an answer it cannot trust, so it stopped at that request\n`);
    return EXIT.error;
  }
  if (err instanceof ApiError || err instanceof NetworkError) {
    const hint = err instanceof ApiError ? err.hint() : undefined;
    io.stderr.write(`error: ${visibleLines(err.message)}\n${hint ? `  = ${hint}\n` : ''}`);
    return EXIT.error;
  }
  // A bug, not bad input: still no stack trace unless asked for.
  const message = visibleLines(err instanceof Error ? err.message : String(err));
  io.stderr.write(
    `error: unexpected internal error: ${message}\n` +
      'This is a bug in enrichctl; please report it (set ENRICHCTL_DEBUG=1 for details).\n',
  );
  if (io.env.ENRICHCTL_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${originalStack(err.stack)}\n`);
  return EXIT.error;
}
