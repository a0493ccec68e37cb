// How the health and insights views write numbers: sizes as a person reads them, times short.
import { byteSize } from '../../shared/byteSize.ts';

/** "12.3 MB", and "812 B" where space is short (shared/byteSize.ts). */
export const bytesText = (bytes: number): string => byteSize(bytes, 'B');

export const msText = (ms: number | null) => (ms === null ? '–' : ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`);

/** "2026-03-27 12:00" of an ISO time (UTC, as the figures count days). */
export const timeText = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;

export const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;
