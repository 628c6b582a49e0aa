/** Writing output files so that a reader never sees half of one: a temporary file, then a rename. */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from './errors.js';

/** `shown` is the path as the user gave it, for messages. Failures are one clear UserError. */
export async function writeFileAtomic(target: string, text: string, shown: string = target): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text, { mode: 0o644 });
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw new UserError(`cannot write ${shown}: ${fsReason(err)}`);
  }
}

export async function makeDirectory(target: string, shown: string): Promise<void> {
  try {
    await mkdir(target, { recursive: true });
  } catch (err) {
    throw new UserError(`cannot create the directory ${shown}: ${fsReason(err)}`);
  }
}

export function fsReason(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT': return 'its directory does not exist';
    case 'ENOTDIR': return 'a part of the path is a file, not a directory';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    case 'EEXIST': return 'a file is in the way';
    case 'ENOSPC': return 'no space left on the device';
    case 'EROFS': return 'the file system is read-only';
    default: return (err as NodeJS.ErrnoException).code ?? 'the write failed';
  }
}
