/** The exit codes enrichctl documents (README, "Exit codes"). Only `main.ts` calls process.exit. */
export const EXIT = {
  ok: 0,
  /** Any error: invalid input, an API failure, a refused or failed apply. */
  error: 1,
  /** `plan --detailed-exitcode` only: the plan has changes (terraform's contract). */
  changes: 2,
  /** Interrupted by SIGINT/SIGTERM. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
