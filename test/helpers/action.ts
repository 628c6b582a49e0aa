/**
 * The repository's GitHub Action (action.yml) run as the runner runs a composite action: each `run`
 * step's script in `bash --noprofile --norc -eo pipefail` (what `shell: bash` means), with the
 * step's `env:` and `working-directory` evaluated, GITHUB_ACTION_PATH at the repository root,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and the action's outputs mapped from the step
 * outputs. Steps stop at the first failure, as without `if:`. The few `${{ }}` expressions the
 * action may use are evaluated by a tiny evaluator that refuses anything else.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface ActionInput {
  description: string;
  required?: boolean;
  default?: string;
}
export interface ActionStep {
  name?: string;
  id?: string;
  shell?: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}
export interface ActionFile {
  name: string;
  description: string;
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

let loaded: { text: string; action: ActionFile } | undefined;

/** action.yml, read and parsed once per test file. */
export function loadAction(): { text: string; action: ActionFile } {
  if (!loaded) {
    const text = readFileSync(join(REPO, 'action.yml'), 'utf8');
    loaded = { text, action: parse(text) as ActionFile };
  }
  return loaded;
}

export interface ExpressionContext {
  inputs: Record<string, string>;
  actionPath: string;
  steps: Record<string, { outputs: Record<string, string> }>;
}

/** Replaces each `${{ expr }}` in `template`; only inputs.X, github.action_path and steps.X.outputs.Y are known. */
export function evaluate(template: string, ctx: ExpressionContext): string {
  return template.replace(/\$\{\{(.*?)\}\}/gs, (_, raw: string) => {
    const expr = raw.trim();
    let m = /^inputs\.([A-Za-z_][\w-]*)$/.exec(expr);
    if (m) {
      if (!(m[1]! in ctx.inputs)) throw new Error(`\${{ ${expr} }}: the action declares no input ${m[1]}`);
      return ctx.inputs[m[1]!]!;
    }
    if (expr === 'github.action_path') return ctx.actionPath;
    m = /^steps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)$/.exec(expr);
    if (m) return ctx.steps[m[1]!]?.outputs[m[2]!] ?? '';
    throw new Error(`\${{ ${expr} }}: this evaluator does not know that expression`);
  });
}

/** The name=value and name<<DELIMITER ... DELIMITER lines of a GITHUB_OUTPUT file. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      if (end < 0) throw new Error(`GITHUB_OUTPUT: no closing ${heredoc[2]}`);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    } else {
      throw new Error(`GITHUB_OUTPUT: unreadable line ${JSON.stringify(line)}`);
    }
  }
  return out;
}

export interface StepResult {
  name: string;
  code: number;
  stdout: string;
  stderr: string;
}

export interface ActionResult {
  outcome: 'success' | 'failure';
  outputs: Record<string, string>;
  steps: StepResult[];
  /** Every step's stdout and stderr, in order. */
  stdout: string;
  stderr: string;
  /** The job summary the steps wrote. */
  summary: string;
  /** The raw GITHUB_OUTPUT files, concatenated. */
  outputFiles: string;
  /** With `recordArgv`: the arguments given to bin/enrichctl.cjs (after its path), one list per run. */
  argv: string[][];
  /** The RUNNER_TEMP of this run. */
  runnerTemp: string;
}

export interface ActionRunOptions {
  /** The job's directory (the workspace); `working-directory` is relative to it. */
  cwd: string;
  /** The caller's `env:` (e.g. QUALYTICS_URL, QUALYTICS_TOKEN). */
  env?: Record<string, string>;
  /** Directories put first on PATH (e.g. one holding a fake `node`). */
  pathPrefix?: string[];
  /** Put a `node` on PATH that records the arguments given to bin/enrichctl.cjs, then runs the real node. */
  recordArgv?: boolean;
}

function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    // Never spawnSync: the emulator answering the requests runs in this process.
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

export async function runAction(withInputs: Record<string, string | boolean>, options: ActionRunOptions): Promise<ActionResult> {
  const { action } = loadAction();
  for (const key of Object.keys(withInputs)) {
    if (!(key in action.inputs)) throw new Error(`with: ${key} is not an input of action.yml`);
  }
  const inputs: Record<string, string> = {};
  for (const [key, spec] of Object.entries(action.inputs)) inputs[key] = key in withInputs ? String(withInputs[key]) : (spec.default ?? '');

  const temp = await mkdtemp(join(tmpdir(), 'enrichctl-action-run-'));
  const runnerTemp = join(temp, 'runner-temp');
  await mkdir(runnerTemp);
  const pathPrefix = [...(options.pathPrefix ?? [])];
  const argvLog = join(temp, 'argv');
  if (options.recordArgv) {
    const shimDir = join(temp, 'shim');
    await mkdir(shimDir);
    const shim = [
      '#!/bin/bash',
      'case "$1" in */bin/enrichctl.cjs) (shift; printf \'%s\\0\' "$@"; printf \'\\n\') >> "$ENRICHCTL_TEST_ARGV_LOG" ;; esac',
      `exec ${JSON.stringify(process.execPath)} "$@"`,
      '',
    ].join('\n');
    await writeFile(join(shimDir, 'node'), shim);
    await chmod(join(shimDir, 'node'), 0o755);
    pathPrefix.unshift(shimDir);
  }
  const ctx: ExpressionContext = { inputs, actionPath: REPO, steps: {} };
  const result: ActionResult = { outcome: 'success', outputs: {}, steps: [], stdout: '', stderr: '', summary: '', outputFiles: '', argv: [], runnerTemp };

  for (const [n, step] of action.runs.steps.entries()) {
    if (step.run === undefined || step.if !== undefined) throw new Error(`step ${n + 1}: this runner runs only \`run\` steps without \`if\``);
    const outputFile = join(temp, `output-${n}`);
    const summaryFile = join(temp, `summary-${n}`);
    const script = join(temp, `step-${n}.sh`);
    await Promise.all([writeFile(outputFile, ''), writeFile(summaryFile, ''), writeFile(script, step.run)]);
    const env: NodeJS.ProcessEnv = {
      PATH: [...pathPrefix, dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(':'),
      HOME: temp,
      ...(options.recordArgv ? { ENRICHCTL_TEST_ARGV_LOG: argvLog } : {}),
      ...options.env,
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(String(v), ctx)])),
      GITHUB_ACTION_PATH: REPO,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: runnerTemp,
    };
    const cwd = resolve(options.cwd, evaluate(step['working-directory'] ?? '.', ctx));
    const ran = await runBash(script, cwd, env);
    const outputText = await readFile(outputFile, 'utf8');
    if (step.id) ctx.steps[step.id] = { outputs: parseOutputFile(outputText) };
    result.steps.push({ name: step.name ?? `step ${n + 1}`, ...ran });
    result.stdout += ran.stdout;
    result.stderr += ran.stderr;
    result.summary += await readFile(summaryFile, 'utf8');
    result.outputFiles += outputText;
    if (ran.code !== 0) {
      result.outcome = 'failure';
      break;
    }
  }
  // The runner evaluates the outputs after the steps, also when one failed.
  for (const [name, spec] of Object.entries(action.outputs)) result.outputs[name] = evaluate(spec.value, ctx);
  if (options.recordArgv) {
    const log = await readFile(argvLog, 'utf8').catch(() => '');
    result.argv = log.split('\0\n').filter((l) => l !== '').map((l) => l.split('\0'));
  }
  return result;
}

/** Non-blank lines, trimmed: how the action reads `options` and `paths`. */
export function inputLines(value: string): string[] {
  return value.split('\n').map((l) => l.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '')).filter((l) => l !== '');
}

/**
 * The arguments the action gives enrichctl for these inputs, as documented in examples/ci/README.md
 * (test/ci/action.test.ts holds the action to it; test/ci/pipelines.test.ts parses the examples'
 * with it). `tmp` stands for the action's temporary directory.
 */
export function actionArgv(inputs: Record<string, string | boolean | undefined>, tmp: string): string[] {
  const command = String(inputs.command ?? '');
  const argv = [command];
  if (command === 'plan') argv.push('--detailed-exitcode');
  if (command === 'apply' || command === 'show') argv.push(`--report=json=${tmp}/has-changes.json`);
  if (String(inputs.summary) === 'true') {
    if (command === 'plan' || command === 'show') argv.push(`--report=markdown=${tmp}/summary.md`);
    if (command === 'validate' || command === 'apply') argv.push(`--report=text=${tmp}/summary.txt`);
  }
  return [...argv, ...inputLines(String(inputs.options ?? '')), '--', ...inputLines(String(inputs.paths ?? ''))];
}
