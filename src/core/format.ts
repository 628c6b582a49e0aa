/**
 * `1000000` -> `1,000,000`. Hand-written because the first `toLocaleString` in a process loads ICU
 * data, which cost ~18 ms of a CLI run's wall time.
 */
export function thousands(n: number): string {
  if (!Number.isInteger(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
