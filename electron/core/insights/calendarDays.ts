// Days and weeks as the figures count them: UTC calendar days (the journal's times are UTC, and
// a due date is a calendar date), weeks from Monday (ISO 8601). A day is a whole number (days
// since 1970-01-01), a time inside the rollup a whole number of minutes since then: both fit the
// 32-bit columns the rollup keeps (rollupState.ts).

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;
/** "No day": a step without a due date, a chart without one. */
export const NO_DAY = -0x80000000;

export const dayOfMs = (ms: number): number => Math.floor(ms / DAY_MS);
export const minuteOfMs = (ms: number): number => Math.floor(ms / MINUTE_MS);
export const dayOfMinute = (minute: number): number => Math.floor((minute * MINUTE_MS) / DAY_MS);

/** 'YYYY-MM-DD' of a day. */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** An ISO time of a minute. */
export function timeOfMinute(minute: number): string {
  return new Date(minute * MINUTE_MS).toISOString();
}

const DATE_START = /^(\d{4})-(\d{2})-(\d{2})/;

/**
 * The calendar day a due date names ('2026-12-31', or the date part of '2026-12-31T17:00:00Z':
 * a due date is a day, whatever hour it carries); undefined for anything else.
 */
export function dayOfDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATE_START.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isFinite(ms) ? dayOfMs(ms) : undefined;
}

/** The minute of an ISO time, or undefined when it is not one. */
export function minuteOfTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? minuteOfMs(ms) : undefined;
}

/** The Monday that starts the week holding `day` (1970-01-01 was a Thursday). */
export function weekOf(day: number): number {
  return day - ((((day + 3) % 7) + 7) % 7);
}
