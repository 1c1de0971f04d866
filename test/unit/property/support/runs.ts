/** Run counts: small enough for the suite's time budget, raised with PROPERTY_RUNS=<n> for a deeper search. */
const fromEnv = Number(process.env.PROPERTY_RUNS);

export function runs(defaultRuns: number): number {
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : defaultRuns;
}

/** fast-check parameters; PROPERTY_SEED=<n> replays one seed. */
export function params(defaultRuns: number): { numRuns: number; seed?: number } {
  const seed = Number(process.env.PROPERTY_SEED);
  return { numRuns: runs(defaultRuns), ...(Number.isInteger(seed) ? { seed } : {}) };
}
