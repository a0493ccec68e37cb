// How long ago something happened, in words ("just now", "5 minutes ago", "3 days ago"); the
// exact time goes in the title beside it.
export function sinceWhen(iso: string | undefined, now: Date = new Date()): string {
  if (iso === undefined) return 'never';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((now.getTime() - then) / 1_000);
  if (seconds < 0) return 'in the future (the clock moved back?)';
  if (seconds < 60) return 'just now';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'} ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}
