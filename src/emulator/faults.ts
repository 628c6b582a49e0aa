/**
 * Fault injection for the emulator: latency, random errors and connection resets for benchmarks,
 * and a script of deterministic faults for tests.
 *
 * A decision is taken when a request arrives, before the state is touched, so a faulted write
 * changes nothing; the one exception is a scripted `afterCommit` fault, which lets the write happen
 * and then drops (or replaces) the answer, to prove that a client's retried writes are idempotent.
 */

/** One deterministic fault: the next `times` requests that match get it, in script order. */
export type ScriptedFault = {
  /** HTTP method to match (case-insensitive); any method when absent. */
  method?: string;
  /** Regular expression source matched against the path without its query; any path when absent. */
  pathPattern?: string;
  /** Answer with this status instead of serving. Exactly one of `status` and `reset` is given. */
  status?: number;
  /** Destroy the connection without an answer. */
  reset?: boolean;
  /** Serve the request (the state changes), then apply the fault to the answer. */
  afterCommit?: boolean;
  /** For a 429: the `Retry-After` value; defaults to the config's `retryAfterSeconds`. */
  retryAfterSeconds?: number;
  times: number;
};

export type FaultConfig = {
  /** Fixed delay before answering every /api request, faulted or not. */
  latencyMs: number;
  /** Share (0..1) of /api requests answered with one of `errorStatuses` instead of being served. */
  errorRate: number;
  errorStatuses: number[];
  /** `Retry-After` of injected 429 answers (0 is allowed: "retry now"). */
  retryAfterSeconds: number;
  /** Share (0..1) of /api requests whose connection is destroyed without an answer. */
  resetRate: number;
  /** Seed of the PRNG behind the rates; setting it restarts the sequence. */
  seed: number;
  script: ScriptedFault[];
};

export const DEFAULT_FAULTS: FaultConfig = {
  latencyMs: 0,
  errorRate: 0,
  errorStatuses: [503],
  retryAfterSeconds: 1,
  resetRate: 0,
  seed: 1,
  script: [],
};

/** When an injected fault happens relative to the state change. */
export type FaultTiming = 'before' | 'after-commit';

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'status'; status: number; retryAfterSeconds: number; timing: FaultTiming }
  | { kind: 'reset'; timing: FaultTiming };

export interface FaultInjector {
  /** The current configuration, with the script's remaining counts (a copy). */
  config(): FaultConfig;
  /** Merges a partial configuration; throws on an invalid one (see `parseFaultPatch`). */
  update(patch: Partial<FaultConfig>): void;
  /** The current fixed latency (cheap: read on every request). */
  latencyMs(): number;
  /** Decides the fate of one arriving request and consumes a scripted fault if one matches. */
  decide(method: string, path: string): FaultDecision;
}

/** mulberry32: a tiny seeded PRNG, good enough for reproducible fault rates. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type ArmedFault = { entry: ScriptedFault; pattern: RegExp | undefined };

export function createFaultInjector(initial: Partial<FaultConfig> = {}): FaultInjector {
  let config: FaultConfig = { ...DEFAULT_FAULTS, errorStatuses: [...DEFAULT_FAULTS.errorStatuses], script: [] };
  let armed: ArmedFault[] = [];
  let random = mulberry32(config.seed);

  const update = (patch: Partial<FaultConfig>): void => {
    const parsed = parseFaultPatch(patch);
    if (!parsed.ok) throw new Error(`invalid fault configuration: ${parsed.problem}`);
    const next = parsed.patch;
    config = { ...config, ...next };
    if (next.errorStatuses) config.errorStatuses = [...next.errorStatuses];
    if (next.script) {
      // Copies, so consuming the script never mutates the caller's objects.
      armed = next.script.map((entry) => ({
        entry: { ...entry },
        pattern: entry.pathPattern === undefined ? undefined : new RegExp(entry.pathPattern),
      }));
    }
    if (next.seed !== undefined) random = mulberry32(next.seed);
  };

  const decideScripted = (method: string, path: string): FaultDecision | undefined => {
    const index = armed.findIndex(
      ({ entry, pattern }) =>
        (entry.method === undefined || entry.method.toUpperCase() === method.toUpperCase()) &&
        (pattern === undefined || pattern.test(path)),
    );
    const found = armed[index];
    if (!found) return undefined;
    const { entry } = found;
    entry.times -= 1;
    if (entry.times <= 0) armed.splice(index, 1);
    const timing: FaultTiming = entry.afterCommit ? 'after-commit' : 'before';
    if (entry.reset) return { kind: 'reset', timing };
    return {
      kind: 'status',
      status: entry.status ?? 503,
      retryAfterSeconds: entry.retryAfterSeconds ?? config.retryAfterSeconds,
      timing,
    };
  };

  // Draws happen only for non-zero rates, so a run is reproducible from (config, request sequence).
  const decideRandom = (): FaultDecision => {
    if (config.resetRate > 0 && random() < config.resetRate) return { kind: 'reset', timing: 'before' };
    if (config.errorRate > 0 && random() < config.errorRate) {
      const statuses = config.errorStatuses;
      const pick = statuses.length === 1 ? 0 : Math.floor(random() * statuses.length);
      const status = statuses[pick] ?? 503;
      return { kind: 'status', status, retryAfterSeconds: config.retryAfterSeconds, timing: 'before' };
    }
    return { kind: 'none' };
  };

  update(initial);
  return {
    config: () => ({
      ...config,
      errorStatuses: [...config.errorStatuses],
      script: armed.map(({ entry }) => ({ ...entry })),
    }),
    update,
    latencyMs: () => config.latencyMs,
    decide: (method, path) => decideScripted(method, path) ?? decideRandom(),
  };
}

export type FaultPatchResult = { ok: true; patch: Partial<FaultConfig> } | { ok: false; problem: string };

const CONFIG_KEYS = new Set(Object.keys(DEFAULT_FAULTS));
const SCRIPT_KEYS = new Set(['method', 'pathPattern', 'status', 'reset', 'afterCommit', 'retryAfterSeconds', 'times']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErrorStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599;
}

function isRate(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/**
 * Checks a partial fault configuration from the admin API or `setFaults`. Unknown keys are refused:
 * a misspelt fault would otherwise silently not happen and a test would pass for the wrong reason.
 */
export function parseFaultPatch(value: unknown): FaultPatchResult {
  if (!isRecord(value)) return { ok: false, problem: 'the fault configuration must be a JSON object' };
  const unknown = Object.keys(value).filter((k) => !CONFIG_KEYS.has(k));
  if (unknown.length > 0) return { ok: false, problem: `unknown key(s): ${unknown.join(', ')}` };
  const patch: Partial<FaultConfig> = {};
  const { latencyMs, errorRate, errorStatuses, retryAfterSeconds, resetRate, seed, script } = value;
  if (latencyMs !== undefined) {
    // Node's timers take at most 2^31 - 1 ms and make anything longer 1 ms: an hour is the bound.
    if (typeof latencyMs !== 'number' || !Number.isFinite(latencyMs) || latencyMs < 0 || latencyMs > 3_600_000) {
      return { ok: false, problem: 'latencyMs must be a number from 0 to 3600000 (an hour)' };
    }
    patch.latencyMs = latencyMs;
  }
  if (errorRate !== undefined) {
    if (!isRate(errorRate)) return { ok: false, problem: 'errorRate must be a number from 0 to 1' };
    patch.errorRate = errorRate;
  }
  if (resetRate !== undefined) {
    if (!isRate(resetRate)) return { ok: false, problem: 'resetRate must be a number from 0 to 1' };
    patch.resetRate = resetRate;
  }
  if (errorStatuses !== undefined) {
    if (!Array.isArray(errorStatuses) || errorStatuses.length === 0 || !errorStatuses.every(isErrorStatus)) {
      return { ok: false, problem: 'errorStatuses must be a non-empty array of statuses from 400 to 599' };
    }
    patch.errorStatuses = errorStatuses.filter(isErrorStatus);
  }
  if (retryAfterSeconds !== undefined) {
    if (!isCount(retryAfterSeconds)) return { ok: false, problem: 'retryAfterSeconds must be an integer >= 0' };
    patch.retryAfterSeconds = retryAfterSeconds;
  }
  if (seed !== undefined) {
    if (typeof seed !== 'number' || !Number.isInteger(seed)) return { ok: false, problem: 'seed must be an integer' };
    patch.seed = seed;
  }
  if (script !== undefined) {
    if (!Array.isArray(script)) return { ok: false, problem: 'script must be an array' };
    const entries: ScriptedFault[] = [];
    for (const [i, raw] of script.entries()) {
      const entry = parseScriptedFault(raw);
      if (typeof entry === 'string') return { ok: false, problem: `script[${i}]: ${entry}` };
      entries.push(entry);
    }
    patch.script = entries;
  }
  return { ok: true, patch };
}

function parseScriptedFault(raw: unknown): ScriptedFault | string {
  if (!isRecord(raw)) return 'must be an object';
  const unknown = Object.keys(raw).filter((k) => !SCRIPT_KEYS.has(k));
  if (unknown.length > 0) return `unknown key(s): ${unknown.join(', ')}`;
  const { method, pathPattern, status, reset, afterCommit, retryAfterSeconds, times } = raw;
  if (!isCount(times) || times < 1) return 'times must be an integer >= 1';
  if (method !== undefined && typeof method !== 'string') return 'method must be a string';
  if (pathPattern !== undefined) {
    if (typeof pathPattern !== 'string') return 'pathPattern must be a string';
    try {
      new RegExp(pathPattern);
    } catch {
      return `pathPattern is not a valid regular expression: ${pathPattern}`;
    }
  }
  if (reset !== undefined && typeof reset !== 'boolean') return 'reset must be a boolean';
  if (afterCommit !== undefined && typeof afterCommit !== 'boolean') return 'afterCommit must be a boolean';
  if (status !== undefined && !isErrorStatus(status)) return 'status must be an integer from 400 to 599';
  if ((reset === true) === (status !== undefined)) return 'give exactly one of status and reset: true';
  if (retryAfterSeconds !== undefined && !isCount(retryAfterSeconds)) {
    return 'retryAfterSeconds must be an integer >= 0';
  }
  const entry: ScriptedFault = { times };
  if (method !== undefined) entry.method = method;
  if (pathPattern !== undefined) entry.pathPattern = pathPattern;
  if (status !== undefined) entry.status = status;
  if (reset !== undefined) entry.reset = reset;
  if (afterCommit !== undefined) entry.afterCommit = afterCommit;
  if (retryAfterSeconds !== undefined) entry.retryAfterSeconds = retryAfterSeconds;
  return entry;
}
