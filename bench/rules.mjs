// Rules against explicit entries (issue #13): a plan of 20,000 source datastores declared by 50 rules,
// against the same plan declared by 20,000 explicit entries. Both manifests give the same desired
// state (checked: the two JSON plans make the same changes), against the same emulator seed, whose
// datastores carry a type and tags so that the rules match realistically (type + tag, some with a
// name glob; the datastores no rule matches are left out of the entries too). The seed is already
// converged but for 1 datastore in 100 (a drifted threshold): a scheduled drift check.
//
// Reported, each as the median and range (min-max) over BENCH_RUNS runs, the two variants interleaved:
//   - the whole CLI process (`plan --detailed-exitcode`), at 0 ms emulator latency (BENCH_LATENCIES=0,20
//     adds 20 ms; each latency is one emulator and 2 x (BENCH_RUNS + 1) plans of ~3.5 s);
//   - the pure part, in a fresh process per run (cold, as the CLI runs it): loadManifests, observe
//     (network), expandRules, matchedSources (planning.ts calls it once), diffState (expansion included).
// Target: rules cost at most 10% more than entries (ratio of medians <= 1.10).
// Run after a build: `npm run build && node bench/rules.mjs`.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expandPrefixTemplate } from '../dist/core/prefix.js';
import { RUNS, runCli, show, spawnTimed, stats, TOKEN, workspace } from './lib.mjs';

const LATENCIES = (process.env.BENCH_LATENCIES ?? '0').split(',').map(Number);
const TARGET = 1.1;
const TOTAL = 20_000;
const PARALLELISM = 10;

const TYPES = ['snowflake', 'postgresql', 'bigquery', 'databricks', 'redshift'];
const TEAMS = ['sales', 'marketing', 'finance', 'hr', 'ops', 'support', 'product', 'risk', 'legal', 'growth'];
const REGIONS = ['eu', 'us', 'apac'];
const ENRICHMENT_BASE = 900_001;

/** Datastore i (1-based): a type, a team tag (and `pii` on one in three), a region in its name. */
function datastore(i) {
  const type = TYPES[i % TYPES.length];
  const team = TEAMS[Math.floor(i / TYPES.length) % TEAMS.length];
  const region = REGIONS[Math.floor(i / 50) % REGIONS.length];
  return { id: i, name: `${team}_${type}_${region}_${String(i).padStart(5, '0')}`, type, tags: i % 3 === 0 ? [team, 'pii'] : [team] };
}

/** 50 rules, one per (type, team); the snowflake ones only for eu and us names (apac is someone else's). */
const RULES = TYPES.flatMap((type, t) => TEAMS.map((team, k) => ({
  type,
  team,
  names: type === 'snowflake' ? ['*_eu_*', '*_us_*'] : undefined,
  link: `Enrichment ${team}`,
  prefix: `${type} {name}`,
  strategy: (t + k) % 3 === 0 ? 'append' : 'none',
  threshold: 10 + t * 10 + k,
})));

const globRe = (globs) => new RegExp(`^(?:${globs.map((g) => [...g].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('')).join('|')})$`);
const RULE_RES = RULES.map((r) => (r.names ? globRe(r.names) : undefined));

/** The rule that matches a datastore (at most one does, by construction), or undefined. */
function ruleOf(d) {
  const i = RULES.findIndex((r, n) => r.type === d.type && d.tags.includes(r.team) && (!RULE_RES[n] || RULE_RES[n].test(d.name)));
  return i < 0 ? undefined : RULES[i];
}

const DATASTORES = Array.from({ length: TOTAL }, (_, i) => datastore(i + 1));
const MATCHED = DATASTORES.map((d) => ({ d, r: ruleOf(d) })).filter((x) => x.r);
const LIMIT = 100; // both manifests' `defaults`

function seed() {
  const enrichment = TEAMS.map((team, k) => ({ id: ENRICHMENT_BASE + k, name: `Enrichment ${team}`, enrichment_only: true }));
  const linkId = (name) => enrichment.find((e) => e.name === name).id;
  return {
    users: [{ name: 'Bench', role: 'Admin', token: TOKEN }],
    datastores: [
      ...DATASTORES.map((d) => {
        const r = ruleOf(d);
        if (!r) return d;
        return {
          ...d,
          enrich_datastore: linkId(r.link),
          enrichment_prefix: expandPrefixTemplate(r.prefix, d),
          enrichment_source_record_limit: LIMIT,
          enrichment_remediation_strategy: r.strategy,
          high_count_rollup_threshold: d.id % 100 === 0 ? 999 : r.threshold, // 1 in 100 drifted
        };
      }),
      ...enrichment,
    ],
  };
}

function rulesManifest() {
  const lines = ['version: 1', 'defaults:', `  enrichment_source_record_limit: ${LIMIT}`, 'rules:'];
  for (const r of RULES) {
    lines.push('  - match:', `      type: ${r.type}`, `      tag: ${r.team}`);
    if (r.names) lines.push(`      name: [${r.names.map((n) => JSON.stringify(n)).join(', ')}]`);
    lines.push(`    enrichment_datastore: ${r.link}`, `    enrichment_prefix: "${r.prefix}"`,
      `    enrichment_remediation_strategy: ${r.strategy}`, `    high_count_rollup_threshold: ${r.threshold}`);
  }
  return `${lines.join('\n')}\n`;
}

function entriesManifest() {
  const lines = ['version: 1', 'defaults:', `  enrichment_source_record_limit: ${LIMIT}`, 'datastores:'];
  for (const { d, r } of MATCHED) {
    lines.push(`  - datastore: ${d.name}`, `    enrichment_datastore: ${r.link}`, `    enrichment_prefix: ${expandPrefixTemplate(r.prefix, d)}`,
      `    enrichment_remediation_strategy: ${r.strategy}`, `    high_count_rollup_threshold: ${r.threshold}`);
  }
  return `${lines.join('\n')}\n`;
}

// The pure part, cold, in this file run as a child: node bench/rules.mjs --child URL MANIFEST
if (process.argv[2] === '--child') {
  const [url, file] = process.argv.slice(3);
  const { loadManifests } = await import('../dist/manifest/load.js');
  const { QualyticsClient } = await import('../dist/api/client.js');
  const { observe } = await import('../dist/api/observe.js');
  const { expandRules, matchedSources } = await import('../dist/plan/rules.js');
  const { diffState } = await import('../dist/plan/diff.js');
  const t = {};
  let started = performance.now();
  const load = loadManifests([file], process.cwd());
  t.load = performance.now() - started;
  const { datastores, rules } = load.state;
  const client = new QualyticsClient({ baseUrl: url, token: TOKEN, maxInFlight: PARALLELISM });
  started = performance.now();
  const { observation } = await observe(client, {
    sources: datastores.map((d) => d.ref),
    targets: [...datastores, ...rules].flatMap((d) => (d.link.kind === 'ref' ? [d.link.ref] : [])),
    rules: rules.map((r) => ({ ...(r.match.tags ? { tags: r.match.tags } : {}), ...(r.match.types ? { types: r.match.types } : {}) })),
  });
  t.observe = performance.now() - started;
  await client.close();
  started = performance.now();
  const expansion = expandRules(datastores, rules, observation);
  t.expand = performance.now() - started;
  started = performance.now();
  matchedSources(rules, observation);
  t.matched = performance.now() - started;
  started = performance.now();
  const result = diffState(datastores, observation, { base_url: url, manifest_digest: 'sha256:x', manifest_paths: [file] }, [], rules);
  t.diff = performance.now() - started;
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics.slice(0, 3)));
  process.stdout.write(JSON.stringify({ t, declared: expansion.datastores.length, changes: result.plan.changes.length }));
  process.exit(0);
}

const { startEmulator } = await import('../dist/emulator/index.js');
const self = fileURLToPath(import.meta.url);
const dir = workspace({ 'rules.yaml': rulesManifest(), 'entries.yaml': entriesManifest() });
const VARIANTS = [
  { key: 'rules', label: `${RULES.length} rules`, file: 'rules.yaml' },
  { key: 'entries', label: `${MATCHED.length.toLocaleString('en-US')} entries`, file: 'entries.yaml' },
];

const ratioLine = (r, e) => {
  const ratio = r.median / e.median;
  return `ratio rules/entries ${ratio.toFixed(2)} (target <= ${TARGET.toFixed(2)}: ${ratio <= TARGET ? 'met' : 'MISSED'})`;
};

/** The two plans must make the same changes: same datastores, before, after and operations. */
async function checkSamePlan(url) {
  const env = { QUALYTICS_URL: url, QUALYTICS_TOKEN: TOKEN };
  const docs = [];
  for (const v of VARIANTS) {
    const r = await runCli(['plan', v.file, '--format', 'json'], { cwd: dir, env });
    if (r.code !== 0) throw new Error(`${v.label}: plan exited ${r.code}\n${r.stderr}`);
    docs.push(JSON.parse(r.stdout).changes.map((c) => JSON.stringify([c.datastore, c.before, c.after, c.operations])));
  }
  if (docs[0].length !== docs[1].length || docs[0].some((c, i) => c !== docs[1][i])) throw new Error('the rules and the entries do not make the same plan');
  return docs[0].length;
}

console.log(`rules benchmark: ${TOTAL.toLocaleString('en-US')} source datastores (${TYPES.length} types, ${TEAMS.length} team tags, a third also tagged pii); ` +
  `${RULES.length} rules (type + tag, ${RULES.filter((r) => r.names).length} with a name glob) match ${MATCHED.length.toLocaleString('en-US')} of them; ` +
  `the other manifest declares those ${MATCHED.length.toLocaleString('en-US')} as entries. ${RUNS} runs each, interleaved, parallelism ${PARALLELISM}.`);

for (const latency of LATENCIES) {
  const em = await startEmulator({ seed: seed(), faults: { latencyMs: latency } });
  try {
    const changes = latency === LATENCIES[0] ? await checkSamePlan(em.url) : undefined;
    if (changes !== undefined) console.log(`same desired state: both plans make the same ${changes} changes (JSON plans compared)`);
    const env = { QUALYTICS_URL: em.url, QUALYTICS_TOKEN: TOKEN };
    const times = { rules: [], entries: [] };
    const requests = {};
    await runCli(['plan', 'rules.yaml'], { cwd: dir, env }); // warm the emulator and the file cache
    for (let run = 0; run < RUNS; run++) {
      for (const v of VARIANTS) {
        em.clearCalls();
        const r = await runCli(['plan', v.file, '--detailed-exitcode', '--parallelism', String(PARALLELISM)], { cwd: dir, env });
        if (r.code !== 2) throw new Error(`${v.label}: plan exited ${r.code}, expected 2 (drift)\n${r.stderr}`);
        times[v.key].push(r.ms);
        requests[v.key] = em.calls().length;
      }
    }
    const r = stats(times.rules);
    const e = stats(times.entries);
    console.log(`whole CLI process, enrichctl plan --detailed-exitcode, emulator latency ${latency} ms:`);
    for (const v of VARIANTS) console.log(`  ${v.label.padEnd(15)} ${show(stats(times[v.key]))}, ${requests[v.key]} requests`);
    console.log(`  ${ratioLine(r, e)}`);

    if (latency !== 0) continue;
    // The pure part, each run a fresh process (cold, as in the CLI).
    const parts = { rules: [], entries: [] };
    let shape = {};
    for (let run = 0; run < RUNS; run++) {
      for (const v of VARIANTS) {
        // Not spawnSync: the emulator answering the child lives in this process's event loop.
        const child = await spawnTimed([self, '--child', em.url, v.file], { cwd: dir });
        if (child.code !== 0) throw new Error(`${v.label}: ${child.stderr}`);
        const out = JSON.parse(child.stdout);
        parts[v.key].push(out.t);
        shape[v.key] = out;
      }
    }
    console.log('in-process, cold (a fresh process per run), latency 0 ms:');
    for (const v of VARIANTS) {
      const of = (k) => stats(parts[v.key].map((t) => t[k]));
      console.log(`  ${v.label} (${shape[v.key].declared} declared, ${shape[v.key].changes} changes):`);
      console.log(`    loadManifests        ${show(of('load'))}`);
      console.log(`    observe (network)    ${show(of('observe'))}`);
      console.log(`    expandRules          ${show(of('expand'))}`);
      console.log(`    matchedSources       ${show(of('matched'))}`);
      console.log(`    diffState (+expand)  ${show(of('diff'))}`);
    }
    const pure = (key) => stats(parts[key].map((t) => t.load + t.matched + t.diff));
    console.log(`  pure total (load + matchedSources + diffState): rules ${show(pure('rules'))}; entries ${show(pure('entries'))}; ${ratioLine(pure('rules'), pure('entries'))}`);
  } finally {
    await em.close();
  }
}
rmSync(dir, { recursive: true, force: true });
