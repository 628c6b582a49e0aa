// Timings that tests used to assert with a wall clock, reported here as figures instead:
//   - the emulator with 20,000 datastores: one filtered list page and one GET by id (HTTP round trip);
//   - `plan` stopped by SIGINT while a request waits on 5 s of latency: time from the signal to exit.
// Run after a build: `npm run build && node bench/timings.mjs`.
import { spawn } from 'node:child_process';
import { startEmulator } from '../dist/emulator/index.js';
import { BIN, fmt, median, RUNS, workspace } from './lib.mjs';

async function emulatorAtScale() {
  const em = await startEmulator({
    seed: {
      users: [{ name: 'member', role: 'Member', token: 'm', teams: { T1: 'Viewer' } }],
      datastores: Array.from({ length: 20_000 }, (_, i) => ({ id: i + 1, name: `Store ${i + 1}`, teams: [`T${i % 4}`], enrichment_only: i % 10 === 0 })),
    },
  });
  const get = (path) => fetch(`${em.url}${path}`, { headers: { authorization: 'Bearer m' } }).then((r) => r.arrayBuffer());
  try {
    await get('/datastores?size=100'); // warm up
    const rounds = 50;
    let started = performance.now();
    for (let i = 0; i < rounds; i++) await get(`/datastores?size=100&page=${i + 1}`);
    const perList = (performance.now() - started) / rounds;
    started = performance.now();
    for (let i = 0; i < rounds; i++) await get(`/datastores/${i * 400 + 2}`);
    const perGet = (performance.now() - started) / rounds;
    console.log(`emulator, 20,000 datastores: ${perList.toFixed(2)} ms per filtered list page, ${perGet.toFixed(2)} ms per GET (mean of ${rounds} sequential requests)`);
  } finally {
    await em.close();
  }
}

async function sigintDuringPlan() {
  const token = 'bench-admin-token';
  const em = await startEmulator({
    seed: { users: [{ name: 'Ada', role: 'Admin', token }], datastores: [{ id: 1, name: 'source-001' }, { id: 2, name: 'Enrichment', enrichment_only: true }] },
    faults: { latencyMs: 5_000 },
  });
  const dir = workspace({ 'm.yaml': 'version: 1\ndatastores:\n  - datastore: source-001\n    enrichment_datastore: Enrichment\n' });
  const times = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const child = spawn(process.execPath, [BIN, 'plan', 'm.yaml'], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', QUALYTICS_URL: em.url, QUALYTICS_TOKEN: token } });
      child.stdout.resume();
      child.stderr.resume();
      const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
      // Signal once start-up is over and a request is in flight (the emulator holds each 5 s).
      await new Promise((resolve) => setTimeout(resolve, 400));
      const signalled = performance.now();
      child.kill('SIGINT');
      const code = await exited;
      if (code !== 130) throw new Error(`plan exited ${code}, not 130`);
      times.push(performance.now() - signalled);
    }
  } finally {
    await em.close();
  }
  console.log(`plan stopped by SIGINT with a request in flight: exits ${fmt(median(times))} after the signal (median of ${RUNS}; the request would take 5 s)`);
}

await emulatorAtScale();
await sigintDuringPlan();
