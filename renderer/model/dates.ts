// Due dates as the charts store them (2026-12-31 or a full ISO time), compared as days.

/** Today as YYYY-MM-DD in local time. */
export function today(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function dayOf(date: string): string {
  return date.slice(0, 10);
}

export function isOverdue(dueDate: string | undefined, completed: boolean, now: Date = new Date()): boolean {
  return !completed && dueDate !== undefined && dayOf(dueDate) < today(now);
}

export function formatDay(date: string | undefined): string {
  return date === undefined ? 'no date' : dayOf(date);
}

export function formatTime(ts: string): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? ts : d.toLocaleString();
}
