// Context file text of entities with random observations (seeded: the same for the same
// arguments), so that a backup cuts it into many pieces: about 1 MB per 3,000 lines.
import { seededRandom } from './seededRandom.ts';

export function noisyEntityLines(tag: string, count = 3000): string {
  const random = seededRandom(tag.charCodeAt(0) * 7919 + count);
  let text = '';
  for (let i = 0; i < count; i += 1) {
    const noise = Array.from({ length: 40 }, () => Math.floor(random() * 1e9).toString(36)).join('');
    text += `${JSON.stringify({ type: 'entity', name: `${tag}${i}`, entityType: 'x', observations: [noise] })}\n`;
  }
  return text;
}
