import { describe, expect, it } from 'vitest';
import { JOURNAL_FORMAT, decodeJournalLine, encodeCommit, encodeHeader, encodeSnapshot, openSealedLine, sealLine } from '../../electron/core/journalFormat.ts';

describe('journal lines', () => {
  it('a sealed line opens again and carries its checksum as the last field', () => {
    const line = sealLine('{"a":1,"b":"two"}');
    expect(line).toMatch(/^\{"a":1,"b":"two","crc":"[0-9a-f]{8}"\}\n$/);
    const opened = openSealedLine(line.trimEnd());
    expect(opened).toEqual({ ok: true, value: { a: 1, b: 'two' } });
  });

  it('any changed byte fails the checksum', () => {
    const line = encodeCommit({ seq: 1, ts: '2026-01-01T00:00:00.000Z', tx: 't', origin: 'app' }, [{ canonicalRecord: '{"type":"entity","name":"A"}' }]).trimEnd();
    expect(decodeJournalLine(line).ok).toBe(true);
    for (let i = 0; i < line.length - 20; i += 7) {
      const broken = line.slice(0, i) + (line[i] === 'x' ? 'y' : 'x') + line.slice(i + 1);
      expect(decodeJournalLine(broken).ok, `byte ${i}`).toBe(false);
    }
  });

  it('commits embed records as their exact text and decode to the same values', () => {
    const line = encodeCommit({ seq: 7, ts: '2026-01-01T00:00:00.000Z', tx: 't', origin: 'cli', op: 'op-1' }, [
      { canonicalRecord: '{"type":"entity","name":"A","entityType":"x","observations":[]}' },
      { change: { line: '{ "type": "entity", "name": "B" }' } },
      { change: { del: ['relation', 'A', 'B', 'knows'] } },
    ]);
    const decoded = decodeJournalLine(line.trimEnd());
    expect(decoded.ok && decoded.entry).toMatchObject({
      kind: 'commit',
      seq: 7,
      op: 'op-1',
      changes: [{ set: { name: 'A' } }, { line: '{ "type": "entity", "name": "B" }' }, { del: ['relation', 'A', 'B', 'knows'] }],
    });
  });

  it('headers and snapshot markers decode; unknown kinds and missing checksums do not', () => {
    expect(decodeJournalLine(encodeHeader('work', 'now').trimEnd())).toMatchObject({ ok: true, entry: { kind: 'header', format: JOURNAL_FORMAT } });
    expect(decodeJournalLine(encodeSnapshot({ seq: 2, ts: '2026-01-01T00:00:00.000Z', fileSize: 10, fileCrc: 'abcd0123' }).trimEnd())).toMatchObject({ ok: true, entry: { kind: 'snapshot', fileSize: 10 } });
    expect(decodeJournalLine(sealLine('{"kind":"mystery","seq":1,"ts":"2026-01-01T00:00:00.000Z"}').trimEnd()).ok).toBe(false);
    expect(decodeJournalLine('{"kind":"header","format":1}')).toEqual({ ok: false, reason: 'no checksum' });
  });

  it('a line resealed with a time that is not one is damaged, not read (the replay reads it as a time)', () => {
    // Found by the long fuzz (npm run torture): such a commit made every read of the context fail with "NaN cannot be converted to a BigInt".
    for (const ts of ['t', '2026-13-45T99:00:00.000Z', '']) {
      expect(decodeJournalLine(encodeCommit({ seq: 1, ts, tx: 't', origin: 'app' }, [{ canonicalRecord: '{"type":"entity","name":"A"}' }]).trimEnd())).toEqual({ ok: false, reason: 'ts is not a time' });
      expect(decodeJournalLine(encodeSnapshot({ seq: 2, ts, fileSize: 10, fileCrc: 'abcd0123' }).trimEnd())).toEqual({ ok: false, reason: 'ts is not a time' });
    }
  });
});
