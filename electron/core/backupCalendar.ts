// The periods the schedule and the retention policy count in: a day, an ISO week (Monday to
// Sunday) and a month, by the local clock (what a person means by "today") or by UTC (tests,
// servers). A period is named by text that sorts in time order: `2026-03-09`, `2026-W11`, `2026-03`.
import type { SlotKind } from './backups.ts';

export interface Calendar {
  readonly name: 'local' | 'utc';
  /** The period of this kind that holds the time (ms since the epoch). */
  period(kind: SlotKind, time: number): string;
  /** When the day after the one holding `time` begins: the next time a new slot can open. */
  nextDayStart(time: number): number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The ISO week of a calendar date: the week of its Thursday, numbered within that Thursday's year. */
function isoWeek(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month, day));
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  date.setUTCDate(date.getUTCDate() - weekday + 3);
  const weekYear = date.getUTCFullYear();
  const dayOfYear = (date.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000;
  return `${weekYear}-W${pad(Math.floor(dayOfYear / 7) + 1)}`;
}

function periodOf(kind: SlotKind, year: number, month: number, day: number): string {
  switch (kind) {
    case 'daily':
      return `${year}-${pad(month + 1)}-${pad(day)}`;
    case 'weekly':
      return isoWeek(year, month, day);
    default:
      return `${year}-${pad(month + 1)}`;
  }
}

export const localCalendar: Calendar = {
  name: 'local',
  period(kind, time) {
    const d = new Date(time);
    return periodOf(kind, d.getFullYear(), d.getMonth(), d.getDate());
  },
  nextDayStart(time) {
    const d = new Date(time);
    d.setHours(24, 0, 0, 0);
    return d.getTime();
  },
};

export const utcCalendar: Calendar = {
  name: 'utc',
  period(kind, time) {
    const d = new Date(time);
    return periodOf(kind, d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  },
  nextDayStart(time) {
    const d = new Date(time);
    d.setUTCHours(24, 0, 0, 0);
    return d.getTime();
  },
};
