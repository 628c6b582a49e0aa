/**
 * What a command hands back to the command tree instead of running inside commander: its work, run
 * by `program.ts`, which alone turns a failure into a message and an exit code.
 */
import type { ExitCode } from '../exit-codes.js';

export type Handler = () => Promise<ExitCode>;
