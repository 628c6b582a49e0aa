// Shared helpers for the benchmarks: run the built CLI as a user would (a fresh process), time it,
// and summarise with medians and ranges. Benchmarks print figures; they assert nothing: each target
// is printed with its bound, ratio and verdict (`target`), and `npm run bench` repeats them at the end.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The one CLI binary every benchmark runs. */
export const BIN = fileURLToPath(new URL('../bin/enrichctl.cjs', import.meta.url));

/** Preloaded into a CLI process to report its peak RSS (see `runCli`'s `peakRss`). */
const PEAK_RSS_PROBE = fileURLToPath(new URL('./peak-rss.mjs', import.meta.url));

export const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** The emulator user every benchmark plans as. */
export const TOKEN = 'bench-admin-token';

const benchName = (i) => `warehouse.db_${String(i).padStart(6, '0')}`;

/** An emulator seed: source datastores 1..total (the first `linked` already linked) and one enrichment datastore. */
export function linkSeed(total, { linked = 0 } = {}) {
  return {
    users: [{ name: 'Bench', role: 'Admin', token: TOKEN }],
    datastores: [
      ...Array.from({ length: total }, (_, i) => ({ id: i + 1, name: benchName(i + 1), ...(i < linked ? { enrich_datastore: 900_001 } : {}) })),
      { id: 900_001, name: 'Bench Enrichment', enrichment_only: true },
    ],
  };
}

/** A manifest linking the seed's datastores `ids` to its enrichment datastore. */
export function linkManifest(ids) {
  const lines = ['version: 1', 'datastores:'];
  for (const i of ids) lines.push(`  - datastore: ${benchName(i)}`, '    enrichment_datastore: Bench Enrichment');
  return `${lines.join('\n')}\n`;
}

/**
 * Manifest lines of entries from..to-1 for the validate benchmarks: each names its link and prefix;
 * a third to a seventh override a setting (all of them with `full`). `name`: the datastore's name.
 */
export function validateEntries(from, to, { full = false, name = benchName } = {}) {
  const lines = [];
  for (let i = from; i < to; i++) {
    lines.push(`  - datastore: ${name(i)}`, `    enrichment_datastore: Enrichment ${i % 25}`, `    enrichment_prefix: _source_${i}`);
    if (full || i % 3 === 0) lines.push(`    enrichment_source_record_limit: ${(i % 1000) + 1}`);
    if (full || i % 5 === 0) lines.push(`    enrichment_remediation_strategy: ${['none', 'append', 'overwrite'][i % 3]}`);
    if (full || i % 7 === 0) lines.push(`    high_count_rollup_threshold: ${(i % 1000) + 1}`);
  }
  return lines;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median and range (min-max) of a list of figures. */
export function stats(xs) {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/** `median 95 ms (range 90-120)`; `unit` defaults to ms. */
export function show(s, unit = 'ms', digits = 0) {
  return `median ${s.median.toFixed(digits)} ${unit} (range ${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;
}

/** Runs node with `args` (env: the parent's when not given); resolves with its exit code, output and wall time. */
export function spawnTimed(args, { cwd, env }) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started, spawned: started }));
  });
}

/**
 * Runs the CLI in a child process; resolves with its exit code, output, wall time in ms and the
 * `performance.now()` at which it was spawned. `peakRss: true` also gives `rssMb`, the process's
 * peak resident memory, from a probe preloaded with --import (a few ms of its own).
 */
export async function runCli(args, { cwd = tmpdir(), env = {}, peakRss = false } = {}) {
  const fullEnv = { PATH: process.env.PATH, HOME: cwd, NO_COLOR: '1', ...env };
  if (!peakRss) return spawnTimed([BIN, ...args], { cwd, env: fullEnv });
  const probeDir = mkdtempSync(join(tmpdir(), 'enrichctl-rss-'));
  const file = join(probeDir, 'rss');
  try {
    const result = await spawnTimed(['--import', PEAK_RSS_PROBE, BIN, ...args], { cwd, env: { ...fullEnv, ENRICHCTL_BENCH_RSS_FILE: file } });
    return { ...result, rssMb: Number(readFileSync(file, 'utf8')) / 1024 };
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}

/** A bare `node -e 0`: the floor any command is compared with. */
export function runBareNode() {
  return spawnTimed(['-e', '0'], { cwd: tmpdir(), env: { PATH: process.env.PATH } });
}

export function workspace(files) {
  const dir = mkdtempSync(join(tmpdir(), 'enrichctl-bench-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export function fmt(ms) {
  return `${ms.toFixed(0)} ms`;
}

/**
 * Prints one target: the measured figure (median and range), its bound, their ratio against the
 * limit, and met/MISSED; with BENCH_SUMMARY set (run.mjs does), also records it there for the summary.
 *   label     what is measured
 *   measured  stats() of the figure
 *   bound     { text, value } the figure is compared with (value in the figure's unit), or undefined
 *             when the limit is absolute
 *   limit     the largest ratio (or, without a bound, the largest value) that meets the target
 *   extra     more conditions, each { text, ok } (e.g. the fewest requests)
 */
export function target({ label, measured, unit = 'ms', bound, limit, extra = [] }) {
  const ratio = bound ? measured.median / bound.value : measured.median;
  const ok = ratio <= limit && extra.every((e) => e.ok);
  const verdict = ok ? 'met' : 'MISSED';
  const against = bound
    ? `bound ${bound.text}; ratio ${ratio.toFixed(2)} (target <= ${limit.toFixed(2)})`
    : `target <= ${limit} ${unit}`;
  const line = `${label}: ${show(measured, unit)}; ${against}${extra.map((e) => `; ${e.text}`).join('')}: ${verdict}`;
  console.log(`  [${verdict}] ${line}`);
  if (process.env.BENCH_SUMMARY) appendFileSync(process.env.BENCH_SUMMARY, `${JSON.stringify({ ok, line })}\n`);
  return ok;
}
