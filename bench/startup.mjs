// Start-up (issue 14): `--version` and `--help` within 1.3x a bare `node -e 0`, `validate` of a
// one-entry manifest within 1.5x, each measured in the same run as the bare node. The runs are
// interleaved (bare node, --version, --help, validate, then again) so that a drift in the machine's
// load hits every figure alike. The targets are met or missed by runs with the code cache (the
// default: the warm-up round writes it, as a user's first run does); each command is also run with
// ENRICHCTL_CACHE_DIR=off in the same rounds, which is what a first run costs (less the writing).
// Run after a build: `npm run build && node bench/startup.mjs`.
import { rmSync } from 'node:fs';
import { RUNS, runBareNode, runCli, show, stats, target, workspace } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_STARTUP_RUNS ?? Math.max(11, RUNS * 3));
const dir = workspace({ 'm.yaml': 'version: 1\ndatastores:\n  - datastore: Sales Warehouse\n    enrichment_datastore: Enrichment\n' });

const COMMANDS = [
  { label: 'enrichctl --version', args: ['--version'], limit: 1.3 },
  { label: 'enrichctl --help', args: ['--help'], limit: 1.3 },
  { label: 'enrichctl validate (one entry)', args: ['validate', 'm.yaml'], limit: 1.5 },
];

const bare = [];
const times = COMMANDS.map(() => []);
const uncached = COMMANDS.map(() => []);
const OFF = { ENRICHCTL_CACHE_DIR: 'off' };
await runBareNode(); // warm the file cache
for (const c of COMMANDS) await runCli(c.args, { cwd: dir }); // and write the code cache
for (let round = 0; round < ROUNDS; round++) {
  bare.push((await runBareNode()).ms);
  for (const [i, c] of COMMANDS.entries()) {
    for (const [env, into] of [[{}, times], [OFF, uncached]]) {
      const r = await runCli(c.args, { cwd: dir, env });
      if (r.code !== 0) throw new Error(`${c.label} exited ${r.code}\n${r.stderr}`);
      into[i].push(r.ms);
    }
  }
}
rmSync(dir, { recursive: true, force: true });

const floor = stats(bare);
console.log(`start-up: ${ROUNDS} interleaved rounds of bare node and each command, whole process wall time`);
console.log(`  bare node -e 0: ${show(floor)}`);
for (const [i, c] of COMMANDS.entries()) {
  target({
    label: c.label,
    measured: stats(times[i]),
    bound: { value: floor.median, text: `bare node ${floor.median.toFixed(0)} ms` },
    limit: c.limit,
  });
  const off = stats(uncached[i]);
  console.log(`      without the code cache: ${show(off)}, ratio ${(off.median / floor.median).toFixed(2)}`);
}
