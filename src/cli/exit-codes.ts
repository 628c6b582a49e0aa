/** The exit codes enrichctl documents (README, "Exit codes"). Only `main.ts` calls process.exit. */
export const EXIT = {
  ok: 0,
  /** Any error: invalid input, an API failure, a refused or failed apply. */
  error: 1,
  /** `plan --detailed-exitcode` only: the plan has changes (terraform's contract). */
  changes: 2,
  /** Interrupted by SIGINT (Ctrl-C): 128 + 2, as shells report it. */
  interrupted: 130,
  /** Interrupted by SIGTERM (a CI runner cancelling the job): 128 + 15. `main.ts` picks it. */
  terminated: 143,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
