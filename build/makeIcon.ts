// Draws build/icon.png (512×512), the app icon electron-builder uses: a structural tension
// chart in three strokes (the desired outcome above, the current reality below, the tension
// between them). Run `npx tsx build/makeIcon.ts` after changing it; the PNG is committed.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { projectRoot } from './bundle.ts';

const SIZE = 512;
type Rgba = readonly [number, number, number, number];

const background: Rgba = [29, 41, 64, 255];
const outcome: Rgba = [242, 184, 75, 255];
const reality: Rgba = [132, 178, 214, 255];
const tension: Rgba = [236, 236, 236, 255];

function insideRoundedSquare(x: number, y: number, margin: number, radius: number): boolean {
  const lo = margin + radius;
  const hi = SIZE - margin - radius;
  const dx = x < lo ? lo - x : x > hi ? x - hi : 0;
  const dy = y < lo ? lo - y : y > hi ? y - hi : 0;
  return x >= margin && x < SIZE - margin && y >= margin && y < SIZE - margin && dx * dx + dy * dy <= radius * radius;
}

function pixel(x: number, y: number): Rgba {
  if (!insideRoundedSquare(x, y, 24, 88)) return [0, 0, 0, 0];
  if (y >= 120 && y < 160 && x >= 120 && x < 392) return outcome;
  if (y >= 352 && y < 392 && x >= 120 && x < 392) return reality;
  if (x >= 244 && x < 268 && y >= 160 && y < 352) return tension;
  return background;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function drawIcon(): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < SIZE; y++) {
    const row = Buffer.alloc(1 + SIZE * 4); // filter byte 0, then RGBA
    for (let x = 0; x < SIZE; x++) Buffer.from(pixel(x, y)).copy(row, 1 + x * 4);
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(Buffer.concat(rows), { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

fs.writeFileSync(path.join(projectRoot, 'build', 'icon.png'), drawIcon());
