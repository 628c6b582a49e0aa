/**
 * One view made of several of the same kind: the command's `--format` view on stdout and one per
 * `--report FORMAT=FILE`, each called with the same values in the same order (one run, one read of
 * the live state, several outputs).
 */
type Method = (...args: never[]) => unknown;

export function fanOut<V extends { [K in keyof V]: Method }>(views: readonly [V, ...V[]]): V {
  if (views.length === 1) return views[0];
  const combined: Partial<Record<keyof V, unknown>> = {};
  for (const key of Object.keys(views[0]) as Array<keyof V>) {
    combined[key] = (...args: never[]): void => {
      for (const view of views) view[key](...args);
    };
  }
  return combined as V;
}
