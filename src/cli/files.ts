/**
 * Writing output files so that a reader never sees half of one: a temporary file, then a rename.
 *
 * The temporary file is created exclusively (`wx`: it fails rather than open an existing name, and
 * never follows a symbolic link planted at that name), with mode 0600, beside the target (so the
 * rename stays on one file system) and under a random name nobody can predict and pre-create. Its
 * final mode is set on the open handle before the rename, so the content is never readable by
 * others under a looser mode, even for an instant. The rename replaces a link at the target's
 * own name rather than writing through it.
 */
import { randomBytes } from 'node:crypto';
import { constants, statSync, type Stats } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from './errors.js';

/** Saved plans hold observed state: owner only. Exports are manifests meant to be committed and shared. */
export const FILE_MODES = { private: 0o600, shared: 0o644 } as const;

export interface WriteOptions {
  /** The path as the user gave it, for messages. */
  shown?: string;
  /** The final file's mode; the temporary file is 0600 whatever this is. Default 0600. */
  mode?: number;
}

/** Failures are one clear UserError. */
export async function writeFileAtomic(target: string, text: string, options: WriteOptions = {}): Promise<void> {
  const shown = options.shown ?? target;
  // Checked again at the end of the run (checkOutputFile did before it): something may be there now.
  if (isSpecial(statOf(target))) throw new UserError(`cannot write ${shown}: ${SPECIAL}`);
  const mode = options.mode ?? FILE_MODES.private;
  const temp = temporaryName(target);
  let created = false;
  try {
    const handle = await open(temp, 'wx', FILE_MODES.private);
    created = true;
    try {
      await handle.writeFile(text, 'utf8');
      // chmod is not reduced by the umask: the mode asked for is the mode the file gets.
      await handle.chmod(mode);
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    if (created) await rm(temp, { force: true });
    throw new UserError(`cannot write ${shown}: ${fsReason(err)}`);
  }
}

const SPECIAL = 'it is not a regular file (a device, a pipe or a socket), which writing a file there would replace';

/** What is at `target`, links followed; undefined when nothing is (or a dangling link, which the rename replaces). */
function statOf(target: string): Stats | undefined {
  try {
    return statSync(target);
  } catch {
    return undefined;
  }
}

/**
 * Whether something other than a regular file (a device, a pipe, a socket, or a link to one: /dev/null,
 * /dev/stdout) is there. The rename would replace it with a file: run as root, as CI containers
 * are, `--out /dev/null` replaced the container's /dev/null.
 */
function isSpecial(stats: Stats | undefined): boolean {
  return stats !== undefined && !stats.isFile() && !stats.isDirectory();
}

/**
 * A file enrichctl reads whole (a saved plan, a file export may replace): opened without blocking (a
 * named pipe nobody writes to would wait for ever), and read only when it is a regular file of at
 * most `maxBytes` (a device such as /dev/zero never ends). Else why not: absent (it cannot be
 * opened, `code` says why), not a regular file, or too large.
 */
export async function readWholeFile(path: string, maxBytes: number):
  Promise<{ ok: true; text: string } | { ok: false; why: 'absent' | 'special' | 'too-large' | 'unreadable'; code?: string }> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, why: 'absent', ...(code ? { code } : {}) };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { ok: false, why: 'special' };
    if (stats.size > maxBytes) return { ok: false, why: 'too-large' };
    return { ok: true, text: await handle.readFile('utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, why: 'unreadable', ...(code ? { code } : {}) };
  } finally {
    await handle.close();
  }
}

/** `.plan.json.3f9c0a1b2e4d5f60.tmp` beside `plan.json`: hidden, random, recognisable. */
export function temporaryName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(8).toString('hex')}.tmp`);
}

/**
 * Before any request: a file a run will write (`--out`, `--report`) names a file, in a directory
 * that exists. `flag` is what the user wrote before the file (`--out `, `--report junit=`);
 * `instead` is a file name to suggest inside a directory given by mistake.
 */
export function checkOutputFile(flag: string, file: string, cwd: string, instead: string): void {
  const target = resolve(cwd, file);
  const stats = statOf(target);
  if (stats?.isDirectory()) throw new UserError(`${flag}${file} is a directory; give a file name, e.g. ${flag}${join(file, instead)}`);
  if (isSpecial(stats)) throw new UserError(`${flag}${file}: ${SPECIAL}; give a file name, e.g. ${flag}${instead}`);
  if (!statOf(dirname(target))?.isDirectory()) throw new UserError(`${flag}${file}: the directory ${dirname(file)} does not exist; create it first`);
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
