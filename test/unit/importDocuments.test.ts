// Issue 8, item 13: an import that cannot be used says what is wrong, and where, in the file;
// and no message carries a raw control character from the file.
import { describe, expect, it } from 'vitest';
import { parseImport } from '../../electron/core/knowledgeGraph.ts';
import { EngineError, printable } from '../../electron/core/errors.ts';

const refusal = (text: string) => {
  try {
    parseImport(text, 'in.json');
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('BAD_INPUT');
    return (error as EngineError).message;
  }
  throw new Error('not refused');
};

describe('import says what is wrong in the file', () => {
  it('{"entities": 5} says that "entities" must be a list, not "number 5 is not iterable"', () => {
    expect(refusal('{"entities": 5}')).toBe('in.json: "entities" must be a list of entity objects, but it is the number 5. Nothing was imported.');
    expect(refusal('{"relations": "x"}')).toMatch(/"relations" must be a list of relation objects, but it is a text/);
    expect(refusal('{"entities": [1]}')).toMatch(/in\.json entities\[0\]: each entity must be an object .*the number 1/);
    expect(refusal('{"entities": [null]}')).toMatch(/entities\[0\].*null/);
    expect(refusal('{"entities": [{"name": "A", "entityType": "t", "observations": 3}]}')).toMatch(/in\.json entities\[0\]: /);
    expect(refusal('{"entities": [{"name": "", "entityType": "t", "observations": []}]}')).toMatch(/in\.json entities\[0\]: name is required/);
    expect(refusal('{"entities": [], "relations": [{"from": "A", "to": "B"}]}')).toMatch(/in\.json relations\[0\]: relationType is required/);
  });

  it('an item whose own type is not its list\'s is refused (it went in as the type it said, whatever list held it)', () => {
    expect(refusal('{"entities":[{"type":"relation","name":"E","from":"a","to":"b","relationType":"r"}]}')).toMatch(/in\.json entities\[0\]: an item of "entities" must be an entity, but this one says its type is "relation"/);
    expect(refusal('{"relations":[{"type":"entity","name":"Q"}]}')).toMatch(/in\.json relations\[0\]: an item of "relations" must be a relation/);
    // Its own type given, and the same as its list's: taken.
    expect(parseImport('{"entities":[{"type":"entity","name":"A","entityType":"t","observations":[]}]}', 'in.json').map((r) => r.kind)).toEqual(['entity']);
  });

  it('a pretty-printed document is read as one document; a broken one is named as such', () => {
    const records = parseImport('{\n  "entities": [\n    {"name": "A", "entityType": "t", "observations": ["x"]}\n  ],\n  "relations": []\n}\n', 'in.json');
    expect(records.map((r) => r.name)).toEqual(['A']);
    expect(refusal('{\n  "entities": [\n')).toMatch(/line 1: .*neither JSON lines nor one valid JSON document/);
    expect(refusal('{"type":"entity","name":"A","entityType":"t","observations":[]}\n{"type":"entity"\n')).toMatch(/in\.json line 2: /);
  });

  it('no message carries a raw NUL or another control character from the file', () => {
    // JSON.parse quotes the bad text in its message: here a NUL and an escape sequence.
    const message = refusal('{"type":"entity","name":\u0000\u001b[31m}\n');
    expect(message).toContain('\\u0000');
    expect([...message].filter((c) => c < ' ' && c !== '\n' && c !== '\t')).toEqual([]);
    expect(message).toMatch(/in\.json line 1/);
    expect(new EngineError('BAD_INPUT', 'a\u0000b\u001bc\nd').message).toBe('a\\u0000b\\u001bc\nd');
    expect(printable('tab\tkept')).toBe('tab\tkept');
  });
});
