// The engine thread's young generation. V8 grows it to 2 x 16 MB semi-spaces while an open
// allocates a record per line that all survive, and keeps those pages afterwards: about 25 MB
// of resident memory holding nothing (28% of a re-open's at 10k charts). 8 MB semi-spaces
// halve that; in alternating runs of an open against 16 MB ones no slowdown showed (the
// machine's noise was larger than any). `npm run bench -- --only open` runs its children with
// the same setting, so its ratios are of this configuration.

/** Each of the young generation's two semi-spaces, MB. */
export const ENGINE_SEMI_SPACE_MB = 8;

/** The engine worker's limits: V8 sizes the young generation as three semi-spaces (two, plus the new large-object space). */
export const ENGINE_WORKER_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 3 * ENGINE_SEMI_SPACE_MB } as const;

/** The same for a plain Node process running the engine (the bench's open children). */
export const ENGINE_NODE_FLAGS = [`--max-semi-space-size=${ENGINE_SEMI_SPACE_MB}`] as const;
