/**
 * Runs enrichctl commands in-process against a real emulator over loopback, capturing output, and
 * writes manifests into temporary directories. Only the process edges are replaced: the client,
 * planner and applier are the real ones.
 *
 * With ENRICHCTL_TEST_BIN=1 (the `bin` project of vitest.config.ts), a run that needs no terminal,
 * stdin or signal of the test's own is the shipped file, bin/enrichctl.cjs, in a process of its own:
 * the same tests then hold the bundle to what src does (a package loaded with `import()` behaved
 * otherwise there, and only a user found it).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/program.js';
import { BIN } from './bin.js';
import type { Io } from '../../src/cli/io.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Pretend stdin is a terminal, and feed it these lines. */
  tty?: string[];
  /** A stdin the test writes to itself, when it likes (e.g. `yes` only after moving live state); overrides `tty`. */
  stdin?: PassThrough & { isTTY?: boolean };
  /** Pretend stderr is a terminal. */
  stderrTty?: boolean;
  signal?: AbortSignal;
  /** The second interrupt ("stop now"). */
  urgent?: AbortSignal;
}

export async function run(argv: string[], options: RunOptions): Promise<RunResult> {
  if (process.env.ENRICHCTL_TEST_BIN === '1' && !options.tty && !options.stdin && !options.stderrTty && !options.signal && !options.urgent) return runBin(argv, options);
  let stdout = '';
  let stderr = '';
  let stdin = options.stdin;
  if (!stdin) {
    stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
    if (options.tty) {
      stdin.isTTY = true;
      for (const line of options.tty) stdin.write(`${line}\n`);
    }
    stdin.end();
  }
  const io: Io = {
    stdout: { write: (s: string) => { stdout += s; return true; } },
    stderr: { write: (s: string) => { stderr += s; return true; }, isTTY: options.stderrTty === true },
    stdin,
    env: { HOME: options.cwd, ...options.env },
    cwd: options.cwd,
    signal: options.signal ?? new AbortController().signal,
    urgent: options.urgent,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** `run` as a user runs the file: the same environment (HOME the working directory), stdin closed, output piped. */
function runBin(argv: string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH, HOME: options.cwd, ENRICHCTL_CACHE_DIR: BIN_CACHE, ...options.env };
    const child = spawn(process.execPath, [BIN, ...argv], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** One code cache for every run of the file (each test's HOME is its own folder): the runs take the time a user's do. */
const BIN_CACHE = join(tmpdir(), `enrichctl-test-cache-${process.getuid?.() ?? 'user'}`);

/** A fresh directory with these files (path -> text). */
export async function workspace(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'enrichctl-test-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

export function manifest(entries: string): string {
  return `version: 1\ndatastores:\n${entries}`;
}
