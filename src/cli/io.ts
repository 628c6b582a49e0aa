/**
 * The process edges a command may touch, passed in so that the demo and tests can run commands
 * in-process with captured output.
 */
import { fstatSync, statSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import type { Output } from '../render/views/output.js';

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** A terminal's width (help text wraps to it). */
  columns?: number;
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
  /** Once interrupted: how to stop now (`send SIGTERM again` when SIGTERM came first); default `press Ctrl-C again`. */
  readonly stopAgain?: string;
}

/** `first`: the signal that interrupted the run, if one did. */
export function processIo(signal: AbortSignal, urgent?: AbortSignal, first?: () => NodeJS.Signals | undefined): Io & { stdout: FdOutput; stderr: FdOutput } {
  return {
    stdout: new FdOutput(1),
    stderr: new FdOutput(2),
    // Read only by apply's approval: process.stdin is a stream Node builds on first access (for a
    // file or pipe it loads fs streams, fs/promises and readline: ~5 ms of every start otherwise).
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    signal,
    urgent,
    get stopAgain() {
      return first?.() === 'SIGTERM' ? 'send SIGTERM again' : 'press Ctrl-C again';
    },
  };
}

/** For a write to a non-blocking descriptor that is full: wait a millisecond, then write on. */
const pause = new Int32Array(new SharedArrayBuffer(4));

/** UTF-16 code units encoded at a time, into one buffer made on first use (3 bytes a unit at most). */
const PIECE = 16 * 1024;
let scratch: Buffer | undefined;

/**
 * Standard output or error. To a pipe, a file or a socket it is written with `fs.writeSync`:
 * process.stdout and process.stderr are streams Node builds on first access, for a pipe node:net
 * and the stream modules, ~5 ms of a start that a bare `node -e 0` never pays (measured: 4.9-6.7 ms
 * for process.stdout, 0.3 for a writeSync), and Node writes pipes and files synchronously on Linux
 * anyway. Whether it is a terminal is asked when it is first written to or something wants to know
 * (a colour, a width): what fstat says is not a character device is not one, nor is the null
 * device (`> /dev/null` in a cron job: told by its device number), and only another character
 * device is asked of node:tty, which loads node:net and the stream modules (~8 ms). A terminal is
 * written through Node's own stream, as before (its width, and on Windows the console's Unicode
 * writes). A reader that went away (EPIPE: `enrichctl plan | head`; ECONNRESET when the output is
 * a socket, as a parent's pipe from Node's child_process is, and the reader left unread data) ends
 * the output, not the command; a descriptor in non-blocking mode that is full (EAGAIN) is waited
 * for. Output that cannot be written (a full disk) is not written any more, and the work goes on (an
 * apply that has started its writes finishes them, and --report files are still written): `main.ts`
 * then says so and exits 1 (`failure`).
 * Standard error that cannot be written is given up on, since nothing is left to say it on.
 */
export class FdOutput implements OutStream {
  #tty: boolean | undefined;
  #closed = false;
  #streamed = false;
  /** Why standard output could not be written. */
  failure: string | undefined;

  /** `fd`: 1 or 2, whose stream is process.stdout or process.stderr; any other is never a terminal. */
  constructor(private readonly fd: number) {}

  write(chunk: string): boolean {
    if (this.#closed || chunk === '') return true;
    if (this.isTTY) {
      this.#streamed = true;
      return this.stream().write(chunk);
    }
    // In pieces through one buffer: never a copy of the whole text (a plan of 2,000 blocks is 0.5 MB).
    for (let from = 0; from < chunk.length;) {
      let to = Math.min(chunk.length, from + PIECE);
      const last = chunk.charCodeAt(to - 1);
      if (to < chunk.length && last >= 0xd800 && last <= 0xdbff) to--; // a surrogate pair stays whole
      scratch ??= Buffer.allocUnsafeSlow(3 * PIECE);
      const length = scratch.write(from === 0 && to === chunk.length ? chunk : chunk.slice(from, to));
      from = to;
      if (!this.#writeOut(scratch, length)) return false;
    }
    return true;
  }

  /** The first `length` bytes of `bytes`, written whole unless the output fails. */
  #writeOut(bytes: Buffer, length: number): boolean {
    for (let at = 0; at < length;) {
      try {
        at += writeSync(this.fd, bytes, at, length - at);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') Atomics.wait(pause, 0, 0, 1);
        else {
          this.#closed = true;
          if (code !== 'EPIPE' && code !== 'ECONNRESET' && this.fd !== 2) this.failure = (err as Error).message;
          return false;
        }
      }
    }
    return true;
  }

  get isTTY(): boolean {
    return (this.#tty ??= (this.fd === 1 || this.fd === 2) && isTerminal(this.fd));
  }

  get columns(): number | undefined {
    return this.isTTY ? this.stream().columns : undefined;
  }

  /** Resolves once what was written is out: at once, unless a terminal's stream still holds some (Windows writes consoles asynchronously). */
  drained(): Promise<void> {
    return this.#streamed ? new Promise((resolve) => this.stream().write('', () => resolve())) : Promise.resolve();
  }

  private stream(): NodeJS.WriteStream {
    return this.fd === 2 ? process.stderr : process.stdout;
  }
}

function isTerminal(fd: number): boolean {
  const stat = fstatSync(fd);
  if (!stat.isCharacterDevice()) return false;
  try {
    const nul = statSync('/dev/null');
    if (nul.isCharacterDevice() && nul.rdev === stat.rdev) return false;
  } catch {
    // No /dev/null (Windows): node:tty says.
  }
  return isatty(fd);
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
 *
 * A signal is heard only between two turns of the event loop: one that came while an answer was
 * parsed and checked (synchronous work, seconds for a hostile 30 MB page) would be heard after the
 * plan was made and shown. So once the work is done, one turn that takes in the signals that came
 * meanwhile passes before its value is handed on.
 */
export async function interruptible<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The work was started all the same: whatever it ends with is nobody's to report.
    work.catch(() => undefined);
    throw new Interrupted();
  }
  const value = await new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (done) => { signal.removeEventListener('abort', onAbort); resolve(done); },
      (err: unknown) => { signal.removeEventListener('abort', onAbort); reject(err); },
    );
  });
  // setImmediate twice: the second runs after a poll of the event loop, where signals are taken in.
  await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
  if (signal.aborted) throw new Interrupted();
  return value;
}
