// How the health and insights views write numbers: sizes as a person reads them, times short.

/** "12.3 MB" (the CLI's formatBytes, electron/core/freeSpace.ts, which the renderer cannot import). */
export function bytesText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export const msText = (ms: number | null) => (ms === null ? '–' : ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`);

/** "2026-03-27 12:00" of an ISO time (UTC, as the figures count days). */
export const timeText = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;

export const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;
