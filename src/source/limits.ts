/**
 * Bounds on untrusted input. A manifest is a few kilobytes in practice; these keep a hostile or
 * mistaken file (a log, a dump, a YAML bomb) from costing more than a clear error.
 */
export const LIMITS = {
  /** Checked with stat before reading, so a huge file is never loaded. */
  maxFileBytes: 10 * 1024 * 1024,
  /**
   * All manifests of one run together (many files each under the per-file limit, e.g. a folder a
   * link or a generator filled): checked with stat before any is read, and again as they are read.
   */
  maxTotalBytes: 64 * 1024 * 1024,
  /**
   * yaml's `maxAliasCount`: roughly how many nodes alias expansion may produce per anchor. High
   * enough for a large manifest that repeats `*link` on every entry, low enough that the classic
   * "billion laughs" fails at its third level.
   */
  maxAliasCount: 10_000,
  /** Collections inside collections; a manifest needs 4. */
  maxDepth: 64,
} as const;
