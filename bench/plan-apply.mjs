// plan and apply against the emulator with 20 ms latency per request, parallelism 10 (issue 14).
//
// The bound a run is compared with: a bare `node -e 0` (measured in the same run, interleaved with
// the plans) plus the fewest sequential round trips the work needs at that parallelism, times the
// latency; target: at most 2.0x, with the fewest requests. Each run also says where the time goes,
// on one clock (the emulator runs in this process; its call log counts from its `startedAt`):
// before the first request arrived, from then to the last answer, and after it until the exit.
import { startEmulator } from '../dist/emulator/index.js';
import { linkManifest, linkSeed, RUNS, runBareNode, runCli, show, stats, target, TOKEN, workspace } from './lib.mjs';

const LATENCY = 20;
const PARALLELISM = 10;
const LIMIT = 2.0;
const PAGE = 100;

async function measure(label, { total, declared, linked, command, boundTrips, minRequests }) {
  const dir = workspace({ 'm.yaml': linkManifest(declared) });
  const args = [...command, 'm.yaml', '--parallelism', String(PARALLELISM)];
  const run = { wall: [], bare: [], before: [], network: [], after: [], requests: [], writes: [], uncached: [] };
  const seed = linkSeed(total, { linked });

  /** One run against its own emulator (every apply makes the same changes): the CLI's result and the calls the emulator saw. */
  async function once(env = {}) {
    const em = await startEmulator({ seed, faults: { latencyMs: LATENCY } });
    // The previous run's emulator is garbage: collected now, not while this run's requests arrive
    // (bench/run.mjs gives --expose-gc; a 20,000-datastore model paused the emulator mid-run).
    globalThis.gc?.();
    try {
      const result = await runCli(args, { cwd: dir, env: { QUALYTICS_URL: em.url, QUALYTICS_TOKEN: TOKEN, ...env } });
      if (result.code !== 0 && result.code !== 2) throw new Error(`${label}: exit ${result.code}\n${result.stderr}`);
      return { result, calls: em.calls(), startedAt: em.startedAt };
    } finally {
      await em.close();
    }
  }

  // The first run writes the code cache (HOME is the workspace), as a user's first run does; each
  // round also runs once with ENRICHCTL_CACHE_DIR=off, which is what a first run costs.
  await once();
  for (let i = 0; i < RUNS; i++) {
    run.uncached.push((await once({ ENRICHCTL_CACHE_DIR: 'off' })).result.ms);
    run.bare.push((await runBareNode()).ms);
    const { result, calls, startedAt } = await once();
    // On one clock: the spawn, each request's arrival (`received`) and answer (`at`), the exit.
    const firstArrival = startedAt + Math.min(...calls.map((c) => c.received));
    const lastAnswer = startedAt + Math.max(...calls.map((c) => c.at));
    run.wall.push(result.ms);
    run.before.push(firstArrival - result.spawned);
    run.network.push(lastAnswer - firstArrival);
    run.after.push(result.spawned + result.ms - lastAnswer);
    run.requests.push(calls.length);
    run.writes.push(calls.filter((c) => c.method !== 'GET').length);
  }
  return { label, run, boundTrips, minRequests };
}

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

console.log(`plan/apply: emulator latency ${LATENCY} ms per request, parallelism ${PARALLELISM}, ${RUNS} runs each (a bare node before each), whole process wall time`);
for (const r of results) {
  const bare = stats(r.run.bare);
  const network = r.boundTrips * LATENCY;
  const requests = stats(r.run.requests);
  const writes = stats(r.run.writes);
  target({
    label: r.label,
    measured: stats(r.run.wall),
    bound: { value: bare.median + network, text: `${(bare.median + network).toFixed(0)} ms = bare node ${bare.median.toFixed(0)} ms + ${r.boundTrips} round trips x ${LATENCY} ms` },
    limit: LIMIT,
    extra: [{ text: `requests ${requests.max} (${writes.max} writes), fewest ${r.minRequests}`, ok: requests.max <= r.minRequests }],
  });
  console.log(`      bare node ${show(bare)}; where the time goes: before the first request ${show(stats(r.run.before))}; ` +
    `first request to last answer ${show(stats(r.run.network))} (its ${r.boundTrips} round trips: ${network} ms); after ${show(stats(r.run.after))}; ` +
    `without the code cache ${show(stats(r.run.uncached))}`);
}
