/**
 * Shell completion scripts (`enrichctl completion bash|zsh|fish`), written from a description of the
 * real command tree (cli/commands/completion.ts builds it from commander), so a new command or option
 * completes without touching this file. Pure.
 */

export interface CompletionOption {
  /** `--format`, and `-V` style short forms. */
  flags: string[];
  description: string;
  /** The option takes a value. */
  takesValue: boolean;
  /** The values it takes, when they are a fixed list (`--format`). */
  choices?: string[];
  /** Its value is a file or directory name (`--out <file>`): complete file names. */
  files?: boolean;
}

export interface CompletionCommand {
  name: string;
  description: string;
  options: CompletionOption[];
  /** Positional arguments are paths (manifests, a plan file): complete file names. */
  takesPaths: boolean;
  /** The positional argument is one of these (`completion bash`). */
  argumentChoices?: string[];
}

export interface CompletionSpec {
  program: string;
  commands: CompletionCommand[];
  /** Options of the program itself (`--version`, `--help`). */
  options: CompletionOption[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(spec: CompletionSpec, shell: Shell): string {
  switch (shell) {
    case 'bash':
      return bashScript(spec);
    case 'zsh':
      return zshScript(spec);
    case 'fish':
      return fishScript(spec);
    default: {
      const unreachable: never = shell;
      throw new Error(`unknown shell ${String(unreachable)}`);
    }
  }
}

function bashScript(spec: CompletionSpec): string {
  const fn = `_${spec.program}_completion`;
  const lines = [
    `# bash completion for ${spec.program}; load with: source <(${spec.program} completion bash)`,
    `${fn}() {`,
    '  local cur prev sub i',
    '  cur="${COMP_WORDS[COMP_CWORD]}"',
    '  prev="${COMP_WORDS[COMP_CWORD-1]}"',
    '  sub=""',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    case "${COMP_WORDS[i]}" in -*) ;; *) sub="${COMP_WORDS[i]}"; break ;; esac',
    '  done',
    '  case "$sub" in',
    `    "") COMPREPLY=($(compgen -W ${shellWord([...spec.commands.map((c) => c.name), ...spec.options.flatMap((o) => o.flags)].join(' '))} -- "$cur")); return ;;`,
  ];
  for (const c of spec.commands) {
    lines.push(`    ${c.name})`);
    lines.push('      case "$prev" in');
    for (const o of c.options.filter((x) => x.takesValue)) {
      const values = o.choices ? `COMPREPLY=($(compgen -W ${shellWord(o.choices.join(' '))} -- "$cur"))` : o.files ? 'COMPREPLY=($(compgen -f -- "$cur"))' : 'COMPREPLY=()';
      lines.push(`        ${o.flags.join('|')}) ${values}; return ;;`);
    }
    lines.push('      esac');
    const flags = c.options.flatMap((o) => o.flags).join(' ');
    const options = `COMPREPLY=($(compgen -W ${shellWord(flags)} -- "$cur"))`;
    const positional = c.argumentChoices ? `COMPREPLY=($(compgen -W ${shellWord(c.argumentChoices.join(' '))} -- "$cur"))` : c.takesPaths ? 'COMPREPLY=($(compgen -f -- "$cur"))' : undefined;
    lines.push(positional ? `      if [[ "$cur" == -* ]]; then ${options}; else ${positional}; fi` : `      ${options}`);
    lines.push('      return ;;');
  }
  lines.push('  esac', '}', `complete -o filenames -F ${fn} ${spec.program}`, '');
  return lines.join('\n');
}

function zshScript(spec: CompletionSpec): string {
  const lines = [
    `#compdef ${spec.program}`,
    `# zsh completion for ${spec.program}; load with: source <(${spec.program} completion zsh), or save as _${spec.program} on $fpath`,
    `_${spec.program}() {`,
    '  local -a commands',
    '  commands=(',
    ...spec.commands.map((c) => `    ${shellWord(`${c.name}:${c.description}`)}`),
    '  )',
    '  if (( CURRENT == 2 )); then',
    "    _describe 'command' commands",
    '    return',
    '  fi',
    '  case "${words[2]}" in',
  ];
  for (const c of spec.commands) {
    lines.push(`    ${c.name})`);
    const args = c.options.map((o) => shellWord(zshOption(o)));
    if (c.argumentChoices) args.push(shellWord(`1:argument:(${c.argumentChoices.join(' ')})`));
    else if (c.takesPaths) args.push(shellWord('*:file:_files'));
    lines.push(`      _arguments -s ${args.join(' ')}`, '      ;;');
  }
  lines.push('  esac', '}', `compdef _${spec.program} ${spec.program}`, '');
  return lines.join('\n');
}

function zshOption(o: CompletionOption): string {
  const names = o.flags.length > 1 ? `(${o.flags.join(' ')})'{${o.flags.join(',')}}'` : o.flags[0]!;
  const description = `[${o.description.replace(/[[\]:\\]/g, ' ')}]`;
  if (!o.takesValue) return `${names}${description}`;
  return `${names}${description}:value:${o.choices ? `(${o.choices.join(' ')})` : o.files ? '_files' : ' '}`;
}

function fishScript(spec: CompletionSpec): string {
  const p = spec.program;
  const lines = [`# fish completion for ${p}; load with: ${p} completion fish | source`, `complete -c ${p} -f`];
  for (const c of spec.commands) lines.push(`complete -c ${p} -n __fish_use_subcommand -a ${c.name} -d ${shellWord(c.description)}`);
  for (const o of spec.options) lines.push(`complete -c ${p} -n __fish_use_subcommand ${fishFlags(o)} -d ${shellWord(o.description)}`);
  for (const c of spec.commands) {
    const when = `-n ${shellWord(`__fish_seen_subcommand_from ${c.name}`)}`;
    if (c.argumentChoices) lines.push(`complete -c ${p} ${when} -x -a ${shellWord(c.argumentChoices.join(' '))}`);
    else if (c.takesPaths) lines.push(`complete -c ${p} ${when} -F`);
    for (const o of c.options) {
      const value = o.takesValue ? (o.choices ? ` -x -a ${shellWord(o.choices.join(' '))}` : o.files ? ' -r -F' : ' -x') : '';
      lines.push(`complete -c ${p} ${when} ${fishFlags(o)}${value} -d ${shellWord(o.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function fishFlags(o: CompletionOption): string {
  return o.flags.map((f) => (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`)).join(' ');
}

/** A single-quoted shell word (bash, zsh and fish all read `'...'` literally; a `'` is closed, escaped and reopened). */
export function shellWord(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}
