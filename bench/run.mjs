// `npm run bench`: every benchmark in turn, each printing its own figures, then every target again
// in one list (each benchmark records its targets in the BENCH_SUMMARY file). Exits 0: it reports.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const summaryDir = mkdtempSync(join(tmpdir(), 'enrichctl-bench-summary-'));
const summary = join(summaryDir, 'targets.jsonl');
const started = performance.now();
// Start-up first: the figures most sensitive to what ran just before.
for (const bench of ['startup.mjs', 'plan-apply.mjs', 'scale.mjs', 'validate.mjs', 'rules.mjs', 'timings.mjs']) {
  console.log(`\n== bench/${bench}`);
  const benchStarted = performance.now();
  // --expose-gc: a benchmark may collect its own garbage between timed runs (plan-apply.mjs does).
  const result = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(new URL(bench, import.meta.url))], { stdio: 'inherit', env: { ...process.env, BENCH_SUMMARY: summary } });
  if (result.status !== 0) console.log(`bench/${bench} failed (exit ${result.status}): its figures are missing`);
  console.log(`(${((performance.now() - benchStarted) / 1000).toFixed(0)} s)`);
}
let lines = [];
try {
  lines = readFileSync(summary, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
} catch {
  // no target was recorded
}
rmSync(summaryDir, { recursive: true, force: true });
console.log(`\n== targets: ${lines.filter((l) => l.ok).length} of ${lines.length} met (${((performance.now() - started) / 1000).toFixed(0)} s)`);
for (const l of lines) console.log(`  [${l.ok ? 'met' : 'MISSED'}] ${l.line}`);
