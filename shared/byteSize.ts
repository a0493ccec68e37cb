// Sizes as a person reads them: 0 bytes, 812 bytes, 4.2 KB, 250 MB, 1.3 GB (powers of 1,024).
// One definition for the CLI, the main process's messages and the renderer's views. `unit`
// 'B' writes small sizes as "812 B", for a plot's axis where space is short.
export function byteSize(bytes: number, unit: 'words' | 'B' = 'words'): string {
  if (bytes < 1_024) return unit === 'B' ? `${bytes} B` : `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1_024;
  let index = 0;
  while (value >= 1_024 && index < units.length - 1) {
    value /= 1_024;
    index += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[index]}`;
}
