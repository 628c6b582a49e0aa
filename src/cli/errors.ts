import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * A failure the user can act on: one message (already saying what to do), an exit code, and no
 * stack trace. Thrown by command handlers; printed by the single handler in `main.ts`.
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
