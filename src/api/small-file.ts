/**
 * Reads a small file the user points enrichctl at for its connection (`--token-file`, the official
 * CLI's `~/.qualytics/config.yaml`), bounded in size and time. A pipe is welcome (`--token-file
 * <(vault read ...)`, `/dev/stdin`): it is read as its writer writes, until it ends. What never
 * ends (`/dev/zero`), or a pipe whose writer says nothing, stops at the bound with an error rather
 * than filling memory or waiting for ever (the reads are synchronous, so a signal would not be heard:
 * node:fs/promises would cost every plan ~4 ms to load).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Far beyond any token or config file. */
export const SMALL_FILE_BYTES = 64 * 1024;
/** How long a pipe may take to say everything. */
const PIPE_WAIT_MS = 10_000;

const pause = new Int32Array(new SharedArrayBuffer(4));

/** The file's text, or why it could not be read (a clause: "no such file", "it is a directory"...). */
export function readSmallFile(path: string, maxBytes: number = SMALL_FILE_BYTES): { ok: true; text: string } | { ok: false; problem: string } {
  let fd: number;
  try {
    // Not blocking: opening a named pipe nobody writes to would wait for ever.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    return { ok: false, problem: errnoText(err) };
  }
  try {
    if (fstatSync(fd).isDirectory()) return { ok: false, problem: 'it is a directory' };
    const chunks: Buffer[] = [];
    let total = 0;
    const until = Date.now() + PIPE_WAIT_MS;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(16 * 1024, maxBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        // A pipe whose writer has not written yet.
        if (Date.now() > until) return { ok: false, problem: `nothing more came through it in ${PIPE_WAIT_MS / 1000} s` };
        Atomics.wait(pause, 0, 0, 10);
        continue;
      }
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) return { ok: false, problem: `it is larger than ${maxBytes / 1024} KB, which no token or config file is` };
    }
    return { ok: true, text: Buffer.concat(chunks, total).toString('utf8') };
  } catch (err) {
    return { ok: false, problem: errnoText(err) };
  } finally {
    closeSync(fd);
  }
}

function errnoText(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return code || 'unreadable';
}
