#!/usr/bin/env node
// Validating a 10,000-datastore manifest: median wall time and peak memory, through the CLI's path
// (`loadManifests` then the text renderer), timed inside the process, and the whole CLI process too
// (scale.mjs has issue 14's 100,000). Run after a build: `npm run build && node bench/validate.mjs`.
// Each measured run is a fresh process so that peak RSS is that of one validation, not of several.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, RUNS, show, stats, target, validateEntries } from './lib.mjs';

const COUNT = 10_000;
const TARGET_MS = 1000;
const TARGET_MB = 200;

if (process.argv[2] === '--child') {
  const { loadManifests } = await import('../dist/manifest/load.js');
  const { renderDiagnosticsText } = await import('../dist/render/diagnostics.js');
  const started = performance.now();
  const load = loadManifests([process.argv[3]], process.cwd());
  renderDiagnosticsText(load.diagnostics, { sources: load.sources, colour: false });
  const ms = performance.now() - started;
  const errors = load.diagnostics.filter((d) => d.severity === 'error').length;
  process.stdout.write(JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024, datastores: load.state?.datastores.length ?? 0, errors }));
  process.exit(0);
}

/** The entries of `validateEntries` under defaults for the settings they leave out. */
function manifest(kind) {
  const lines = ['version: 1', 'defaults:', '  enrichment_source_record_limit: 100', '  high_count_rollup_threshold: 10', 'datastores:'];
  lines.push(...validateEntries(0, COUNT, { full: kind === 'full', name: (i) => `Source datastore ${i}` }));
  return `${lines.join('\n')}\n`;
}

const self = fileURLToPath(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'enrichctl-bench-'));
try {
  for (const kind of ['typical', 'full']) {
    const file = join(dir, `${kind}.yaml`);
    writeFileSync(file, manifest(kind));
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const child = spawnSync(process.execPath, [self, '--child', file], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`run failed: ${child.stderr}`);
      runs.push(JSON.parse(child.stdout));
    }
    const first = runs[0];
    if (first.datastores !== COUNT || first.errors !== 0) throw new Error(`expected ${COUNT} valid datastores, got ${JSON.stringify(first)}`);
    const size = (statSync(file).size / (1024 * 1024)).toFixed(1);
    // The whole CLI as a user runs it: Node start-up, module loading, validation, output.
    const cli = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const run = spawnSync(process.execPath, [BIN, 'validate', '--format', 'json', file], { encoding: 'utf8' });
      cli.push(performance.now() - started);
      if (run.status !== 0) throw new Error(`enrichctl validate failed: ${run.stdout}${run.stderr}`);
    }
    console.log(`${kind} ${COUNT.toLocaleString('en-US')} datastores (${size} MB of YAML), ${RUNS} runs; whole CLI process (enrichctl validate --format json) ${show(stats(cli))}; in-process:`);
    target({ label: `${kind} 10,000: loadManifests + render`, measured: stats(runs.map((r) => r.ms)), limit: TARGET_MS });
    target({ label: `${kind} 10,000: peak RSS`, measured: stats(runs.map((r) => r.rssMb)), unit: 'MB', limit: TARGET_MB });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
