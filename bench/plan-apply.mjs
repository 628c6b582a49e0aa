// plan and apply against the emulator with 20 ms latency per request (issues 4 and 5).
//
// The bound a run is compared with: process start-up (median of `enrichctl --version`) plus the
// fewest sequential round trips the work needs at the chosen parallelism, times the latency.
import { startEmulator } from '../dist/emulator/index.js';
import { fmt, median, runCli, startupMs, workspace } from './lib.mjs';

const LATENCY = 20;
const PARALLELISM = 10;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TOKEN = 'bench-admin-token';
const PAGE = 100;

const name = (i) => `warehouse.db_${String(i).padStart(5, '0')}`;

function seed(total, { linked = 0 } = {}) {
  return {
    users: [{ name: 'Bench', role: 'Admin', token: TOKEN }],
    datastores: [
      ...Array.from({ length: total }, (_, i) => ({ id: i + 1, name: name(i + 1), ...(i < linked ? { enrich_datastore: 900_001 } : {}) })),
      { id: 900_001, name: 'Bench Enrichment', enrichment_only: true },
    ],
  };
}

function manifest(ids, { strategyFor = () => undefined } = {}) {
  const lines = ['version: 1', 'datastores:'];
  for (const i of ids) {
    lines.push(`  - datastore: ${name(i)}`, '    enrichment_datastore: Bench Enrichment');
    const s = strategyFor(i);
    if (s) lines.push(`    enrichment_remediation_strategy: ${s}`);
  }
  return `${lines.join('\n')}\n`;
}

async function measure(label, { total, declared, linked, strategyFor, command, boundTrips, minRequests }) {
  const times = [];
  const beforeFirst = [];
  const network = [];
  let requests = 0;
  let writes = 0;
  for (let run = 0; run < RUNS; run++) {
    const em = await startEmulator({ seed: seed(total, { linked }), faults: { latencyMs: LATENCY } });
    // The call log's `at` counts from the emulator's start; this maps it onto our clock.
    const emulatorStart = performance.now();
    const dir = workspace({ 'm.yaml': manifest(declared, { strategyFor }) });
    const spawned = performance.now();
    const result = await runCli([...command, 'm.yaml', '--parallelism', String(PARALLELISM)], { cwd: dir, env: { QUALYTICS_URL: em.url, QUALYTICS_TOKEN: TOKEN } });
    if (result.code !== 0 && result.code !== 2) throw new Error(`${label}: exit ${result.code}\n${result.stderr}`);
    const calls = em.calls();
    times.push(result.ms);
    // A call is logged when it is answered, so the first request left about one latency earlier.
    beforeFirst.push(emulatorStart + calls[0].at - LATENCY - spawned);
    network.push(calls.at(-1).at - calls[0].at + LATENCY);
    requests = calls.length;
    writes = calls.filter((c) => c.method !== 'GET').length;
    await em.close();
  }
  return { label, median: median(times), beforeFirst: median(beforeFirst), network: median(network), requests, writes, boundTrips, minRequests };
}

const startup = await startupMs();
const pagesOf = (n) => Math.ceil(n / PAGE);
const trips = (requests) => Math.ceil(requests / PARALLELISM);

const results = [];
// Every plan asks page 1 of the source listing and page 1 of the enrichment listing together (one
// round trip), then decides per kind between the rest of the listing and one look-up per name.
// 2,000 of 2,000: the source listing (20 pages: page 1, then 19 concurrently) beats 2,000 look-ups;
// the one enrichment datastore is on the enrichment listing's page 1.
{
  const total = 2000;
  const pages = pagesOf(total);
  results.push(await measure('plan 2,000 of 2,000', {
    total, declared: Array.from({ length: total }, (_, i) => i + 1), command: ['plan', '--detailed-exitcode'],
    boundTrips: 1 + trips(pages - 1), minRequests: pages + 1,
  }));
}
// 20 of 20,000: 20 name look-ups beat 199 more source pages.
{
  const total = 20_000;
  const declared = Array.from({ length: 20 }, (_, i) => 1 + i * 997);
  results.push(await measure('plan 20 of 20,000', {
    total, declared, command: ['plan', '--detailed-exitcode'],
    boundTrips: 1 + trips(declared.length), minRequests: 2 + declared.length,
  }));
}
// apply: 200 changes among 2,000 declared (1,800 already linked; 200 to link).
{
  const total = 2000;
  const pages = pagesOf(total);
  results.push(await measure('apply 200 changes of 2,000', {
    total, declared: Array.from({ length: total }, (_, i) => i + 1), linked: 1800, command: ['apply', '--auto-approve'],
    boundTrips: 1 + trips(pages - 1) + trips(200), minRequests: pages + 1 + 200,
  }));
}

console.log(`plan/apply benchmark: emulator latency ${LATENCY} ms per request, parallelism ${PARALLELISM}, ${RUNS} runs each, median wall time of the whole process`);
console.log(`process start-up (enrichctl --version, median): ${fmt(startup)}`);
for (const r of results) {
  const trips = r.boundTrips * LATENCY;
  const bound = startup + trips;
  const ratio = r.median / bound;
  const ok = ratio <= 1.5 && r.requests <= r.minRequests;
  console.log(`${r.label}:`);
  console.log(`  wall ${fmt(r.median)}; bound ${fmt(bound)} = start-up ${fmt(startup)} + ${r.boundTrips} round trips x ${LATENCY} ms; ratio ${ratio.toFixed(2)} (target <= 1.5: ${ok ? 'met' : 'MISSED'})`);
  console.log(`  requests ${r.requests} (${r.writes} writes); the cheaper strategy needs ${r.minRequests}: ${r.requests <= r.minRequests ? 'no extra request' : 'EXTRA REQUESTS'}`);
  console.log(`  where the time goes: ${fmt(r.beforeFirst)} before the first request (start-up, reading and checking the manifests), ` +
    `${fmt(r.network)} from the first request to the last answer (${(r.network / trips).toFixed(2)}x its ${r.boundTrips} round trips), ` +
    `${fmt(Math.max(0, r.median - r.beforeFirst - r.network))} after (diff, rendering, exit)`);
}
