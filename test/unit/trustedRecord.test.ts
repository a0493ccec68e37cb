// trustedRecord reads a line of a file we wrote (the fast path of a re-open from the checkpoint)
// without JSON.parse: whenever it answers, its key, kind and chart must be what the full parse
// (classifyLine) gives, or a record would change charts, or identity, between two opens. Where
// it cannot be sure it answers undefined, and the full parse decides.
import { describe, expect, it } from 'vitest';
import { classifyLine, makeRecord, trustedRecord } from '../../electron/core/records.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

function fullReading(raw: string) {
  const verdict = classifyLine(raw);
  if (!verdict.ok || verdict.kind === 'blank') throw new Error(`not a record: ${raw}`);
  const record = makeRecord(raw, verdict.fields);
  return { key: record.key, kind: record.kind, chartId: record.chartId };
}

const lines = [
  '{"type":"entity","name":"a","entityType":"note","observations":[]}',
  '{"type":"entity","name":"a","entityType":"note","observations":[],"metadata":{"chartId":"c1"}}',
  // A nested object holding its own metadata before the record's: the record's chart is the top-level one.
  '{"type":"entity","name":"a","entityType":"note","observations":[],"extra":{"metadata":{"chartId":"nested"}},"metadata":{"chartId":"top"}}',
  '{"type":"entity","name":"a","entityType":"note","observations":[],"metadata":{"chartId":"top","inner":{"metadata":{"chartId":"deep"}}}}',
  '{"type":"entity","name":"a","entityType":"note","observations":[],"extra":{"metadata":{"chartId":"nested"}}}',
  '{"type":"entity","name":"a","entityType":"note","observations":[],"metadata":{"dueDate":"2026-01-01","chartId":"later"}}',
  '{"type":"entity","name":"a","entityType":"note","observations":["\\"metadata\\":{\\"chartId\\":\\"in text\\"}"]}',
  '{"type":"entity","name":"a","entityType":"note","observations":[],"metadata":{"chartId":"c1"},"metadata":{"chartId":"c2"}}',
  '{"type":"relation","from":"x","to":"y","relationType":"r"}',
  '{"type":"relation","from":"x","to":"y","relationType":"r","metadata":{"chartId":"c9"}}',
  '{"type":"relation","from":"x","to":"y","relationType":"r","extra":{"metadata":{"chartId":"n"}}}',
  '{"type":"entity","name":"a","entityType":"note","observations":[],"name":"b"}',
  // A key that only ends in "metadata" (an escaped quote before it) is not the record's metadata.
  '{"type":"entity","name":"a","entityType":"note","observations":[],"x\\"metadata":{"chartId":"fake"}}',
  // Key fields' names as values, a brace in the name: the usual reading still applies.
  '{"type":"entity","name":"a{b","entityType":"type","observations":["name"],"metadata":{"chartId":"c1"}}',
  '{"type":"relation","from":"x","to":"y","relationType":"type","metadata":{"chartId":"c9"}}',
  '{"type":"relation","from":"x","to":"y","relationType":"r","to":"z"}',
];

describe('the fast reading of our own lines agrees with the full parse', () => {
  for (const raw of lines) {
    it(raw, () => {
      const fast = trustedRecord(raw);
      if (fast === undefined) return; // the full parse decides
      expect({ key: fast.key, kind: fast.kind, chartId: fast.chartId }).toEqual(fullReading(raw));
    });
  }

  it('takes the fast path for usual lines, key field names as values and braces in a name included', () => {
    for (const raw of [lines[1], lines[13], lines[14], lines[9]] as string[]) {
      expect(trustedRecord(raw), raw).toBeDefined();
      expect(trustedRecord(raw)?.chartId, raw).toBe(fullReading(raw).chartId);
    }
    expect(trustedRecord(lines[12] as string)).toBeUndefined(); // an escaped "metadata" key: the full parse decides
  });

  it('on seeded random lines with metadata and nested objects in any order', () => {
    const random = seededRandom(7);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    let answered = 0;
    for (let i = 0; i < 3_000; i += 1) {
      const base: [string, unknown][] = random() < 0.7 ? [['type', 'entity'], ['name', `n${i % 7}`], ['entityType', 'note'], ['observations', []]] : [['type', 'relation'], ['from', 'a'], ['to', 'b'], ['relationType', 'r']];
      const extras: [string, unknown][] = [];
      for (let j = Math.floor(random() * 3); j > 0; j -= 1) extras.push(pick([['metadata', { chartId: pick(['c1', 'c2']) }], ['extra', { metadata: { chartId: 'nested' } }], ['metadata', { level: 1, chartId: 'c3' }], ['note', '"metadata":{"chartId":"x"}']] as [string, unknown][]));
      const body = [...base, ...extras].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',');
      const raw = `{${body}}`;
      const fast = trustedRecord(raw);
      if (fast === undefined) continue;
      answered += 1;
      expect({ key: fast.key, kind: fast.kind, chartId: fast.chartId }, raw).toEqual(fullReading(raw));
    }
    expect(answered).toBeGreaterThan(1_000); // the fast path is still taken for the usual lines
  });
});
