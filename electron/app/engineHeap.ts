// The engine thread's young generation. V8 grows it to 2 x 16 MB semi-spaces while an open
// allocates a record per line that all survive, and keeps those pages afterwards: about 25 MB
// of resident memory holding nothing (28% of a re-open's at 10k charts). 8 MB semi-spaces hold
// it to about 11 MB more than the data, for a few per cent more scavenges during an open
// (measured by `npm run bench -- --only open`, whose children run with the same setting).

/** Each of the young generation's two semi-spaces, MB. */
export const ENGINE_SEMI_SPACE_MB = 8;

/** The engine worker's limits: V8 sizes the young generation as three semi-spaces (two, plus the new large-object space). */
export const ENGINE_WORKER_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 3 * ENGINE_SEMI_SPACE_MB } as const;

/** The same for a plain Node process running the engine (the bench's open children). */
export const ENGINE_NODE_FLAGS = [`--max-semi-space-size=${ENGINE_SEMI_SPACE_MB}`] as const;
