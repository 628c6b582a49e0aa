/**
 * One fixed fast-check seed per run, so a failing property replays exactly: `FC_SEED=<integer>`
 * overrides the default (to replay a reported failure, or to hunt with other inputs). Test files
 * put it in a describe name, so every reported test names the seed it ran with.
 */
const DEFAULT_FC_SEED = 20261124;

function seedFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_FC_SEED;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, not ${JSON.stringify(raw)}`);
  return seed;
}

export const FC_SEED = seedFromEnv(process.env.FC_SEED);

/** For a describe name: "fast-check seed 20261124 (FC_SEED)". */
export const FC_SEED_LABEL = `fast-check seed ${FC_SEED} (FC_SEED)`;
