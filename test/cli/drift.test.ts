/** Drift detection end to end against the emulator: --fail-on-unmanaged, --report, show. */
import { closeSync, ftruncateSync, openSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- the parser ships no types.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { manifest, run, workspace } from '../helpers/cli.js';
import { ADMIN_TOKEN, world } from './world.js';

let em: RunningEmulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});
async function emulator(): Promise<RunningEmulator> {
  em = await startEmulator({ seed: world(), listItemsCarryEnrichment: true, nameFilter: 'exact' });
  return em;
}
const env = (e: RunningEmulator): NodeJS.ProcessEnv => ({ QUALYTICS_URL: e.url, QUALYTICS_TOKEN: ADMIN_TOKEN });
const SAME = manifest('  - datastore: Inventory\n    enrichment_prefix: _inventory\n');
const DRIFT = manifest('  - datastore: Orders\n    enrichment_datastore: Warehouse Enrichment\n  - datastore: Inventory\n    enrichment_prefix: inventory_v2\n');

describe('plan --fail-on-unmanaged', () => {
  it('counts unmanaged datastores as drift for --detailed-exitcode; without it they do not change the exit code', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': SAME });
    expect((await run(['plan', 'm.yaml', '--report-unmanaged', '--detailed-exitcode'], { cwd: dir, env: env(e) })).code).toBe(0);
    const failing = await run(['plan', 'm.yaml', '--fail-on-unmanaged', '--detailed-exitcode'], { cwd: dir, env: env(e) });
    expect(failing.code).toBe(2);
    expect(failing.stdout).toContain('Unmanaged: 3 datastores');
    expect((await run(['plan', 'm.yaml', '--fail-on-unmanaged'], { cwd: dir, env: env(e) })).code).toBe(0);
  });
});

describe('--report FORMAT=FILE', () => {
  it('writes four formats from one plan run, with one read of the live state', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': DRIFT });
    const plain = await run(['plan', 'm.yaml', '--report-unmanaged'], { cwd: dir, env: env(e) });
    const plainCalls = e.calls().length;
    const r = await run(['plan', 'm.yaml', '--report-unmanaged', '--detailed-exitcode',
      '--report', 'markdown=plan.md', '--report', 'sarif=plan.sarif', '--report', 'prometheus=enrichctl.prom', '--report', 'junit=junit.xml'], { cwd: dir, env: env(e) });
    expect(r.code).toBe(2);
    expect(e.calls().length - plainCalls).toBe(plainCalls);
    expect(r.stdout).toBe(plain.stdout);
    expect(readFileSync(join(dir, 'plan.md'), 'utf8')).toContain('<!-- enrichctl-plan -->');
    const sarif = JSON.parse(readFileSync(join(dir, 'plan.sarif'), 'utf8')) as { runs: Array<{ results: Array<{ ruleId: string }> }> };
    expect(sarif.runs[0]!.results.map((x) => x.ruleId)).toContain('enrichment_datastore');
    const metrics = (parsePrometheusTextFormat(readFileSync(join(dir, 'enrichctl.prom'), 'utf8')) as Array<{ name: string; metrics: Array<{ value: string }> }>)
      .map((f) => [f.name, f.metrics[0]!.value]);
    expect(Object.fromEntries(metrics)).toMatchObject({ enrichctl_plan_success: '1', enrichctl_drift_datastores: '2', enrichctl_unmanaged_datastores: '3', enrichctl_declared_datastores: '2' });
    // 2 declared datastores that drifted, and the 3 unmanaged ones.
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('tests="5" failures="5"');
    expect(statSync(join(dir, 'enrichctl.prom')).mode & 0o777).toBe(0o644);
  });

  it('a failed run still writes what it can: Prometheus with success 0, SARIF with the errors', async () => {
    const dir = await workspace({ 'm.yaml': manifest('  - datastore: Ghost\n    enrichment_prefix: x\n') });
    const e = await emulator();
    const r = await run(['plan', 'm.yaml', '--report', 'prometheus=m.prom', '--report', 'sarif=m.sarif', '--report', 'markdown=m.md'], { cwd: dir, env: env(e) });
    expect(r.code).toBe(1);
    expect(readFileSync(join(dir, 'm.prom'), 'utf8')).toContain('enrichctl_plan_success 0\n');
    expect(readFileSync(join(dir, 'm.sarif'), 'utf8')).toContain('"level": "error"');
    expect(r.stderr).toContain('note: no markdown report written to m.md');
    const down = await run(['plan', 'm.yaml', '--report', 'prometheus=down.prom'], { cwd: dir, env: { QUALYTICS_URL: 'http://127.0.0.1:9', QUALYTICS_TOKEN: ADMIN_TOKEN } });
    expect(down.code).toBe(1);
    expect(readFileSync(join(dir, 'down.prom'), 'utf8')).toContain('enrichctl_plan_success 0\n');
  });

  it('refuses an unknown format, a missing file, a file in no folder or a format the command does not write, before any request', async () => {
    const dir = await workspace({ 'm.yaml': SAME });
    const refuse = async (argv: string[], message: string): Promise<void> => {
      const r = await run(argv, { cwd: dir, env: { QUALYTICS_URL: 'http://127.0.0.1:9', QUALYTICS_TOKEN: ADMIN_TOKEN } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toContain('GET');
    };
    await refuse(['plan', 'm.yaml', '--report', 'pdf=x.pdf'], 'unknown format "pdf"');
    await refuse(['plan', 'm.yaml', '--report', 'sarif'], 'give the file to write, as --report sarif=FILE');
    await refuse(['validate', 'm.yaml', '--report', 'junit=j.xml'], 'validate does not write junit');
    await refuse(['apply', 'm.yaml', '--report', 'prometheus=x.prom'], 'apply does not write prometheus');
    // Found after the plan was shown, before: the nightly job's work done, then exit 1.
    await refuse(['plan', 'm.yaml', '--report', 'prometheus=nodir/x.prom'], 'error: --report prometheus=nodir/x.prom: the directory nodir does not exist; create it first\n');
    await refuse(['apply', 'm.yaml', '--report', 'json=.'], 'error: --report json=. is a directory; give a file name, e.g. --report json=report.json\n');
  });

  it('validate and apply write their reports too', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': DRIFT });
    const v = await run(['validate', 'm.yaml', '--report', 'sarif=v.sarif', '--report', 'github=v.txt'], { cwd: dir });
    expect(v.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'v.sarif'), 'utf8'))).toMatchObject({ version: '2.1.0' });
    const a = await run(['apply', 'm.yaml', '--auto-approve', '--report', 'json=apply.json'], { cwd: dir, env: env(e) });
    expect(a.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'apply.json'), 'utf8'))).toMatchObject({ format_version: 1, summary: { applied: 2 } });
  });
});

describe('show PLAN_FILE', () => {
  it('renders a saved plan with no network, no token and no manifests', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': DRIFT });
    const planned = await run(['plan', 'm.yaml', '--out', 'plan.json'], { cwd: dir, env: env(e) });
    expect(planned.code).toBe(0);
    const offline = { cwd: join(dir), env: { QUALYTICS_URL: 'http://127.0.0.1:9' } };
    const text = await run(['show', 'plan.json', '--no-color'], offline);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(planned.stdout.replace(/\nSaved the plan to .*\n$/, '\n'));
    const sarif = await run(['show', 'plan.json', '--format', 'sarif', '--report', 'github=a.txt', '--report', 'markdown=p.md'], offline);
    expect(sarif.code).toBe(0);
    const doc = JSON.parse(sarif.stdout) as { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }> };
    expect(doc.runs[0]!.results.map((r) => [r.ruleId, r.locations[0]!.physicalLocation.artifactLocation.uri, r.locations[0]!.physicalLocation.region.startLine]))
      .toStrictEqual([['enrichment_prefix', 'm.yaml', 6], ['enrichment_datastore', 'm.yaml', 4]]);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toContain('::warning file=m.yaml,line=4,col=27');
    const junit = await run(['show', 'plan.json', '--format', 'junit'], offline);
    expect(junit.code).toBe(1);
  });

  it('shows the texts of an edited plan file (a warning, where a datastore is declared), never obeys them: no escape sequence, no forged workflow command line', async () => {
    const e = await emulator();
    const dir = await workspace({ 'm.yaml': DRIFT });
    expect((await run(['plan', 'm.yaml', '--out', 'plan.json'], { cwd: dir, env: env(e) })).code).toBe(0);
    const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { changes: Array<{ declared_at: { file: string } }>; warnings?: unknown[] };
    const forged = '\u001b[2J\n::error file=x::forged';
    for (const c of plan.changes) c.declared_at.file = `m.yaml${forged}`;
    plan.warnings = [{ message: `look${forged}`, code: 'x', file: `w.yaml${forged}` }];
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
    const r = await run(['show', 'plan.json', '--no-color'], { cwd: dir, env: {} });
    expect(r.code, r.stderr).toBe(0);
    const out = `${r.stdout}${r.stderr}`;
    expect(out).not.toContain('\u001b');
    expect(out.split('\n').filter((l) => l.startsWith('::'))).toStrictEqual([]);
    expect(out).toContain('\\u001b[2J\\n::error file=x::forged');
  });

  it('refuses a file that is not a saved plan, without a stack trace', async () => {
    const dir = await workspace({ 'm.yaml': SAME });
    const r = await run(['show', 'm.yaml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a saved plan');
    // A file far larger than any plan is not read (a sparse file: no disk used).
    const huge = openSync(join(dir, 'huge.json'), 'w');
    ftruncateSync(huge, 600 * 2 ** 20);
    closeSync(huge);
    const big = await run(['show', 'huge.json'], { cwd: dir });
    expect({ code: big.code, stderr: big.stderr }).toStrictEqual({ code: 1, stderr: 'error: cannot read the saved plan huge.json: it is larger than 512 MB, far more than plan writes (~1.4 KB a datastore); create one with `enrichctl plan --out plan.json`\n' });
  });
});
