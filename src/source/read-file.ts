/**
 * Reads one user-named file as text, refusing what is not a plausible YAML source (not a regular
 * file, too large, binary, not UTF-8) with one diagnostic instead of an exception.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Diagnostic } from '../core/diagnostics.js';
import { LIMITS } from './limits.js';

export interface SourceFile {
  /** The path as the user named it (relative stays relative); what diagnostics show. */
  file: string;
  /** Where to read it. */
  absolute: string;
  /** Found by expanding a directory, rather than named by the user. */
  viaDirectory?: boolean;
}

/** `bytes`: the file's size as read (its UTF-8 length). */
export type ReadResult = { ok: true; text: string; bytes: number } | { ok: false; diagnostic: Diagnostic };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function readSourceFile(source: SourceFile, maxBytes: number = LIMITS.maxFileBytes): ReadResult {
  const fail = (code: string, message: string): ReadResult => ({
    ok: false,
    diagnostic: { severity: 'error', file: source.file, message, code },
  });
  let bytes: Buffer;
  let fd: number | undefined;
  try {
    // Not blocking: opening a named pipe that nobody writes to would wait for ever.
    fd = openSync(source.absolute, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const stats = fstatSync(fd);
    if (stats.isDirectory()) return fail('unreadable', 'is a directory, not a file');
    // A device (/dev/zero), a pipe or a socket has no size to check and may never end.
    if (!stats.isFile()) return fail('unreadable', 'is not a regular file (a device, a pipe or a socket): give the file itself');
    if (stats.size > maxBytes) {
      return fail('file-too-large', `file is too large (${megabytes(stats.size)}); the limit is ${megabytes(maxBytes)}`);
    }
    bytes = readAtMost(fd, stats.size, maxBytes + 1);
  } catch (err) {
    return fail('unreadable', `cannot read file: ${describeFsError(err)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  // stat can race with a growing file; the read is what counts.
  if (bytes.length > maxBytes) {
    return fail('file-too-large', `file is too large (${megabytes(bytes.length)}); the limit is ${megabytes(maxBytes)}`);
  }
  if (bytes.includes(0)) return fail('binary-file', 'file contains NUL bytes: it is binary, not YAML text');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return fail('binary-file', 'file is not valid UTF-8 text');
  }
  return { ok: true, text, bytes: bytes.length };
}

/** The file's bytes, at most `limit` of them: `size` as stat saw it, and more if it has grown since. */
function readAtMost(fd: number, size: number, limit: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  let want = Math.min(size + 1, limit);
  while (total < limit) {
    const chunk = Buffer.allocUnsafe(want);
    const n = readSync(fd, chunk, 0, want, null);
    if (n === 0) break;
    chunks.push(n === want ? chunk : chunk.subarray(0, n));
    total += n;
    want = Math.min(64 * 1024, limit - total);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

/**
 * One error when the files together are larger than `maxBytes` (by stat, before any is read), else
 * undefined. Files that cannot be stat'ed count as empty here; reading them reports the problem.
 */
export function checkTotalSize(sources: readonly SourceFile[], where: string, maxBytes: number = LIMITS.maxTotalBytes): Diagnostic | undefined {
  let total = 0;
  for (const source of sources) {
    try {
      total += statSync(source.absolute).size;
    } catch {
      // counted as 0
    }
  }
  return total > maxBytes ? totalTooLarge(where, total, sources.length, maxBytes) : undefined;
}

export function totalTooLarge(where: string, total: number, files: number, maxBytes: number = LIMITS.maxTotalBytes): Diagnostic {
  return {
    severity: 'error',
    file: where,
    message: `the manifests are too large together (${megabytes(total)} in ${files} file${files === 1 ? '' : 's'}); the limit for one run is ${megabytes(maxBytes)}`,
    code: 'total-too-large',
    hints: ['give plan and validate fewer or smaller files, e.g. one folder per deployment'],
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

/** Node's fs errors carry a code; their messages repeat the path, which the diagnostic already shows. */
export function describeFsError(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
