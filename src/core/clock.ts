/**
 * Milliseconds on a monotonic clock. Not `performance.now()`: the first use of the global
 * `performance` loads Node's perf_hooks internals, ~9 M instructions before a plan's first request.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
