/**
 * Every command's --help ends with examples that parse with the real command tree; `completion`
 * prints scripts that know every command, option and --format value, checked by running the bash
 * one and by reading the zsh and fish ones back.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import type { Io } from '../../src/cli/io.js';
import { completionSpec } from '../../src/cli/commands/completion.js';
import { run } from '../helpers/cli.js';
import { PLAN_FORMATS } from '../../src/render/views/plan-view.js';

function quietIo(): Io {
  return { stdout: { write: () => true }, stderr: { write: () => true }, stdin: process.stdin, env: {}, cwd: process.cwd(), signal: new AbortController().signal };
}

const spec = completionSpec(buildProgram(quietIo(), () => undefined));
const COMMANDS = spec.commands.map((c) => c.name);

/** A shell-like split of an example line, quotes honoured (the examples use no escapes). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

async function parses(args: string[]): Promise<boolean> {
  let deferred = 0;
  const program = buildProgram(quietIo(), () => { deferred++; });
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch {
    return false;
  }
  return deferred === 1;
}

describe('--help', () => {
  it.each(COMMANDS)('%s ends with two to four examples, each of which parses', async (command) => {
    const r = await run([command, '--help'], { cwd: process.cwd() });
    expect(r.code).toBe(0);
    const [, examples = ''] = r.stdout.split('\nExamples:\n');
    const lines = examples.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(4);
    expect(r.stdout.trimEnd().endsWith(lines.at(-1)!)).toBe(true);
    for (const line of lines) {
      const call = words(line.split(' # ')[0]!.replace(/^\s*(source <\()?/, '').replace(/\)?\s*(>.*)?$/, ''));
      expect(call[0], line).toBe('enrichctl');
      expect(await parses(call.slice(1)), line).toBe(true);
    }
  });
});

async function script(shell: string): Promise<string> {
  const r = await run(['completion', shell], { cwd: process.cwd() });
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('completion', () => {
  it('refuses a shell it does not know', async () => {
    const r = await run(['completion', 'tcsh'], { cwd: process.cwd() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("command-argument value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.");
  });

  it('bash: completes commands, options, --format values and files, run in a real bash', async () => {
    const text = await script('bash');
    const complete = (line: string): string[] => {
      const cword = line.endsWith(' ') ? line.trim().split(/\s+/).length : line.trim().split(/\s+/).length - 1;
      const out = execFileSync('bash', ['-c', `${text}\nCOMP_WORDS=(${line.trim()}${line.endsWith(' ') ? " ''" : ''}); COMP_CWORD=${cword}; _enrichctl_completion; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
      return out.split('\n').filter((w) => w !== '');
    };
    expect(complete('enrichctl ')).toStrictEqual([...COMMANDS, '-V', '--version', '-h', '--help']);
    expect(complete('enrichctl pl')).toStrictEqual(['plan']);
    expect(complete('enrichctl plan --format ')).toStrictEqual([...PLAN_FORMATS]);
    expect(complete('enrichctl plan --detailed')).toStrictEqual(['--detailed-exitcode']);
    expect(complete('enrichctl apply --auto-approve --fo')).toStrictEqual(['--format']);
    expect(complete('enrichctl apply --plan pl')).toStrictEqual([]);
    expect(complete('enrichctl completion ')).toStrictEqual(['bash', 'zsh', 'fish']);
    expect(complete('enrichctl validate ex')).toStrictEqual(['examples']);
  });

  it('zsh: one _arguments spec per command with every option and its values (read back from the script)', async () => {
    const text = await script('zsh');
    expect(text.startsWith('#compdef enrichctl\n')).toBe(true);
    for (const c of spec.commands) {
      const line = text.split('\n').find((l) => l.trim().startsWith('_arguments') && text.split('\n')[text.split('\n').indexOf(l) - 1]!.trim() === `${c.name})`);
      expect(line, c.name).toBeDefined();
      for (const o of c.options) for (const f of o.flags) expect(line!, `${c.name} ${f}`).toContain(f);
      for (const o of c.options.filter((x) => x.choices)) expect(line!).toContain(`(${o.choices!.join(' ')})`);
    }
  });

  it('fish: a complete line per command and per option, with --format values (read back from the script)', async () => {
    const text = await script('fish');
    const lines = text.split('\n');
    for (const c of spec.commands) {
      expect(lines).toContain(`complete -c enrichctl -n __fish_use_subcommand -a ${c.name} -d '${c.description.replace(/'/g, "'\\''")}'`);
      for (const o of c.options) {
        const long = o.flags.find((f) => f.startsWith('--'))!;
        const found = lines.find((l) => l.includes(`'__fish_seen_subcommand_from ${c.name}'`) && l.includes(` -l ${long.slice(2)} `));
        expect(found, `${c.name} ${long}`).toBeDefined();
        if (o.choices) expect(found!).toContain(`-x -a '${o.choices.join(' ')}'`);
      }
    }
  });
});

/** zsh and fish are not on every machine: where they are, the scripts also run in them. */
function has(shell: string): boolean {
  try {
    execFileSync(shell, ['-c', 'true']);
    return true;
  } catch {
    return false;
  }
}

describe('completion in real shells, where installed', () => {
  it.skipIf(!has('fish'))('fish completes --format values', async () => {
    const text = await script('fish');
    const out = execFileSync('fish', ['-c', `${text}\ncomplete -C 'enrichctl plan --format '`], { encoding: 'utf8' });
    expect(out.split('\n').filter(Boolean).map((l) => l.split('\t')[0]).sort()).toStrictEqual([...PLAN_FORMATS].sort());
  });

  it.skipIf(!has('zsh'))('zsh reads the script', async () => {
    const text = await script('zsh');
    expect(execFileSync('zsh', ['-c', `autoload -U compinit && compinit -u -D; ${text}\nprint -r -- $+functions[_enrichctl]`], { encoding: 'utf8' }).trim()).toBe('1');
  });
});
