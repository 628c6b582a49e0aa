/**
 * The GitHub Action (action.yml): its structure as GitHub reads it, then its steps run as the runner
 * runs them (test/helpers/action.ts) with bin/enrichctl.cjs, against the real emulator over loopback.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Seed } from '../../src/core/seed-types.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { COMMENT_MARKER } from '../../src/render/plan-markdown.js';
import { actionArgv, evaluate, loadAction, parseOutputFile, REPO, runAction, type ActionResult } from '../helpers/action.js';
import { workspace } from '../helpers/cli.js';

const TOKEN = 'action-admin-secret-5e71c9d2';

const seed = (): Seed => ({
  users: [{ name: 'Ada Admin', role: 'Admin', token: TOKEN }],
  datastores: [
    { id: 1, name: 'Sales EU', enrichment_source_record_limit: 100 },
    { id: 2, name: 'Orders', enrichment_source_record_limit: 100 },
    { id: 100, name: 'Warehouse Enrichment', enrichment_only: true },
  ],
});

const manifest = (limits: Record<string, number>): string =>
  `version: 1\ndatastores:\n${Object.entries(limits).map(([name, limit]) => `  - datastore: ${name}\n    enrichment_source_record_limit: ${limit}\n`).join('')}`;
const UNCHANGED = manifest({ 'Sales EU': 100, Orders: 100 });
const CHANGED = manifest({ 'Sales EU': 500, Orders: 700 });

let em: RunningEmulator;
beforeEach(async () => {
  em = await startEmulator({ seed: seed() });
});
afterEach(async () => {
  await em.close();
});
const connection = (token = TOKEN): Record<string, string> => ({ QUALYTICS_URL: em.url, QUALYTICS_TOKEN: token });
/** The writes the emulator received, sorted (datastores are applied in parallel). */
const writes = (): string[] => em.calls().filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path}`).sort();

/** The token is in no output, output file, job summary or file the action left behind. */
async function expectNoToken(r: ActionResult, token = TOKEN, files: string[] = []): Promise<void> {
  for (const [what, text] of [['stdout', r.stdout], ['stderr', r.stderr], ['summary', r.summary], ['GITHUB_OUTPUT', r.outputFiles]] as const) {
    expect(text, what).not.toContain(token);
  }
  for (const file of files) expect(await readFile(file, 'utf8'), file).not.toContain(token);
}

/** The action's arguments with its temporary directory named `<tmp>`. */
function argvOf(r: ActionResult): string[][] {
  return r.argv.map((args) => args.map((a) => a.replace(new RegExp(`${r.runnerTemp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/enrichctl-action\\.\\w+`), '<tmp>')));
}

describe('action.yml', () => {
  const { text, action } = loadAction();
  const steps = action.runs.steps;

  it('is a composite action whose every step runs bash, with its inputs only in env:, never in a script', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.name).toBeTruthy();
    expect(action.description).toBeTruthy();
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      expect(typeof step.run, step.name).toBe('string');
      expect(step.shell, `${step.name}: a run step needs shell`).toBe('bash');
      expect(step.run, `${step.name}: no expression inside a script (injection)`).not.toContain('${{');
      expect(step.run).not.toMatch(/\binputs\./);
      for (const [name, value] of Object.entries(step.env ?? {})) {
        expect(String(value), `${step.name}: env ${name}`).toMatch(/^\$\{\{ inputs\.[\w-]+ \}\}$/);
      }
    }
    // Expressions appear only where the runner evaluates them before the script runs.
    const allowed = steps.flatMap((s) => [...Object.values(s.env ?? {}), s['working-directory'] ?? '']).concat(Object.values(action.outputs).map((o) => o.value));
    const expressions = text.split('\n').filter((l) => l.includes('${{') && !l.trimStart().startsWith('#'));
    for (const line of expressions) expect(allowed.some((v) => v !== '' && line.includes(v)), line).toBe(true);
  });

  it('declares every input it reads and reads every input it declares, each described', () => {
    const used = new Set([...text.matchAll(/\$\{\{ inputs\.([\w-]+) \}\}/g)].map((m) => m[1]!));
    expect([...used].sort()).toStrictEqual(Object.keys(action.inputs).sort());
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description, name).toBeTruthy();
      if (!input.required) expect(typeof input.default, `${name}: a string default`).toBe('string');
    }
    expect(action.inputs.command?.required).toBe(true);
  });

  it('maps each output to an output its step writes', () => {
    expect(Object.keys(action.outputs).sort()).toStrictEqual(['exitcode', 'has-changes']);
    for (const [name, output] of Object.entries(action.outputs)) {
      expect(output.description, name).toBeTruthy();
      const m = /^\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}$/.exec(output.value);
      expect(m, `${name}: ${output.value}`).not.toBeNull();
      const step = steps.find((s) => s.id === m![1]);
      expect(step?.run, `step ${m![1]}`).toContain(`echo "${m![2]}=`);
      expect(step?.run).toContain('>> "$GITHUB_OUTPUT"');
    }
  });

  it('checks for the Node version package.json asks for', () => {
    const engines = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const required = /^\s*required=(\S+)$/m.exec(steps[0]!.run!)?.[1];
    expect(engines).toBe(`>=${required}`);
  });

  it('the evaluator knows inputs, github.action_path and step outputs, and refuses anything else', () => {
    const ctx = { inputs: { command: 'plan' }, actionPath: '/a', steps: { run: { outputs: { exitcode: '2' } } } };
    expect(evaluate('${{ inputs.command }} in ${{github.action_path}}: ${{ steps.run.outputs.exitcode }}', ctx)).toBe('plan in /a: 2');
    for (const bad of ['${{ inputs.nope }}', '${{ github.event.issue.title }}', "${{ inputs.command || 'x' }}", '${{ secrets.X }}', '${{ format(inputs.command) }}']) {
      expect(() => evaluate(bad, ctx), bad).toThrow();
    }
    expect(parseOutputFile('a=1\nb<<EOF\nx\ny=z\nEOF\nc=\n')).toStrictEqual({ a: '1', b: 'x\ny=z', c: '' });
  });
});

describe('the action run as GitHub runs it, against the emulator', () => {
  it('validate: exit 0 passes; an invalid manifest fails the step with exit code 1', async () => {
    const dir = await workspace({ 'manifests/a.yaml': UNCHANGED, 'bad/a.yaml': 'version: 1\ndatastores:\n  - datastore: Orders\n    enrichment_prefx: x\n' });
    const ok = await runAction({ command: 'validate', paths: 'manifests/' }, { cwd: dir, recordArgv: true });
    expect(ok).toMatchObject({ outcome: 'success', outputs: { exitcode: '0', 'has-changes': '' } });
    expect(ok.stdout).toContain('valid: 2 datastores in 1 file');
    expect(argvOf(ok)).toStrictEqual([actionArgv({ command: 'validate', paths: 'manifests/' }, '<tmp>')]);

    const bad = await runAction({ command: 'validate', paths: 'bad/', options: '--format=github' }, { cwd: dir });
    expect(bad).toMatchObject({ outcome: 'failure', outputs: { exitcode: '1', 'has-changes': '' } });
    expect(bad.stdout).toMatch(/^::error file=bad\/a\.yaml,line=4,/m);
    expect(bad.stdout).toContain('::error title=enrichctl::enrichctl validate failed (exit 1)');
    expect(em.calls()).toStrictEqual([]);
  });

  it('plan without changes: has-changes=false, and summary: true puts the Markdown plan in the job summary', async () => {
    const dir = await workspace({ 'manifests/a.yaml': UNCHANGED });
    const r = await runAction({ command: 'plan', paths: 'manifests/', summary: 'true' }, { cwd: dir, env: connection(), recordArgv: true });
    expect(r).toMatchObject({ outcome: 'success', outputs: { exitcode: '0', 'has-changes': 'false' } });
    expect(r.summary.startsWith(COMMENT_MARKER)).toBe(true);
    expect(argvOf(r)).toStrictEqual([actionArgv({ command: 'plan', paths: 'manifests/', summary: 'true' }, '<tmp>')]);
    await expectNoToken(r);
  });

  it('plan with changes: exit code 2 and has-changes=true pass the step; with fail-on-changes it fails, outputs still set', async () => {
    const dir = await workspace({ 'manifests/a.yaml': CHANGED });
    const r = await runAction({ command: 'plan', paths: 'manifests/' }, { cwd: dir, env: connection() });
    expect(r).toMatchObject({ outcome: 'success', outputs: { exitcode: '2', 'has-changes': 'true' } });
    expect(r.stdout).toContain('Plan: 2 datastores to change');
    const strict = await runAction({ command: 'plan', paths: 'manifests/', 'fail-on-changes': 'true' }, { cwd: dir, env: connection() });
    expect(strict).toMatchObject({ outcome: 'failure', outputs: { exitcode: '2', 'has-changes': 'true' } });
    expect(strict.stdout).toContain('::error title=enrichctl::enrichctl plan: changes present, and fail-on-changes is true');
    expect(writes()).toStrictEqual([]);
    await expectNoToken(r);
    await expectNoToken(strict);
  });

  it('apply: writes, reports has-changes=true with its output in files and the summary; again: has-changes=false', async () => {
    const dir = await workspace({ 'manifests/a.yaml': CHANGED });
    const inputs = { command: 'apply', paths: 'manifests/', options: '--auto-approve\n--no-color', summary: 'true', 'stdout-file': 'apply.txt', 'stderr-file': 'apply.err' };
    const r = await runAction(inputs, { cwd: dir, env: connection(), recordArgv: true });
    expect(r).toMatchObject({ outcome: 'success', outputs: { exitcode: '0', 'has-changes': 'true' } });
    expect(writes()).toStrictEqual(['PUT /api/datastores/1', 'PUT /api/datastores/2']);
    expect(em.snapshot().filter((d) => d.id < 100).map((d) => d.enrichment_source_record_limit)).toStrictEqual([500, 700]);
    const stdout = await readFile(join(dir, 'apply.txt'), 'utf8');
    expect(stdout).toContain('Apply complete');
    expect(r.stdout).toContain(stdout);
    expect(existsSync(join(dir, 'apply.err'))).toBe(true);
    expect(r.summary).toMatch(/^### enrichctl apply\n\n```\n[^]*Apply complete[^]*\n```\n$/);
    expect(argvOf(r)).toStrictEqual([actionArgv(inputs, '<tmp>')]);
    await expectNoToken(r, TOKEN, [join(dir, 'apply.txt'), join(dir, 'apply.err')]);

    em.clearCalls();
    const again = await runAction(inputs, { cwd: dir, env: connection() });
    expect(again).toMatchObject({ outcome: 'success', outputs: { exitcode: '0', 'has-changes': 'false' } });
    expect(writes()).toStrictEqual([]);
  });

  it('plan --out, show and apply --plan: the saved plan has changes, and applying it writes exactly them', async () => {
    const dir = await workspace({ 'manifests/a.yaml': CHANGED });
    const plan = await runAction({ command: 'plan', paths: 'manifests/', options: '--out=plan.json' }, { cwd: dir, env: connection() });
    expect(plan.outputs).toStrictEqual({ exitcode: '2', 'has-changes': 'true' });
    const show = await runAction({ command: 'show', paths: 'plan.json', summary: 'true' }, { cwd: dir });
    expect(show).toMatchObject({ outcome: 'success', outputs: { exitcode: '0', 'has-changes': 'true' } });
    expect(show.summary).toContain(COMMENT_MARKER);
    const apply = await runAction({ command: 'apply', options: '--plan\nplan.json' }, { cwd: dir, env: connection() });
    expect(apply).toMatchObject({ outcome: 'success', outputs: { exitcode: '0', 'has-changes': 'true' } });
    expect(writes()).toStrictEqual(['PUT /api/datastores/1', 'PUT /api/datastores/2']);
  });

  it('an apply --plan refused as stale writes nothing: exit 1, the step fails, has-changes empty (no report said)', async () => {
    const dir = await workspace({ 'manifests/a.yaml': CHANGED });
    await runAction({ command: 'plan', paths: 'manifests/', options: '--out=plan.json' }, { cwd: dir, env: connection() });
    // Someone else changes Sales EU to a third value in between.
    const other = await workspace({ 'm.yaml': manifest({ 'Sales EU': 900 }) });
    await runAction({ command: 'apply', paths: 'm.yaml', options: '--auto-approve' }, { cwd: other, env: connection() });
    em.clearCalls();
    const stale = await runAction({ command: 'apply', options: '--plan=plan.json' }, { cwd: dir, env: connection() });
    expect(stale).toMatchObject({ outcome: 'failure', outputs: { exitcode: '1', 'has-changes': '' } });
    expect(stale.stderr).toContain('Sales EU');
    expect(writes()).toStrictEqual([]);
  });

  it('refuses a bad command or boolean input before running enrichctl', async () => {
    const dir = await workspace({ 'manifests/a.yaml': UNCHANGED });
    for (const [inputs, message] of [
      [{ command: 'destroy' }, 'input command must be one of validate, plan, apply, show, explain, export (got destroy)'],
      [{ command: 'plan; touch pwned' }, "(got plan\\;\\ touch\\ pwned)"],
      [{ command: 'plan\n::notice::forged' }, "(got $'plan\\n::notice::forged')"],
      [{ command: '' }, "(got '')"],
      [{ command: 'plan', summary: 'yes' }, 'input summary must be true or false (got yes)'],
      [{ command: 'export', summary: 'true' }, 'input summary is for validate, plan, apply and show, not export'],
    ] as const) {
      const r = await runAction(inputs, { cwd: dir, env: connection(), recordArgv: true });
      expect(r.outcome, JSON.stringify(inputs)).toBe('failure');
      expect(r.steps, 'the run step never started').toHaveLength(1);
      const commands = r.stdout.split('\n').filter((l) => l.startsWith('::'));
      expect(commands, 'one workflow command: the error, on one line').toHaveLength(1);
      expect(commands[0]).toMatch(/^::error title=enrichctl::input /);
      expect(commands[0]).toContain(message);
      expect(r.argv).toStrictEqual([]);
      expect(r.outputs).toStrictEqual({ exitcode: '', 'has-changes': '' });
    }
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(em.calls()).toStrictEqual([]);
  });

  it('publishes no file the job\'s environment names (a variable `summary` there), and refuses a stdout-file in a missing folder before running', async () => {
    const dir = await workspace({ 'manifests/a.yaml': UNCHANGED, 'secret.txt': 'secret-from-runner-file\n' });
    const r = await runAction({ command: 'validate', paths: 'manifests/', summary: 'false' }, { cwd: dir, env: { ...connection(), summary: join(dir, 'secret.txt') } });
    expect(r.outcome).toBe('success');
    expect(r.summary).not.toContain('secret-from-runner-file');
    const missing = await runAction({ command: 'validate', paths: 'manifests/', 'stdout-file': 'nope/out.txt' }, { cwd: dir, env: connection(), recordArgv: true });
    expect(missing.outcome).toBe('failure');
    expect(missing.steps).toHaveLength(1);
    expect(missing.stdout).toContain('::error title=enrichctl::input stdout-file: the directory nope does not exist; create it in an earlier step');
    expect(missing.argv).toStrictEqual([]);
  });

  it('passes each options line as one argument, spaces kept, nothing expanded; paths after --', async () => {
    const dir = await workspace({ 'manifests/a.yaml': CHANGED });
    const options = '  --target=Sales EU  \n\n--report\nmarkdown=plan $(touch pwned).md\n--no-color\r\n';
    const r = await runAction({ command: 'plan', paths: 'manifests/', options }, { cwd: dir, env: connection(), recordArgv: true });
    expect(argvOf(r)).toStrictEqual([['plan', '--detailed-exitcode', '--target=Sales EU', '--report', 'markdown=plan $(touch pwned).md', '--no-color', '--', 'manifests/']]);
    expect(argvOf(r)[0]).toStrictEqual(actionArgv({ command: 'plan', paths: 'manifests/', options }, '<tmp>'));
    expect(r).toMatchObject({ outcome: 'success', outputs: { exitcode: '2', 'has-changes': 'true' } });
    expect(r.stdout).toContain('"Sales EU" (id 1)');
    expect(r.stdout).not.toContain('"Orders"');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(await readFile(join(dir, 'plan $(touch pwned).md'), 'utf8')).toContain(COMMENT_MARKER);

    const help = await runAction({ command: 'validate', paths: '--help' }, { cwd: dir });
    expect(help).toMatchObject({ outcome: 'failure', outputs: { exitcode: '1' } });
    expect(help.stdout).toContain('--help: error: cannot read');
  });

  it('runs in working-directory', async () => {
    const dir = await workspace({ 'config/manifests/a.yaml': UNCHANGED });
    const r = await runAction({ command: 'plan', paths: 'manifests', 'working-directory': 'config', options: '--out=plan.json' }, { cwd: dir, env: connection() });
    expect(r.outputs).toStrictEqual({ exitcode: '0', 'has-changes': 'false' });
    expect(existsSync(join(dir, 'config/plan.json'))).toBe(true);
  });

  it('a refused token fails the step and appears nowhere', async () => {
    const wrong = 'wrong-secret-token-9a8b7c6d';
    const dir = await workspace({ 'manifests/a.yaml': UNCHANGED });
    const r = await runAction({ command: 'plan', paths: 'manifests/', summary: 'true', 'stderr-file': 'plan.err' }, { cwd: dir, env: connection(wrong) });
    expect(r).toMatchObject({ outcome: 'failure', outputs: { exitcode: '1', 'has-changes': '' } });
    expect(r.stderr).toContain('401');
    await expectNoToken(r, wrong, [join(dir, 'plan.err')]);
  });

  it("refuses a runner Node older than package.json's engines, with a clear error", async () => {
    const dir = await workspace({ 'manifests/a.yaml': UNCHANGED });
    for (const [version, ok] of [['18.20.4', false], ['20.18.3', false], ['20.19.0', true], ['22.1.0', true]] as const) {
      const bin = join(dir, `node-${version}`);
      await mkdir(bin);
      // Reports that version, and runs the real node for everything else.
      await writeFile(join(bin, 'node'), `#!/bin/bash\nif [ "$1" = --version ]; then echo v${version}; else exec ${JSON.stringify(process.execPath)} "$@"; fi\n`);
      await chmod(join(bin, 'node'), 0o755);
      const r = await runAction({ command: 'validate', paths: 'manifests/' }, { cwd: dir, pathPrefix: [bin] });
      expect(r.outcome, version).toBe(ok ? 'success' : 'failure');
      if (!ok) expect(r.stdout).toContain(`::error title=enrichctl::enrichctl needs Node.js >= 20.19.0; the runner's node is ${version}: add actions/setup-node`);
    }
  });
});
