// 100,000 declared datastores (issue 14):
//   - `enrichctl validate` of 100,000 entries (split over files: a manifest file may hold 10 MB),
//     the whole CLI process: at most 1.5 s and 300 MB peak RSS;
//   - `enrichctl plan` linear in the entries: N declared of N at 0 ms latency for each N of
//     BENCH_PLAN_SIZES (default 10,000, 20,000, 40,000), and the time per entry: the wall time above
//     that of a one-entry plan in the same round (start-up, module loading, round trips), over N - 1.
//     Target: the time per entry at the largest N at most 1.25x that at the smallest (a linear plan
//     keeps it flat; a step quadratic in N would double it at each doubling).
// Runs are interleaved (the one-entry plan, then each size) so that load drifts hit every size alike.
// Run after a build: `npm run build && node bench/scale.mjs`.
import { rmSync } from 'node:fs';
import { startEmulator } from '../dist/emulator/index.js';
import { linkManifest, linkSeed, runCli, show, stats, target, TOKEN, validateEntries, workspace } from './lib.mjs';

const RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 3);
const PARALLELISM = 10;
const VALIDATE_COUNT = 100_000;
const FILES = 4;
const SIZES = (process.env.BENCH_PLAN_SIZES ?? '10000,20000,40000').split(',').map(Number);
const SLOPE_LIMIT = 1.25;

/** Entries `from`..`to`-1 as the validate benchmark writes them. */
function validateManifest(from, to) {
  return `${['version: 1', 'datastores:', ...validateEntries(from, to)].join('\n')}\n`;
}

async function validateAtScale() {
  const per = VALIDATE_COUNT / FILES;
  const files = Object.fromEntries(Array.from({ length: FILES }, (_, f) => [`part-${f}.yaml`, validateManifest(f * per, (f + 1) * per)]));
  const mb = Object.values(files).reduce((n, t) => n + Buffer.byteLength(t), 0) / (1024 * 1024);
  const dir = workspace(files);
  const wall = [];
  const rss = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const r = await runCli(['validate', '--format', 'json', '.'], { cwd: dir, peakRss: true });
      if (r.code !== 0) throw new Error(`validate exited ${r.code}\n${r.stdout.slice(0, 2000)}${r.stderr}`);
      wall.push(r.ms);
      rss.push(r.rssMb);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`validate ${VALIDATE_COUNT.toLocaleString('en-US')} entries in ${FILES} files (${mb.toFixed(1)} MB of YAML), whole CLI process, ${RUNS} runs:`);
  target({ label: 'validate 100,000: wall time', measured: stats(wall), limit: 1500 });
  target({ label: 'validate 100,000: peak RSS', measured: stats(rss), unit: 'MB', limit: 300 });
}

async function planLinearity() {
  const sizes = [1, ...SIZES].map((n) => ({ n, em: undefined, dir: workspace({ 'm.yaml': linkManifest(Array.from({ length: n }, (_, i) => i + 1)) }), wall: [] }));
  try {
    for (const s of sizes) s.em = await startEmulator({ seed: linkSeed(s.n) });
    for (const s of sizes) await runCli(['plan', 'm.yaml'], { cwd: s.dir, env: { QUALYTICS_URL: s.em.url, QUALYTICS_TOKEN: TOKEN } }); // warm-up
    for (let run = 0; run < RUNS; run++) {
      for (const s of sizes) {
        const r = await runCli(['plan', '--detailed-exitcode', '--parallelism', String(PARALLELISM), 'm.yaml'], { cwd: s.dir, env: { QUALYTICS_URL: s.em.url, QUALYTICS_TOKEN: TOKEN } });
        if (r.code !== 2) throw new Error(`plan of ${s.n} exited ${r.code}\n${r.stderr}`);
        s.wall.push(r.ms);
      }
    }
  } finally {
    for (const s of sizes) {
      await s.em?.close();
      rmSync(s.dir, { recursive: true, force: true });
    }
  }
  const [one, ...measured] = sizes;
  console.log(`plan N declared of N (each a link to change), 0 ms latency, parallelism ${PARALLELISM}, whole CLI process, ${RUNS} interleaved runs; one entry: ${show(stats(one.wall))}`);
  // Per entry, in µs, above the one-entry plan of the same round: per run, so that the range shows the spread.
  const perEntry = (s) => s.wall.map((ms, run) => ((ms - one.wall[run]) * 1000) / (s.n - 1));
  for (const s of measured) console.log(`  ${s.n.toLocaleString('en-US').padStart(7)} entries: wall ${show(stats(s.wall))}; per entry ${show(stats(perEntry(s)), 'µs', 1)}`);
  const [small, large] = [measured[0], measured.at(-1)];
  const base = stats(perEntry(small)).median;
  target({
    label: `plan linear: time per entry at ${large.n.toLocaleString('en-US')}`,
    measured: stats(perEntry(large)),
    unit: 'µs',
    bound: { value: base, text: `the time per entry at ${small.n.toLocaleString('en-US')}, ${base.toFixed(1)} µs` },
    limit: SLOPE_LIMIT,
  });
}

await validateAtScale();
await planLinearity();
