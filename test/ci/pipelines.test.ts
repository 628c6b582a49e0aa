/**
 * The ready-made pipelines in examples/ci: each parses as YAML, has the structure its CI needs,
 * and every `enrichctl ...` command it runs parses with the real command tree (unknown commands,
 * unknown flags and bad choices are refused by commander without running anything).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { Io } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/program.js';
import { COMMENT_MARKER } from '../../src/render/plan-markdown.js';
import { actionArgv, loadAction } from '../helpers/action.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const CI_DIR = join(repo, 'examples/ci');
const PLACEHOLDER = 'PLACEHOLDER';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

// ---------------------------------------------------------------------------------------------
// Extracting `enrichctl ...` invocations from shell text
// ---------------------------------------------------------------------------------------------

type Token = { kind: 'word'; value: string } | { kind: 'op'; value: string };

/** Heredoc bodies are another language (the JS that talks to the CI's API), not shell. */
function stripHeredocs(script: string): string {
  const lines = script.split('\n');
  const out: string[] = [];
  let terminator: { word: string; tabs: boolean } | undefined;
  for (const line of lines) {
    if (terminator) {
      const candidate = terminator.tabs ? line.replace(/^\t+/, '') : line;
      if (candidate === terminator.word) terminator = undefined;
      continue;
    }
    out.push(line);
    const m = /<<(-?)\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\2/.exec(line);
    if (m) terminator = { word: m[3]!, tabs: m[1] === '-' };
  }
  return out.join('\n');
}

/**
 * Words and operators of a shell script: quotes removed, every expansion ($VAR, ${VAR}, $(...),
 * $?) replaced by a placeholder word, comments dropped, `\` line continuations joined. Command
 * substitutions are scanned for invocations too (`nested`).
 */
function tokenize(src: string, nested: string[]): Token[] {
  const tokens: Token[] = [];
  let word: string | undefined;
  let i = 0;
  const flush = (): void => {
    if (word !== undefined) tokens.push({ kind: 'word', value: word });
    word = undefined;
  };
  const add = (s: string): void => {
    word = (word ?? '') + s;
  };
  /** Reads an expansion starting at src[i] === '$'; returns the index after it. */
  const expansion = (at: number): number => {
    const next = src[at + 1];
    if (next === '(') {
      let depth = 0;
      let j = at + 1;
      for (; j < src.length; j++) {
        if (src[j] === '(') depth++;
        else if (src[j] === ')' && --depth === 0) break;
      }
      nested.push(src.slice(at + 2, j));
      add(PLACEHOLDER);
      return j + 1;
    }
    if (next === '{') {
      const end = src.indexOf('}', at);
      add(PLACEHOLDER);
      return end === -1 ? src.length : end + 1;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*|^[0-9?#@*$!-]/.exec(src.slice(at + 1));
    if (!m) {
      add('$');
      return at + 1;
    }
    add(PLACEHOLDER);
    return at + 1 + m[0].length;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2; // line continuation
    } else if (c === '\\') {
      add(src[i + 1] ?? '');
      i += 2;
    } else if (c === ' ' || c === '\t') {
      flush();
      i++;
    } else if (c === '\n') {
      flush();
      tokens.push({ kind: 'op', value: ';' });
      i++;
    } else if (c === '#' && word === undefined) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      add(src.slice(i + 1, end === -1 ? src.length : end));
      i = end === -1 ? src.length : end + 1;
    } else if (c === '"') {
      add('');
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && '"\\$`\n'.includes(src[i + 1] ?? '')) {
          add(src[i + 1]!);
          i += 2;
        } else if (src[i] === '$') {
          i = expansion(i);
        } else {
          add(src[i]!);
          i++;
        }
      }
      i++;
    } else if (c === '$') {
      i = expansion(i);
    } else if (c === '>' || c === '<' || (c === '&' && src[i + 1] === '>')) {
      // A redirection: `> f`, `>> f`, `2> f`, `2>&1`, `>&2`, `&> f`, `< f`. Its target is no argument.
      if (word !== undefined && /^[0-9]+$/.test(word)) word = undefined;
      flush();
      let j = i + 1;
      while (src[j] === '>' || src[j] === '&') j++;
      const dup = src[j - 1] === '&' && c !== '&';
      tokens.push({ kind: 'op', value: dup ? 'redir-dup' : 'redir' });
      i = j;
    } else if ('|&;()'.includes(c)) {
      flush();
      const two = src.slice(i, i + 2);
      const op = two === '&&' || two === '||' || two === ';;' ? two : c;
      tokens.push({ kind: 'op', value: op });
      i += op.length;
    } else {
      add(c);
      i++;
    }
  }
  flush();
  return tokens;
}

/** Simple commands: the words between operators, redirections and their targets removed. */
function simpleCommands(tokens: readonly Token[]): string[][] {
  const commands: string[][] = [];
  let current: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'op' && t.value === 'redir') {
      k++; // the target word
    } else if (t.kind === 'op' && t.value === 'redir-dup') {
      // `2>&1`, `>&2`: the fd number follows as a word
      if (tokens[k + 1]?.kind === 'word' && /^[0-9-]+$/.test(tokens[k + 1]!.value)) k++;
    } else if (t.kind === 'op') {
      if (current.length > 0) commands.push(current);
      current = [];
    } else {
      current.push(t.value);
    }
  }
  if (current.length > 0) commands.push(current);
  return commands;
}

const PREFIX_WORDS = new Set(['{', '}', '!', 'if', 'then', 'else', 'elif', 'do', 'while', 'until', 'time', 'exec', 'command', 'env']);

/** The arguments after `enrichctl` when this simple command runs enrichctl, else undefined. */
function enrichctlArgs(words: readonly string[]): string[] | undefined {
  let k = 0;
  while (k < words.length && (PREFIX_WORDS.has(words[k]!) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[k]!))) k++;
  if (words[k] === 'npx' || (words[k] === 'npm' && words[k + 1] === 'exec')) {
    k += words[k] === 'npm' ? 2 : 1;
    while (k < words.length && words[k]!.startsWith('-')) k++; // npx --no-install, --yes, npm exec --
  }
  const cmd = words[k];
  if (cmd === undefined || cmd.split('/').pop() !== 'enrichctl') return undefined;
  return words.slice(k + 1);
}

function extractInvocations(script: string): string[][] {
  const found: string[][] = [];
  const queue = [stripHeredocs(script)];
  while (queue.length > 0) {
    const nested: string[] = [];
    for (const words of simpleCommands(tokenize(queue.shift()!, nested))) {
      const args = enrichctlArgs(words);
      if (args) found.push(args);
    }
    queue.push(...nested);
  }
  return found;
}

/**
 * A deliberately simple second count (enrichctl and a subcommand in command position), so that an
 * extractor that misses commands is noticed.
 */
function roughCount(script: string): number {
  const re = /(?:^|[;&|(]|\bthen|\bdo|\bif)\s*(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:npx\s+(?:--?\S+\s+)*)?(?:\S*\/)?enrichctl\s+(?:validate|plan|apply|export|emulator)\b/gm;
  return (stripHeredocs(script).match(re) ?? []).length;
}

// ---------------------------------------------------------------------------------------------
// Checking arguments against the real command tree
// ---------------------------------------------------------------------------------------------

interface ParseResult {
  ok: boolean;
  deferred: number;
  /** The subcommand's options as commander parsed them (so `--target --detailed-exitcode` is not taken for the flag). */
  opts: Record<string, unknown>;
  error?: string;
  stderr: string;
}

async function parseWithProgram(args: readonly string[]): Promise<ParseResult> {
  let stderr = '';
  let deferred = 0;
  const io: Io = {
    stdout: { write: () => true },
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
    },
    stdin: process.stdin,
    env: {},
    cwd: process.cwd(),
    signal: new AbortController().signal,
  };
  const program = buildProgram(io, () => {
    deferred++;
  });
  const opts = (): Record<string, unknown> => program.commands.find((c) => c.name() === args[0])?.opts() ?? {};
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (err) {
    return { ok: false, deferred, opts: opts(), stderr, error: err instanceof Error ? err.message : String(err) };
  }
  return { ok: deferred === 1, deferred, opts: opts(), stderr };
}

/** The options commander parsed from a (valid) argument list. */
async function optionsOf(args: readonly string[]): Promise<Record<string, unknown>> {
  const result = await parseWithProgram(args);
  expect(result.ok, `enrichctl ${args.join(' ')}`).toBe(true);
  return result.opts;
}

/** `--report FORMAT=FILE` options as format -> file. */
function reportsOf(opts: Record<string, unknown>): Record<string, string> {
  const list = Array.isArray(opts.report) ? (opts.report as unknown[]).map(str) : [];
  return Object.fromEntries(list.map((r) => [r.slice(0, r.indexOf('=')), r.slice(r.indexOf('=') + 1)]));
}

// ---------------------------------------------------------------------------------------------
// Literal credentials
// ---------------------------------------------------------------------------------------------

const TOKEN_PATTERNS: readonly [string, RegExp][] = [
  ['a JWT', /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/],
  ['a GitHub token', /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/],
  ['a GitLab token', /\bgl(?:pat|ptt|dt|rt)-[A-Za-z0-9_-]{16,}/],
  ['a bearer token', /Bearer\s+[A-Za-z0-9._~+/-]{16,}/],
  ['a token on a command line', /--token[= ]\s*["']?[A-Za-z0-9._-]{8,}/],
  ['a literal token assignment', /\b(?:QUALYTICS_TOKEN|QUALYTICS_APPLY_TOKEN|ENRICHCTL_GITLAB_TOKEN|ENRICHCTL_NOTE_TOKEN)\s*[:=]\s*["']?(?![$"'{\s]|\$\{\{)[A-Za-z0-9._~+/-]{8,}/],
];

/** Long mixed-case alphanumeric runs with digits look like secrets; words and paths do not. */
function highEntropyRuns(text: string): string[] {
  return (text.match(/[A-Za-z0-9_+/=-]{32,}/g) ?? []).filter((s) => /[0-9]/.test(s) && /[a-z]/.test(s) && /[A-Z]/.test(s) && !s.includes('/'));
}

function literalTokens(text: string): string[] {
  const hits = TOKEN_PATTERNS.filter(([, re]) => re.test(text)).map(([what]) => what);
  return [...hits, ...highEntropyRuns(text).map((s) => `a high-entropy string ${s.slice(0, 6)}...`)];
}

// ---------------------------------------------------------------------------------------------
// The pipelines
// ---------------------------------------------------------------------------------------------

interface Pipeline {
  file: string; // relative to examples/ci
  ci: 'github' | 'gitlab';
  text: string;
  doc: Obj;
  errors: string[];
  /** Shell scripts with the environment each runs with (GitHub: workflow + job + step env). */
  scripts: { where: string; script: string; env: Obj }[];
  /** GitHub: the steps that use the enrichctl Action (action.yml), with their inputs and environment. */
  actions: { where: string; uses: string; with: Obj; env: Obj }[];
}

/** `uses:` of the enrichctl Action in the examples: YOUR-ORG stands for the owner of the copy used. */
const ACTION_USES = /^YOUR-ORG\/enrichctl@/;

function load(file: string): Pipeline {
  const text = readFileSync(join(CI_DIR, file), 'utf8');
  const document = parseDocument(text);
  const errors = [...document.errors, ...document.warnings].map((e) => e.message);
  const doc = obj(document.toJS());
  const ci = file.startsWith('github/') ? 'github' : 'gitlab';
  const scripts: Pipeline['scripts'] = [];
  const actions: Pipeline['actions'] = [];
  if (ci === 'github') {
    for (const [name, job] of Object.entries(obj(doc.jobs))) {
      const steps = Array.isArray(obj(job).steps) ? (obj(job).steps as Json[]) : [];
      steps.forEach((step, n) => {
        const run = obj(step).run;
        const uses = str(obj(step).uses);
        const env = { ...obj(doc.env), ...obj(obj(job).env), ...obj(obj(step).env) };
        if (typeof run === 'string') scripts.push({ where: `${name} step ${n + 1}`, script: run, env });
        if (ACTION_USES.test(uses)) actions.push({ where: `${name} step ${n + 1}`, uses, with: obj(obj(step).with), env });
      });
    }
  } else {
    for (const [name, job] of gitlabJobs(doc)) {
      for (const key of ['before_script', 'script', 'after_script']) {
        const lines = obj(job)[key];
        if (Array.isArray(lines)) scripts.push({ where: `${name}.${key}`, script: lines.flat(3).map(str).join('\n'), env: {} });
      }
    }
    for (const key of ['before_script', 'after_script']) {
      const lines = obj(doc.default)[key];
      if (Array.isArray(lines)) scripts.push({ where: `default.${key}`, script: lines.flat(3).map(str).join('\n'), env: {} });
    }
  }
  return { file, ci, text, doc, errors, scripts, actions };
}

const GITLAB_KEYWORDS = new Set(['workflow', 'variables', 'stages', 'default', 'include', 'image', 'services', 'cache', 'before_script', 'after_script', 'pages', 'spec']);

function gitlabJobs(doc: Obj): [string, Obj][] {
  return Object.entries(doc)
    .filter(([key]) => !GITLAB_KEYWORDS.has(key) && !key.startsWith('.'))
    .map(([key, value]) => [key, obj(value)]);
}

/** An input's value as the runner gives it: `${{ env.X }}` from the step's environment, any other expression a placeholder. */
function resolveInput(value: Json, env: Obj): string {
  return String(value).replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    const m = /^env\.([A-Za-z_]\w*)$/.exec(expr);
    return m && typeof env[m[1]!] === 'string' ? (env[m[1]!] as string) : PLACEHOLDER;
  });
}

/** The arguments each use of the Action gives enrichctl (the rule test/ci/action.test.ts holds the Action to). */
function actionInvocations(p: Pipeline): { where: string; args: string[]; env: Obj }[] {
  return p.actions.map(({ where, with: inputs, env }) => ({
    where,
    env,
    args: actionArgv(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, resolveInput(v, env)])), '/tmp/enrichctl-action.XXXXXX'),
  }));
}

function invocations(p: Pipeline): { where: string; args: string[]; env: Obj }[] {
  return [...p.scripts.flatMap(({ where, script, env }) => extractInvocations(script).map((args) => ({ where, args, env }))), ...actionInvocations(p)];
}

const FILES = [
  ...readdirSync(join(CI_DIR, 'github'))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `github/${f}`),
  ...readdirSync(join(CI_DIR, 'gitlab'))
    .filter((f) => f === '.gitlab-ci.yml')
    .map((f) => `gitlab/${f}`),
];

/** Per file: the least number of invocations and the subcommands that must be among them. */
const EXPECTED: Record<string, { min: number; commands: string[] }> = {
  'github/enrichctl-plan.yml': { min: 2, commands: ['validate', 'plan'] },
  'github/enrichctl-apply.yml': { min: 1, commands: ['apply'] },
  'github/enrichctl-drift.yml': { min: 1, commands: ['plan'] },
  'gitlab/.gitlab-ci.yml': { min: 3, commands: ['plan', 'apply'] },
};

/** The schedulers outside CI: a Kubernetes CronJob and a systemd service + timer. */
const SCHEDULERS = ['kubernetes/cronjob.yaml', 'systemd/enrichctl-drift.service', 'systemd/enrichctl-drift.timer'];

const byFile = new Map(FILES.map((f) => [f, load(f)]));
const pipeline = (file: string): Pipeline => {
  const p = byFile.get(file);
  if (!p) throw new Error(`${file} is missing from examples/ci`);
  return p;
};
const only = (list: { args: string[] }[], sub: string, flag?: string): string[] => {
  const hits = list.filter((i) => i.args[0] === sub && (flag === undefined || i.args.includes(flag)));
  expect(hits, `one \`enrichctl ${sub}${flag ? ` ${flag}` : ''}\``).toHaveLength(1);
  return hits[0]!.args;
};

// ---------------------------------------------------------------------------------------------

describe('the checker itself', () => {
  it('extracts through npx, continuations, variables, redirections, pipes, || and comments', () => {
    const script = [
      '# npx enrichctl plan --in-a-comment',
      'set +e',
      'npx enrichctl plan "$MANIFESTS" \\',
      '  --out "${PLAN_FILE}" --format markdown > plan.md 2> plan.err || code=$?',
      'npx --no-install enrichctl validate manifests/ --no-color 2>&1 | tee validate.txt',
      'if ./node_modules/.bin/enrichctl apply --plan plan.json >&2; then echo "enrichctl apply done"; fi',
      'echo "<!-- enrichctl-plan -->"; QUALYTICS_TIMEOUT=60 npx enrichctl plan --detailed-exitcode || true',
      'result=$(npx enrichctl plan --format json)',
      "node --input-type=module <<'JS'",
      "const cmd = 'npx enrichctl apply --bogus';",
      'JS',
      'echo after',
    ].join('\n');
    expect(extractInvocations(script)).toStrictEqual([
      ['plan', PLACEHOLDER, '--out', PLACEHOLDER, '--format', 'markdown'],
      ['validate', 'manifests/', '--no-color'],
      ['apply', '--plan', 'plan.json'],
      ['plan', '--detailed-exitcode'],
      ['plan', '--format', 'json'],
    ]);
    expect(roughCount(script)).toBe(5);
  });

  it('refuses an unknown command, an unknown flag, a bad choice and a missing value', async () => {
    expect(await parseWithProgram(['plan', 'manifests/', '--out', 'plan.json'])).toMatchObject({ ok: true, deferred: 1 });
    for (const bad of [['plna'], ['plan', '--no-such-flag'], ['plan', '--format', 'yaml'], ['apply', '--plan'], ['validate', '--detailed-exitcode']]) {
      expect(await parseWithProgram(bad), bad.join(' ')).toMatchObject({ ok: false });
    }
  });

  it('spots literal tokens', () => {
    const jwt = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJjaSJ9', 'c2lnbmF0dXJl'].join('.');
    expect(literalTokens(`QUALYTICS_TOKEN: ${jwt}`)).not.toStrictEqual([]);
    expect(literalTokens(`export QUALYTICS_TOKEN=${'abc123XYZ'.repeat(3)}`)).not.toStrictEqual([]);
    expect(literalTokens(`PRIVATE-TOKEN: ${'glpat-'}${'x'.repeat(20)}`)).not.toStrictEqual([]);
    expect(literalTokens('QUALYTICS_TOKEN: ${{ secrets.QUALYTICS_TOKEN }}\nexport QUALYTICS_TOKEN="$QUALYTICS_APPLY_TOKEN"')).toStrictEqual([]);
  });
});

describe('examples/ci', () => {
  it('holds the GitHub workflows and the GitLab pipeline', () => {
    expect(FILES).toStrictEqual(Object.keys(EXPECTED).sort((a, b) => (a < b ? -1 : 1)));
  });

  it('has no literal credential in any file', () => {
    const all = [...FILES, ...SCHEDULERS, 'README.md'];
    for (const file of all) expect(literalTokens(readFileSync(join(CI_DIR, file), 'utf8')), file).toStrictEqual([]);
  });

  it('README explains every pipeline and every secret', () => {
    const readme = readFileSync(join(CI_DIR, 'README.md'), 'utf8');
    for (const file of [...FILES, ...SCHEDULERS]) expect(readme, file).toContain(file.split('/').pop()!);
    for (const name of ['upload-sarif', 'security-events: write', '--fail-on-unmanaged', 'artifacts:reports:junit', 'secretKeyRef', 'LoadCredential=']) expect(readme).toContain(name);
    for (const name of ['QUALYTICS_URL', 'QUALYTICS_TOKEN', '--detailed-exitcode', 'apply --plan', COMMENT_MARKER]) expect(readme).toContain(name);
  });

  it('README and the main README recommend up-to-date branches and explain overlapping applies', () => {
    for (const file of [join(CI_DIR, 'README.md'), join(repo, 'README.md')]) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).toContain('Require branches to be up to date before merging');
      expect(text, file).toMatch(/two overlapping applies/i);
      expect(text, file).toMatch(/concurrency/);
    }
  });

  it('README says how to verify and update the pinned SHAs and digests', () => {
    const readme = readFileSync(join(CI_DIR, 'README.md'), 'utf8');
    expect(readme).toContain('git ls-remote');
    expect(readme).toContain('docker buildx imagetools inspect');
  });
});

describe.each(FILES)('%s', (file) => {
  const p = pipeline(file);
  const found = invocations(p);

  it('parses as YAML without errors or warnings', () => {
    expect(p.errors).toStrictEqual([]);
    expect(Object.keys(p.doc).length).toBeGreaterThan(0);
  });

  it('every enrichctl command it runs exists with those flags', async () => {
    const expected = EXPECTED[file]!;
    expect(found.length, 'invocations found').toBeGreaterThanOrEqual(expected.min);
    const total = p.scripts.reduce((n, s) => n + roughCount(s.script), 0) + p.actions.length;
    expect(found.length, 'the extractor found every invocation the plain count sees').toBe(total);
    expect([...new Set(found.map((f) => f.args[0]))].sort()).toStrictEqual([...expected.commands].sort());
    for (const { where, args } of found) {
      const result = await parseWithProgram(args);
      expect(result, `${where}: enrichctl ${args.join(' ')}\n${result.stderr}`).toMatchObject({ ok: true, deferred: 1 });
    }
  });

  it('is not a manifest (directory expansion skips it)', () => {
    expect('version' in p.doc || 'datastores' in p.doc).toBe(false);
  });
});

describe('GitHub workflows', () => {
  const github = FILES.filter((f) => f.startsWith('github/')).map(pipeline);

  it.each(github.map((p) => [p.file, p] as const))('%s: triggers, least-privilege permissions, jobs with runs-on and steps, pinned actions', (_, p) => {
    expect(Object.hasOwn(p.doc, 'on'), '`on` (a YAML 1.1 reader would make it `true`)').toBe(true);
    expect(p.doc.permissions, 'workflow-level permissions: read-only').toStrictEqual({ contents: 'read' });
    const jobs = Object.entries(obj(p.doc.jobs));
    expect(jobs.length).toBeGreaterThan(0);
    for (const [name, job] of jobs) {
      const j = obj(job);
      expect(j['runs-on'], `${name}.runs-on`).toBeTruthy();
      expect(Array.isArray(j.steps) && j.steps.length > 0, `${name}.steps`).toBe(true);
      expect(isObj(j.permissions), `${name}.permissions`).toBe(true);
      for (const [scope, level] of Object.entries(obj(j.permissions))) expect(['read', 'write', 'none'], `${name}.permissions.${scope}`).toContain(level);
      for (const step of j.steps as Json[]) {
        expect('uses' in obj(step) !== 'run' in obj(step), `${name}: a step either uses an action or runs a script`).toBe(true);
        if ('run' in obj(step)) expect(typeof obj(step).run, `${name}: run is a string`).toBe('string');
        const uses = obj(step).uses;
        if (uses !== undefined) expect(str(uses), `${name}: ${str(uses)} is pinned to a full commit SHA`).toMatch(/^[\w.-]+\/[\w.-]+(?:\/[\w.-]+)*@[0-9a-f]{40}$/);
      }
    }
  });

  it.each(github.map((p) => [p.file, p] as const))('%s: every action is pinned by commit SHA, with a comment naming its version', (_, p) => {
    const lines = p.text.split('\n').filter((l) => /^\s*(-\s+)?uses:/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line, line).toMatch(/^\s*(-\s+)?uses: [\w.-]+\/[\w.-]+(?:\/[\w.-]+)*@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it('the same action is pinned to the same commit everywhere', () => {
    const pins = new Map<string, Set<string>>();
    for (const p of github) {
      for (const m of p.text.matchAll(/uses: ([\w.-]+\/[\w.-]+(?:\/[\w.-]+)*)@(\S+ # \S+)/g)) pins.set(m[1]!, (pins.get(m[1]!) ?? new Set()).add(m[2]!));
    }
    for (const [action, seen] of pins) expect([...seen], action).toHaveLength(1);
  });

  it.each(github.map((p) => [p.file, p] as const))('%s: credentials only from secrets, wherever the API is called', (_, p) => {
    const envs = [obj(p.doc.env), ...Object.values(obj(p.doc.jobs)).flatMap((j) => [obj(obj(j).env), ...((obj(j).steps as Json[] | undefined) ?? []).map((s) => obj(obj(s).env))])];
    for (const env of envs) {
      for (const name of ['QUALYTICS_URL', 'QUALYTICS_TOKEN']) {
        if (name in env) expect(env[name]).toBe(`\${{ secrets.${name} }}`);
      }
    }
    for (const { where, args, env } of invocations(p)) {
      if (args[0] === 'validate') continue;
      expect(env, `${where}: enrichctl ${args[0]} needs the connection`).toMatchObject({
        QUALYTICS_URL: '${{ secrets.QUALYTICS_URL }}',
        QUALYTICS_TOKEN: '${{ secrets.QUALYTICS_TOKEN }}',
      });
    }
  });

  it('plan: on pull requests, saves the plan, uploads it under the name apply downloads, comments with the marker', async () => {
    const plan = pipeline('github/enrichctl-plan.yml');
    const apply = pipeline('github/enrichctl-apply.yml');
    expect(Object.keys(obj(plan.doc.on))).toContain('pull_request');
    const opts = await optionsOf(only(invocations(plan), 'plan'));
    const out = opts.out;
    expect(typeof out).toBe('string');
    const markdown = reportsOf(opts).markdown;
    expect(markdown, 'the comment: --report markdown=FILE').toMatch(/\.md$/);
    const steps = Object.values(obj(plan.doc.jobs)).flatMap((j) => (obj(j).steps as Json[]).map(obj));
    const upload = steps.find((s) => str(s.uses).startsWith('actions/upload-artifact@'));
    expect(obj(upload?.with).path).toBe(out);
    const comment = steps.find((s) => str(s.uses).startsWith('actions/github-script@'));
    expect(str(obj(comment?.with).script)).toContain(COMMENT_MARKER);
    expect(str(obj(comment?.with).script)).toContain(`readFileSync('${markdown}'`);
    expect(Object.values(obj(plan.doc.jobs)).some((j) => obj(obj(j).permissions)['pull-requests'] === 'write')).toBe(true);

    const applySteps = Object.values(obj(apply.doc.jobs)).flatMap((j) => (obj(j).steps as Json[]).map(obj));
    const download = applySteps.find((s) => str(s.uses).startsWith('actions/download-artifact@'));
    expect(obj(download?.with).name).toBe(obj(upload?.with).name);
    expect(obj(download?.with)['run-id']).toMatch(/^\$\{\{ steps\.\w+\.outputs\.run-id \}\}$/);
    expect(obj(download?.with)['github-token']).toBeTruthy();
    // Downloaded outside the checkout, so that the artifact brings the plan and nothing apply reads beside it.
    const into = str(obj(download?.with).path);
    expect(into).toMatch(/^\$\{\{ runner\.temp \}\}\/\S+$/);
    expect((await optionsOf(only(invocations(apply), 'apply'))).plan).toBe(`${into.replace('${{ runner.temp }}', 'PLACEHOLDER')}/${out}`);
  });

  it('apply: never two at once, only from the saved plan, may read the other run', async () => {
    const apply = pipeline('github/enrichctl-apply.yml');
    expect(obj(apply.doc.concurrency)).toMatchObject({ 'cancel-in-progress': false });
    expect(str(obj(apply.doc.concurrency).group)).not.toBe('');
    expect(Object.values(obj(apply.doc.jobs)).every((j) => obj(obj(j).permissions).actions === 'read')).toBe(true);
    for (const { args } of invocations(apply)) expect(await optionsOf(args)).toMatchObject({ plan: expect.any(String) as unknown });
    const triggers = obj(apply.doc.on);
    expect(obj(triggers.push).branches).toStrictEqual(['main']);
  });

  it('drift: nightly and on demand, --detailed-exitcode --fail-on-unmanaged, one labelled issue, exit 2 fails the job', async () => {
    const drift = pipeline('github/enrichctl-drift.yml');
    const on = obj(drift.doc.on);
    expect(Array.isArray(on.schedule) && on.schedule.length > 0).toBe(true);
    expect('workflow_dispatch' in on).toBe(true);
    const opts = await optionsOf(only(invocations(drift), 'plan', '--detailed-exitcode'));
    expect(opts).toMatchObject({ detailedExitcode: true, failOnUnmanaged: true });
    expect(drift.text).toContain("'enrichctl-drift'");
    expect(Object.values(obj(drift.doc.jobs)).some((j) => obj(obj(j).permissions).issues === 'write')).toBe(true);
    const steps = Object.values(obj(drift.doc.jobs)).flatMap((j) => (obj(j).steps as Json[]).map(obj));
    const fail = steps.find((s) => str(s.if).includes("== '2'") && /\bexit [1-9]/.test(str(s.run)));
    expect(fail, 'a step that fails the job on exit code 2').toBeDefined();
  });

  it('drift: one run writes the issue markdown, SARIF and Prometheus, kept as an artifact', async () => {
    const drift = pipeline('github/enrichctl-drift.yml');
    const reports = reportsOf(await optionsOf(only(invocations(drift), 'plan', '--detailed-exitcode')));
    expect(Object.keys(reports).sort()).toStrictEqual(['markdown', 'prometheus', 'sarif']);
    const steps = Object.values(obj(drift.doc.jobs)).flatMap((j) => (obj(j).steps as Json[]).map(obj));
    const issue = steps.find((s) => str(s.uses).startsWith('actions/github-script@'));
    expect(str(obj(issue?.with).script)).toContain(`readFileSync('${reports.markdown}'`);
    const upload = steps.find((s) => str(s.uses).startsWith('actions/upload-artifact@'));
    const paths = str(obj(upload?.with).path).split('\n').map((l) => l.trim()).filter(Boolean);
    for (const file of Object.values(reports)) expect(paths, file).toContain(file);
  });

  it('plan: validation annotates the manifest lines; the plan\'s SARIF goes to code scanning, with security-events: write on that job only', async () => {
    const plan = pipeline('github/enrichctl-plan.yml');
    expect((await optionsOf(only(invocations(plan), 'validate'))).format).toBe('github');
    const sarif = reportsOf(await optionsOf(only(invocations(plan), 'plan'))).sarif;
    expect(sarif).toMatch(/\.sarif$/);
    const uploads = Object.entries(obj(plan.doc.jobs)).flatMap(([name, j]) =>
      (obj(j).steps as Json[]).map(obj).filter((s) => str(s.uses).startsWith('github/codeql-action/upload-sarif@')).map((s) => ({ name, s })),
    );
    expect(uploads).toHaveLength(1);
    const { name, s } = uploads[0]!;
    expect(obj(s.with).sarif_file).toBe(sarif);
    expect(str(s.if), 'uploaded after a failed plan too').toContain('!cancelled()');
    expect(obj(obj(obj(plan.doc.jobs)[name]).permissions)['security-events']).toBe('write');
    for (const p of github) {
      expect(obj(p.doc.permissions)['security-events'], `${p.file}: workflow-level`).toBeUndefined();
      for (const [job, j] of Object.entries(obj(p.doc.jobs))) {
        if (p === plan && job === name) continue;
        expect(obj(obj(j).permissions)['security-events'], `${p.file}: ${job}`).toBeUndefined();
      }
    }
  });
});

describe('the enrichctl Action in the GitHub workflows', () => {
  const github = FILES.filter((f) => f.startsWith('github/')).map(pipeline);
  const uses = github.flatMap((p) => p.actions.map((a) => ({ file: p.file, ...a })));
  const { action } = loadAction();
  const commands = /^\s*([a-z|]+)\) ;;$/m.exec(action.runs.steps[0]!.run!)![1]!.split('|');
  const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;

  it('runs every enrichctl command of the workflows: no npm ci, no npx, no package.json needed', () => {
    expect(uses.length).toBeGreaterThanOrEqual(4);
    expect(commands).toStrictEqual(['validate', 'plan', 'apply', 'show', 'explain', 'export']);
    for (const p of github) {
      expect(p.text, p.file).not.toMatch(/\bnpm ci\b|\bnpx\b|cache: npm/);
      expect(p.scripts.reduce((n, s) => n + roughCount(s.script), 0), `${p.file}: enrichctl only through the Action`).toBe(0);
    }
  });

  it('each use passes only inputs the Action declares, every required one, a command it accepts and true/false where it wants them', () => {
    for (const { file, where, with: inputs } of uses) {
      const at = `${file} ${where}`;
      for (const key of Object.keys(inputs)) expect(Object.keys(action.inputs), `${at}: input ${key}`).toContain(key);
      for (const [key, spec] of Object.entries(action.inputs)) if (spec.required) expect(inputs[key], `${at}: required input ${key}`).toBeDefined();
      expect(commands, at).toContain(inputs.command);
      for (const key of ['fail-on-changes', 'summary']) if (key in inputs) expect(['true', 'false'], `${at}: ${key}`).toContain(String(inputs[key]));
      expect(str(inputs.options), `${at}: one argument per line, never "--flag value" on one line`).not.toMatch(/^[ \t]*-\S*[ \t]+\S/m);
    }
  });

  it('is referenced as YOUR-ORG/enrichctl@<40-hex commit> # v<package.json version>, as the README says to pin it', () => {
    for (const p of github) {
      for (const line of p.text.split('\n').filter((l) => /uses: YOUR-ORG\//.test(l))) {
        expect(line, `${p.file}: ${line}`).toMatch(new RegExp(`^\\s*(-\\s+)?uses: YOUR-ORG/enrichctl@[0-9a-f]{40} # v${version.replace(/\./g, '\\.')}$`));
      }
    }
    const readme = readFileSync(join(CI_DIR, 'README.md'), 'utf8');
    expect(readme).toContain('YOUR-ORG/enrichctl@');
    expect(readme).toContain('git ls-remote https://github.com/YOUR-ORG/enrichctl');
    for (const input of Object.keys(action.inputs)) expect(readme, `README documents input ${input}`).toContain(`\`${input}\``);
    for (const output of Object.keys(action.outputs)) expect(readme, `README documents output ${output}`).toContain(`\`${output}\``);
  });
});

describe('GitLab pipeline', () => {
  const p = pipeline('gitlab/.gitlab-ci.yml');
  const jobs = new Map(gitlabJobs(p.doc));
  const jobInvocations = (name: string): { args: string[] }[] => extractInvocations((jobs.get(name)?.script as Json[] | undefined)?.map(str).join('\n') ?? '').map((args) => ({ args }));

  it('every script line is a string (an unquoted `: ` would make it a mapping, which GitLab refuses)', () => {
    const lines = (v: unknown): unknown[] => (Array.isArray(v) ? v.flat(3) : v === undefined ? [] : [v]);
    for (const [name, job] of [...jobs, ['default', obj(p.doc.default)] as [string, Obj]]) {
      for (const key of ['before_script', 'script', 'after_script']) {
        for (const line of lines(job[key])) expect(typeof line, `${name}.${key}: ${JSON.stringify(line)}`).toBe('string');
      }
    }
  });

  it('every container image is pinned by digest, with a comment naming its version', () => {
    const images = [obj(p.doc.default).image, ...[...jobs.values()].map((j) => j.image)].filter((i) => i !== undefined);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(str(image), JSON.stringify(image)).toMatch(/^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
    const lines = p.text.split('\n').filter((l) => /^\s*image:/.test(l));
    for (const line of lines) expect(line, line).toMatch(/@sha256:[0-9a-f]{64} # node \d+\.\d+\.\d+/);
  });

  it('apply: only the plan of the merge request\'s final head commit', () => {
    const plan = jobs.get('enrichctl-plan')!;
    const apply = (jobs.get('enrichctl-apply')!.script as Json[]).map(str).join('\n');
    expect((plan.script as Json[]).map(str)).toContain('echo "${CI_MERGE_REQUEST_SOURCE_BRANCH_SHA:-$CI_COMMIT_SHA}" > plan-head.txt');
    expect(obj(plan.artifacts).paths).toContain('plan-head.txt');
    expect(apply).toContain('if (head !== mr.sha) continue;');
    expect(apply).toContain('for its final head commit ${mr.sha}');
  });

  it('the API-scope token of default-branch jobs is protected; merge request pipelines use another', () => {
    const header = p.text.split('\n').filter((l) => l.startsWith('#')).join('\n');
    expect(header).toMatch(/ENRICHCTL_GITLAB_TOKEN\s+masked and PROTECTED/);
    const readme = readFileSync(join(CI_DIR, 'README.md'), 'utf8');
    expect(readme).toMatch(/\| `ENRICHCTL_GITLAB_TOKEN` \| masked \| \*\*yes\*\* \|/);
    expect((jobs.get('enrichctl-plan')!.script as Json[]).map(str).join('\n')).not.toContain('ENRICHCTL_GITLAB_TOKEN');
  });

  it('has the three jobs, each with script, rules and a declared stage', () => {
    expect([...jobs.keys()].sort()).toStrictEqual(['enrichctl-apply', 'enrichctl-drift', 'enrichctl-plan']);
    const stages = p.doc.stages as Json[];
    for (const [name, job] of jobs) {
      expect(Array.isArray(job.script) && job.script.length > 0, `${name}.script`).toBe(true);
      expect(Array.isArray(job.rules) && job.rules.length > 0, `${name}.rules`).toBe(true);
      expect(stages, `${name}.stage`).toContain(job.stage);
    }
  });

  it('takes credentials from CI/CD settings, never from the file', () => {
    const scopes = [obj(p.doc.variables), ...[...jobs.values()].map((j) => obj(j.variables))];
    for (const vars of scopes) {
      for (const name of ['QUALYTICS_URL', 'QUALYTICS_TOKEN', 'QUALYTICS_APPLY_TOKEN', 'ENRICHCTL_GITLAB_TOKEN', 'ENRICHCTL_NOTE_TOKEN']) expect(name in vars, name).toBe(false);
    }
  });

  it('plan: merge request pipelines, saved plan as an artifact, the note found by the marker', async () => {
    const job = jobs.get('enrichctl-plan')!;
    expect(JSON.stringify(job.rules)).toContain('merge_request_event');
    const opts = await optionsOf(only(jobInvocations('enrichctl-plan'), 'plan'));
    expect(opts.format).toBe('markdown');
    expect(typeof opts.out).toBe('string');
    expect(obj(job.artifacts).paths).toContain(opts.out);
    expect((job.script as Json[]).map(str).join('\n')).toContain(COMMENT_MARKER);
    expect((await optionsOf(only(jobInvocations('enrichctl-apply'), 'apply'))).plan).toBe(opts.out);
  });

  it('plan: the same run writes a JUnit report, published as artifacts:reports:junit, also when the plan fails', async () => {
    const job = jobs.get('enrichctl-plan')!;
    const junit = reportsOf(await optionsOf(only(jobInvocations('enrichctl-plan'), 'plan'))).junit;
    expect(junit).toMatch(/\.xml$/);
    expect(obj(obj(job.artifacts).reports).junit).toBe(junit);
    expect(obj(job.artifacts).when).toBe('always');
    expect(obj(job.artifacts).paths).toContain('plan.md');
  });

  it('apply: default branch only, one at a time, the protected token', async () => {
    const job = jobs.get('enrichctl-apply')!;
    expect(str(job.resource_group)).not.toBe('');
    for (const rule of job.rules as Json[]) expect(str(obj(rule).if)).toContain('$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH');
    expect((job.script as Json[]).map(str).join('\n')).toContain('QUALYTICS_TOKEN="$QUALYTICS_APPLY_TOKEN"');
    for (const { args } of jobInvocations('enrichctl-apply')) expect(await optionsOf(args)).toMatchObject({ plan: expect.any(String) as unknown });
  });

  it('drift: scheduled, --detailed-exitcode --fail-on-unmanaged, exit 2 fails the job', async () => {
    const job = jobs.get('enrichctl-drift')!;
    expect(JSON.stringify(job.rules)).toContain('"$CI_PIPELINE_SOURCE == \\"schedule\\""');
    const opts = await optionsOf(only(jobInvocations('enrichctl-drift'), 'plan', '--detailed-exitcode'));
    expect(opts).toMatchObject({ detailedExitcode: true, failOnUnmanaged: true, format: 'markdown' });
    expect(job.allow_failure).toBeUndefined();
    expect((job.script as Json[]).map(str)).toContain('exit "$code"');
    expect(p.text).toContain("'enrichctl-drift'");
  });
});

// ---------------------------------------------------------------------------------------------
// Outside CI: a Kubernetes CronJob and a systemd service + timer writing Prometheus metrics
// ---------------------------------------------------------------------------------------------

const TEXTFILE_DIR = '/var/lib/node_exporter/textfile_collector';
const gitlabImage = (): string => str(obj(pipeline('gitlab/.gitlab-ci.yml').doc.default).image);

/** `enrichctl ...` in a container's exec form: run directly, or through `sh -c SCRIPT`. */
function containerInvocations(argv: readonly string[]): string[][] {
  const shell = ['sh', 'bash', '/bin/sh', '/bin/bash'].includes(argv[0] ?? '');
  const c = argv.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a));
  if (shell && c > 0 && argv[c + 1] !== undefined) return extractInvocations(argv[c + 1]!);
  const args = enrichctlArgs(argv);
  return args ? [args] : [];
}

describe('kubernetes/cronjob.yaml', () => {
  const text = readFileSync(join(CI_DIR, 'kubernetes/cronjob.yaml'), 'utf8');
  const document = parseDocument(text);
  const doc = obj(document.toJS());
  const pod = obj(obj(obj(obj(obj(doc.spec).jobTemplate).spec).template).spec);
  const inits = ((pod.initContainers as Json[] | undefined) ?? []).map(obj);
  const containers = ((pod.containers as Json[] | undefined) ?? []).map(obj);
  const all = [...inits, ...containers];
  const argv = (c: Obj): string[] => [...((c.command as Json[] | undefined) ?? []), ...((c.args as Json[] | undefined) ?? [])].map(str);
  const runs = containers.flatMap((c) => containerInvocations(argv(c)).map((args) => ({ c, args })));

  it('parses as YAML without errors or warnings, a CronJob that never overlaps', () => {
    expect([...document.errors, ...document.warnings].map((e) => e.message)).toStrictEqual([]);
    expect(doc).toMatchObject({ apiVersion: 'batch/v1', kind: 'CronJob' });
    expect(obj(doc.spec).concurrencyPolicy).toBe('Forbid');
    expect(pod.restartPolicy).toBe('Never');
    expect(containers.length).toBeGreaterThan(0);
  });

  it('every image is the digest-pinned image of the GitLab pipeline, with a comment naming its version', () => {
    for (const c of all) expect(c.image, str(c.name)).toBe(gitlabImage());
    const lines = text.split('\n').filter((l) => /^\s*image:/.test(l));
    expect(lines).toHaveLength(all.length);
    for (const line of lines) expect(line, line).toMatch(/@sha256:[0-9a-f]{64} # node \d+\.\d+\.\d+/);
  });

  it('runs as non-root, read-only root filesystem, no privilege escalation, no API token mounted', () => {
    expect(obj(pod.securityContext)).toMatchObject({ runAsNonRoot: true });
    expect(Number(obj(pod.securityContext).runAsUser)).toBeGreaterThan(0);
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const c of all) {
      expect(obj(c.securityContext), str(c.name)).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(obj(obj(c.securityContext).capabilities).drop, str(c.name)).toStrictEqual(['ALL']);
    }
  });

  it('writes Prometheus metrics into the textfile-collector volume, with a plan that parses with the real command tree', async () => {
    expect(runs).toHaveLength(1);
    const { c, args } = runs[0]!;
    expect(args[0]).toBe('plan');
    const opts = await optionsOf(args);
    const target = reportsOf(opts).prometheus;
    expect(target, '--report prometheus=FILE').toMatch(/\.prom$/);
    const mount = ((c.volumeMounts as Json[] | undefined) ?? []).map(obj).find((m) => target!.startsWith(`${str(m.mountPath)}/`));
    expect(mount, `a volume mounted above ${target}`).toBeDefined();
    expect(mount!.readOnly).not.toBe(true);
    const volume = ((pod.volumes as Json[] | undefined) ?? []).map(obj).find((v) => v.name === mount!.name);
    expect(obj(volume?.hostPath).path).toBe(TEXTFILE_DIR);
  });

  it('takes the token from a Secret, only in the container that runs enrichctl', () => {
    const env = (c: Obj): Obj[] => ((c.env as Json[] | undefined) ?? []).map(obj);
    const { c } = runs[0]!;
    const token = env(c).find((e) => e.name === 'QUALYTICS_TOKEN');
    expect(token?.value, 'no literal value').toBeUndefined();
    expect(obj(obj(token?.valueFrom).secretKeyRef)).toMatchObject({ name: expect.any(String) as unknown, key: expect.any(String) as unknown });
    for (const other of all.filter((o) => o !== c)) {
      expect(env(other).map((e) => e.name), str(other.name)).not.toContain('QUALYTICS_TOKEN');
      expect(other.envFrom, str(other.name)).toBeUndefined();
    }
  });
});

/** A small reading of a systemd unit file: sections of `Key=Value` lines (keys may repeat). */
function parseUnit(text: string): { sections: Map<string, [string, string][]>; errors: string[] } {
  const sections = new Map<string, [string, string][]>();
  const errors: string[] = [];
  let current: [string, string][] | undefined;
  text.split('\n').forEach((raw, n) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section) {
      if (sections.has(section[1]!)) errors.push(`line ${n + 1}: [${section[1]}] again`);
      current = [];
      sections.set(section[1]!, current);
    } else if (!current) {
      errors.push(`line ${n + 1}: before any section`);
    } else if (/^[A-Za-z][A-Za-z0-9]*=/.test(line) && !line.endsWith('\\')) {
      current.push([line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
    } else {
      errors.push(`line ${n + 1}: not Key=Value: ${line}`);
    }
  });
  return { sections, errors };
}

describe('systemd/enrichctl-drift.service and .timer', () => {
  const read = (f: string): string => readFileSync(join(CI_DIR, 'systemd', f), 'utf8');
  const service = parseUnit(read('enrichctl-drift.service'));
  const timer = parseUnit(read('enrichctl-drift.timer'));
  const values = (unit: typeof service, section: string, key: string): string[] => (unit.sections.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);

  it('parse as unit files with the sections they need', () => {
    expect(service.errors).toStrictEqual([]);
    expect(timer.errors).toStrictEqual([]);
    expect([...service.sections.keys()]).toStrictEqual(['Unit', 'Service']);
    expect([...timer.sections.keys()]).toStrictEqual(['Unit', 'Timer', 'Install']);
    expect(values(service, 'Service', 'Type')).toStrictEqual(['oneshot']);
    expect(values(timer, 'Timer', 'OnCalendar')).toHaveLength(1);
    expect(values(timer, 'Timer', 'Unit')).toStrictEqual(['enrichctl-drift.service']);
    expect(values(timer, 'Install', 'WantedBy')).toStrictEqual(['timers.target']);
  });

  it('ExecStart runs a plan that parses with the real command tree, writing into the textfile collector, drift not failing the unit', async () => {
    const exec = values(service, 'Service', 'ExecStart');
    expect(exec).toHaveLength(1);
    const found = extractInvocations(exec[0]!);
    expect(found).toHaveLength(1);
    expect(roughCount(exec[0]!)).toBe(1);
    expect(found[0]![0]).toBe('plan');
    const opts = await optionsOf(found[0]!);
    expect(opts).toMatchObject({ detailedExitcode: true, failOnUnmanaged: true });
    expect(reportsOf(opts).prometheus).toBe(`${TEXTFILE_DIR}/enrichctl.prom`);
    expect(values(service, 'Service', 'SuccessExitStatus').join(' ').split(/\s+/)).toContain('2');
    expect(values(service, 'Service', 'ReadWritePaths')).toContain(TEXTFILE_DIR);
    expect(values(service, 'Service', 'ProtectSystem')).toStrictEqual(['strict']);
  });

  it('the token comes from a credential file, never from the unit', async () => {
    const [credential] = values(service, 'Service', 'LoadCredential');
    expect(credential).toMatch(/^([\w.-]+):\/etc\/\S+$/);
    const name = credential!.slice(0, credential!.indexOf(':'));
    const opts = await optionsOf(extractInvocations(values(service, 'Service', 'ExecStart')[0]!)[0]!);
    expect(opts.tokenFile).toBe(`%d/${name}`);
    for (const env of values(service, 'Service', 'Environment')) expect(env).not.toMatch(/TOKEN/);
  });
});
