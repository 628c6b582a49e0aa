/**
 * The process edges a command may touch, passed in so that the demo and tests can run commands
 * in-process with captured output.
 */
import type { Output } from '../render/views/output.js';

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on SIGINT/SIGTERM: commands stop starting new work and report. */
  signal: AbortSignal;
  /**
   * Aborted on a second SIGINT/SIGTERM: "stop now". apply stops waiting for the writes in flight,
   * reports them as of unknown outcome and returns; absent where no second signal can come.
   */
  urgent?: AbortSignal;
}

export function processIo(signal: AbortSignal, urgent?: AbortSignal): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // Read only by apply's approval: process.stdin is a stream Node builds on first access (for a
    // file or pipe it loads fs streams, fs/promises and readline: ~5 ms of every start otherwise).
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    signal,
    urgent,
  };
}

/** The streams a view writes to, each knowing once whether it wants colour. */
export function outputOf(io: Io, noColorFlag = false): Output {
  return {
    stdout: { write: (text) => io.stdout.write(text), colour: useColour(io.stdout, io.env, noColorFlag) },
    stderr: { write: (text) => io.stderr.write(text), colour: useColour(io.stderr, io.env, noColorFlag) },
  };
}

/** Colour is for terminals only: never with NO_COLOR set or --no-color. */
export function useColour(stream: OutStream, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

/** Thrown by `interruptible` when Ctrl-C/SIGTERM arrives while only reading: nothing was changed. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/**
 * Read-only work (planning, exporting) stops at once on Ctrl-C: nothing has been written, so there
 * is nothing to finish. Writes use the signal differently (apply finishes what is in flight).
 */
export function interruptible<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The work was started all the same: whatever it ends with is nobody's to report.
    work.catch(() => undefined);
    return Promise.reject(new Interrupted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (err: unknown) => { signal.removeEventListener('abort', onAbort); reject(err); },
    );
  });
}
