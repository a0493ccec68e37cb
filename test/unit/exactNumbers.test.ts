// A record we change keeps the numbers another program wrote as it wrote them (exactNumbers.ts):
// JSON.parse reads them as doubles, and a field we never touched came back changed.
import { describe, expect, it } from 'vitest';
import { parseExact, stringifyExact } from '../../electron/core/exactNumbers.ts';

const LINE =
  '{"type":"entity","name":"A","entityType":"t","observations":["id 1234567890123456789","say \\"2.50\\""],' +
  '"metadata":{"snow":1234567890123456789,"f":0.1000000000000000055511151231257827,"half":1.50,"big":1e400,"neg":-0,"exp":1E3,"small":7,"ratio":0.25,"list":[12345678901234567890,3]}}';

describe('numbers kept as written through a change', () => {
  it('a line parsed and written again is the same line, byte for byte', () => {
    expect(stringifyExact(parseExact(LINE))).toBe(LINE);
  });

  it('fields changed between: the untouched numbers as written, the new ones as JSON writes them', () => {
    const value = parseExact(LINE);
    (value.observations as string[]).push('more');
    (value.metadata as Record<string, unknown>).added = 0.5;
    const written = stringifyExact(value);
    expect(written).toContain('"snow":1234567890123456789,"f":0.1000000000000000055511151231257827,"half":1.50,"big":1e400,"neg":-0,"exp":1E3,"small":7,"ratio":0.25,"list":[12345678901234567890,3]');
    expect(written).toContain('"added":0.5');
    expect(written).toContain('"observations":["id 1234567890123456789","say \\"2.50\\"","more"]');
    expect(JSON.parse(written)).toBeTruthy();
  });

  it('numbers that JSON writes back the same are numbers, as JSON.parse reads them (what our own fields hold)', () => {
    const value = parseExact('{"type":"entity","name":"S","metadata":{"level":2,"highestStepNumber":12,"ratio":-0.5}}');
    expect(value.metadata).toEqual({ level: 2, highestStepNumber: 12, ratio: -0.5 });
  });
});
