// Shared helpers for the benchmarks: run the built CLI as a user would (a fresh process), time it,
// and summarise with medians. Benchmarks print figures; they assert nothing (targets are reported).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs the CLI in a child process; resolves with its exit code, output and wall time in ms. */
export function runCli(args, { cwd, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH, HOME: cwd, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** Median wall time of a process that only starts up (`enrichctl --version`): the fixed cost of any command. */
export async function startupMs(runs = 7) {
  const times = [];
  for (let i = 0; i < runs; i++) times.push((await runCli(['--version'], { cwd: tmpdir() })).ms);
  return median(times);
}

export function workspace(files) {
  const dir = mkdtempSync(join(tmpdir(), 'enrichctl-bench-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export function fmt(ms) {
  return `${ms.toFixed(0)} ms`;
}
