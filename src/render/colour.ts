/** ANSI colours, applied only when the caller decided the output is a terminal that wants them. */
export interface Paint {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export const COLOUR: Paint = {
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  red: wrap(31, 39),
  bold: wrap(1, 22),
  dim: wrap(2, 22),
};

const same = (s: string): string => s;
export const PLAIN: Paint = { green: same, yellow: same, red: same, bold: same, dim: same };

export function paint(colour: boolean): Paint {
  return colour ? COLOUR : PLAIN;
}
