/**
 * enrichctl's standard output and error (cli/io.ts's FdOutput): written with fs.writeSync, so that a
 * command whose output is a pipe, a file or /dev/null never builds Node's stream for it (node:net,
 * node:tty and the stream modules, ~5-8 ms of a start); only another character device is asked
 * whether it is a terminal.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FdOutput } from '../../src/cli/io.js';
import { BIN } from '../helpers/bin.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const workspace = (files: Record<string, string>): string => {
  dir = mkdtempSync(join(tmpdir(), 'enrichctl-stdio-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};
const ONE = 'version: 1\ndatastores:\n  - datastore: orders\n';
/** Prints, at exit, which of Node's stream-building modules the process loaded. */
const PROBE = 'process.on("exit",()=>require("fs").writeSync(2,"loaded:"+process.moduleLoadList.filter((m)=>/^NativeModule (net|tty|stream)$/.test(m)).map((m)=>m.slice(13)).join(",")+"\\n"))';

describe('standard output and error', () => {
  it('to a pipe: --version, --help and validate load neither node:net, node:tty nor node:stream', () => {
    const cwd = workspace({ 'one.yaml': ONE, 'probe.cjs': PROBE });
    for (const args of [['--version'], ['--help'], ['validate', 'one.yaml'], ['validate', 'missing.yaml']]) {
      const run = spawnSync(process.execPath, ['-r', './probe.cjs', BIN, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: cwd } });
      expect(run.stderr.split('\n').find((l) => l.startsWith('loaded:')), `${args.join(' ')}\n${run.stderr}`).toBe('loaded:');
      expect(run.stdout.length, args.join(' ')).toBeGreaterThan(0);
    }
  });

  it('to /dev/null (a character device, not a terminal): told by its device number, without node:tty, and written without colour', () => {
    const cwd = workspace({ 'bad.yaml': 'version: 1\ndatastores:\n  - datastore: orders\n    enrichment_prefx: _x\n', 'one.yaml': ONE, 'probe.cjs': PROBE });
    const out = openSync('/dev/null', 'w');
    try {
      for (const args of [['--version'], ['--help'], ['validate', 'one.yaml']]) {
        const run = spawnSync(process.execPath, ['-r', './probe.cjs', BIN, ...args], { cwd, stdio: ['ignore', out, 'pipe'], encoding: 'utf8', env: { PATH: process.env.PATH, HOME: cwd } });
        expect({ status: run.status, stderr: run.stderr }, args.join(' ')).toStrictEqual({ status: 0, stderr: 'loaded:\n' });
      }
      const run = spawnSync(process.execPath, [BIN, 'validate', 'bad.yaml', '--format', 'json'], { cwd, stdio: ['ignore', out, 'pipe'], encoding: 'utf8', env: { PATH: process.env.PATH, HOME: cwd } });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe('');
    } finally {
      closeSync(out);
    }
    const other = new FdOutput(openSync('/dev/null', 'w')); // neither 1 nor 2: never a terminal
    expect(other.isTTY).toBe(false);
    expect(other.columns).toBeUndefined();
  });

  it.runIf(existsSync('/dev/full'))('output that cannot be written (a full disk): the work goes on, its --report is written, then one line and exit 1; an error output that cannot be is given up on', () => {
    const cwd = workspace({ 'one.yaml': ONE });
    for (const args of [['--version'], ['--help'], ['validate', 'one.yaml', '--report', 'sarif=r.sarif']]) {
      const full = openSync('/dev/full', 'w');
      try {
        const run = spawnSync(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', full, 'pipe'], encoding: 'utf8', env: { PATH: process.env.PATH, HOME: cwd } });
        expect({ status: run.status, stderr: run.stderr }, args.join(' ')).toStrictEqual({ status: 1, stderr: 'error: cannot write the output: ENOSPC: no space left on device, write\n' });
      } finally {
        closeSync(full);
      }
    }
    expect(JSON.parse(readFileSync(join(cwd, 'r.sarif'), 'utf8'))).toMatchObject({ version: '2.1.0' });
    const full = openSync('/dev/full', 'w');
    try {
      // No token: the error goes to standard error, which is full; the exit code still says it.
      const run = spawnSync(process.execPath, [BIN, 'plan', 'one.yaml', '--url', 'http://127.0.0.1:9/api'], { cwd, stdio: ['ignore', 'pipe', full], encoding: 'utf8', env: { PATH: process.env.PATH, HOME: cwd } });
      expect({ status: run.status, stdout: run.stdout }).toStrictEqual({ status: 1, stdout: '' });
    } finally {
      closeSync(full);
    }
  });

  it('a reader that goes away ends the output, not the command: no error, the exit code of the work', async () => {
    // ~600 KB of diagnostics, far more than a pipe holds.
    const entries = Array.from({ length: 4000 }, (_, i) => `  - datastore: d${i}\n    enrichment_prefx: _x\n`).join('');
    const cwd = workspace({ 'bad.yaml': `version: 1\ndatastores:\n${entries}` });
    const child = spawn(process.execPath, [BIN, 'validate', 'bad.yaml'], { cwd, env: { PATH: process.env.PATH, HOME: cwd } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.once('data', () => child.stdout.destroy()); // read a little, then close the pipe
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });

  it('writes a text longer than it encodes at once whole, a character beyond 16 bits at the seam included', () => {
    const cwd = workspace({});
    const file = join(cwd, 'out');
    // 16,384 UTF-16 units are encoded at a time: the emoji's two units straddle the first seam.
    const text = `${'a'.repeat(16_383)}\u{1F600}${'é'.repeat(20_000)}中\n`;
    const fd = openSync(file, 'w');
    new FdOutput(fd).write(text);
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('waits for a full non-blocking pipe instead of losing what did not fit (EAGAIN)', async () => {
    const cwd = workspace({});
    const fifo = join(cwd, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The reader opens the pipe at once but drains it only after a pause: meanwhile the writer finds it full.
    const reader = spawn('sh', ['-c', `exec 3<"$1"; sleep 0.3; cat <&3 > "$2"`, 'sh', fifo, join(cwd, 'out')]);
    // A read end of our own, open (and never read) until the write is done: so that the write end opens
    // without waiting, and the pipe has a reader even before the shell has opened it (else EPIPE, and
    // the shell's open would then wait for a writer for ever).
    const read = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const write = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const text = 'enrichctl\n'.repeat(100_000); // 1 MB: the pipe holds 64 KB
    expect(new FdOutput(write).write(text)).toBe(true);
    closeSync(write);
    closeSync(read);
    expect(await new Promise((resolve) => reader.on('exit', resolve))).toBe(0);
    expect(readFileSync(join(cwd, 'out'), 'utf8')).toBe(text);
  });
});
