/** The examples that end every command's `--help`. */
import type { Command } from 'commander';

export type Example = readonly [command: string, what: string];

export function addExamples(cmd: Command, examples: readonly Example[]): Command {
  const width = Math.max(...examples.map(([c]) => c.length));
  return cmd.addHelpText('after', `\nExamples:\n${examples.map(([c, what]) => `  ${c.padEnd(width)}  # ${what}`).join('\n')}\n`);
}
