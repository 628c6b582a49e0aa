/**
 * `enrichctl completion bash|zsh|fish`: a completion script built from the real command tree, so it
 * always knows every command, option and `--format` value this version has.
 */
import { Argument, type Command } from 'commander';
import { completionScript, SHELLS, type CompletionOption, type CompletionSpec, type Shell } from '../../render/completion.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import type { Handler } from './handler.js';
import { addExamples } from '../help.js';

/** What completion needs to know of a commander tree: names, descriptions, options and their values. */
export function completionSpec(program: Command): CompletionSpec {
  return {
    program: program.name(),
    commands: program.commands.map((c) => {
      const argument = c.registeredArguments[0];
      return {
        name: c.name(),
        description: c.description(),
        options: [...c.options.map(optionOf), { flags: ['-h', '--help'], description: 'display help for command', takesValue: false }],
        takesPaths: argument !== undefined && !argument.argChoices,
        ...(argument?.argChoices ? { argumentChoices: [...argument.argChoices] } : {}),
      };
    }),
    options: [
      ...program.options.map(optionOf),
      { flags: ['-h', '--help'], description: 'display help for command', takesValue: false },
    ],
  };
}

function optionOf(o: Command['options'][number]): CompletionOption {
  const flags = [o.short, o.long].filter((f): f is string => typeof f === 'string');
  const option: CompletionOption = { flags, description: o.description, takesValue: o.required || o.optional };
  if (o.argChoices) option.choices = [...o.argChoices];
  else if (/<[^>]*(file|dir|path|seed)[^>]*>/.test(o.flags)) option.files = true;
  return option;
}

export function registerCompletion(program: Command, io: Io, defer: (h: Handler) => void): void {
  const cmd = program
    .command('completion')
    .description('Print a shell completion script (bash, zsh or fish) for every command and option.')
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices([...SHELLS]));
  addExamples(cmd, [
    ['source <(enrichctl completion bash)', 'in ~/.bashrc'],
    ['enrichctl completion zsh > "${fpath[1]}/_enrichctl"', 'zsh, once'],
    ['enrichctl completion fish > ~/.config/fish/completions/enrichctl.fish', 'fish, once'],
  ]);
  cmd.action((shell: Shell) => {
    defer(async () => {
      io.stdout.write(completionScript(completionSpec(program), shell));
      return EXIT.ok;
    });
  });
}
