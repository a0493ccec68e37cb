// The four kinds of damage the recovery wizard is proven on, done to a context file the way
// the world does them: bytes flipped in the middle of a line (a bad disk sector, a careless
// editor), a line cut short (a tool that died mid-write), garbage appended (another program's
// stray output), the file deleted. And the file's records, to compare before and after.
import fs from 'node:fs';

export type DamageKind = 'flipped' | 'cut' | 'garbage' | 'deleted';
export const DAMAGE_KINDS: readonly DamageKind[] = ['flipped', 'cut', 'garbage', 'deleted'];

/** Damages `file`; `line` picks the line hit by flipped bytes or the cut (default the second). */
export function damageFile(file: string, kind: DamageKind, line = 1): void {
  if (kind === 'deleted') return fs.rmSync(file);
  if (kind === 'garbage') return fs.appendFileSync(file, Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x41, 0x0a, 0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x0a]));
  const lines = fs.readFileSync(file).toString('utf8').split('\n');
  const target = lines[line];
  if (target === undefined || target.length < 10) throw new Error(`${file} has no line ${line} long enough to damage`);
  if (kind === 'cut') lines[line] = target.slice(0, Math.floor(target.length / 2));
  const bytes = Buffer.from(lines.join('\n'), 'utf8');
  if (kind === 'flipped') {
    const at = lines.slice(0, line).reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0) + 3;
    for (let i = at; i < at + 4; i += 1) bytes[i] = (bytes[i] as number) ^ 0xa5;
  }
  fs.writeFileSync(file, bytes);
}

/** The records of a context file: every JSON line parsed, in a stable order (absent file: none). */
export function recordsOf(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.stringify(JSON.parse(line)))
    .sort();
}
