import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * A failure the user can act on: one message (already saying what to do), an exit code, and no
 * stack trace. Thrown by command handlers; printed by the single handler in `program.ts` (`runCli`), which
 * also picks the exit code that `main.ts` exits with.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.error,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
