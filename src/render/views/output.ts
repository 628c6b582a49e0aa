/**
 * Where a view writes: the command's product goes to `stdout` (so `--format json` always parses),
 * messages to `stderr`. Each stream says whether it wants colour (a terminal, no NO_COLOR, no
 * --no-color); the CLI decides that once, at its edge.
 */
export interface Stream {
  write(text: string): unknown;
  colour: boolean;
}

export interface Output {
  stdout: Stream;
  stderr: Stream;
}
