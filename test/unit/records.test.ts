import { describe, expect, it } from 'vitest';
import { parseContextBytes } from '../../electron/core/contextFile.ts';
import { classifyLine } from '../../electron/core/records.ts';

describe('reading the lines peers write', () => {
  it('keeps comments, _aim markers, unknown line types and duplicates as opaque lines', () => {
    const text = [
      '# COAIA Charts for work context',
      '{"type":"_aim","source":"mcp-knowledge-graph"}',
      '{"type":"entity","name":"A","entityType":"x","observations":[]}',
      '',
      '{"type":"narrative_beat","name":"legacy","observations":[]}',
      '{"type":"entity","name":"A","entityType":"dup","observations":[]}',
      '{"type":"relation","from":"A","to":"B","relationType":"r"}',
      '# COAIA Charts for work context',
    ].join('\n');
    const parsed = parseContextBytes(Buffer.from(text));
    expect(parsed.bad).toEqual([]);
    expect(parsed.duplicates).toBe(1);
    expect(parsed.records.map((r) => [r.kind, r.occurrence ?? null])).toEqual([
      ['line', 1],
      ['line', 1],
      ['entity', null],
      ['line', 1],
      ['line', 1],
      ['relation', null],
      ['line', 2],
    ]);
  });

  it('reports unreadable lines with their byte offsets and tells a torn last line apart', () => {
    const good = '{"type":"entity","name":"A","entityType":"x","observations":[]}\n';
    const bytes = Buffer.concat([Buffer.from(good), Buffer.from('not json\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('{"type":"entity","na')]);
    const parsed = parseContextBytes(bytes);
    expect(parsed.records).toHaveLength(1);
    expect(parsed.bad.map((b) => [b.start, b.torn, b.reason.split(' ')[0]])).toEqual([
      [good.length, false, 'not'],
      [good.length + 9, false, 'invalid'],
      [good.length + 12, true, 'not'],
    ]);
  });

  it('treats entities without names and relations without ends as damage, not records', () => {
    expect(classifyLine('{"type":"entity","entityType":"x"}').ok).toBe(false);
    expect(classifyLine('{"type":"entity","name":"A","observations":"no"}').ok).toBe(false);
    expect(classifyLine('{"type":"relation","from":"A","to":"B"}').ok).toBe(false);
    expect(classifyLine('42').ok).toBe(false);
    expect(classifyLine('{"type":"entity","name":"A"}\r')).toMatchObject({ ok: true, kind: 'entity' });
  });
});
