// The engine's clock for how long something took and when a slice of work is up: monotonic
// milliseconds, read from process.hrtime. Not performance.now(): in Node that global loads
// node:perf_hooks at its first use, about 8 ms of CPU a fresh `tension` process paid for timing
// its open (a tenth of what `chart list` costs beyond Node's own start).
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;
