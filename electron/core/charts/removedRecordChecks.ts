// What the window's undo of a removal (steps.restore) may put back: the lines a removal of a
// step or a chart reported. They come back from the window, so they are checked as anything it
// sends: it put back a step titled with 200,000 characters. Refused, with nothing put back,
// unless each entity is a part of a chart, each relation touches an entity put back with it (a
// removal takes only the links of what it removes), and each text is one a removal could have
// taken: no NUL, at most MAX_RESTORED_TEXT characters. Not an edit's checks: our own notes are
// longer than a title ("Completed: <title>"), and a peer writes empty or very long texts, which
// the undo of their removal must put back as they were (a review found the undo of a step with
// a 9,995-character title, completed, refused). Recently deleted puts back what the journal says
// was removed, without these.
import { EngineError } from '../errors.ts';
import { parseValue, type StoredRecord } from '../records.ts';
import { entityOf } from './chartModel.ts';

/** The longest name the IPC contract takes for a step or a chart. */
const MAX_NAME = 1_000;
/** Ten times an edit's longest text: room for our notes around a title and a peer's long texts. */
const MAX_RESTORED_TEXT = 100_000;
const PART_OF_A_CHART = /_(?:chart|desired_outcome|current_reality|action_?\d+)$/;

const refused = (line: number, what: string, problem: string) =>
  new EngineError('BAD_INPUT', `Line ${line} to put back (${what.slice(0, 120)}) ${problem}; nothing was put back (an undo puts back only the steps and charts a removal took, as an edit could have written them).`, { kept: 'Nothing was changed.' });

export function requireRecordsARemovalGave(records: readonly StoredRecord[]): void {
  const entities = new Set<string>();
  for (const record of records) if (record.kind === 'entity') entities.add(record.name as string);
  records.forEach((record, i) => {
    const line = i + 1;
    if (record.kind === 'relation') {
      const [from, to] = [record.from as string, record.to as string];
      if ([from, to, record.relationType as string].some((name) => name.length > MAX_NAME)) throw refused(line, `${from} -> ${to}`, `has a name of more than ${MAX_NAME} characters`);
      if (!entities.has(from) && !entities.has(to)) throw refused(line, `${from} -> ${to}`, 'links nothing that is put back with it');
      return;
    }
    const entity = entityOf(record);
    if (!entity) return;
    if (entity.name.length > MAX_NAME) throw refused(line, entity.name, `has a name of ${entity.name.length} characters (at most ${MAX_NAME})`);
    if (!PART_OF_A_CHART.test(entity.name) && typeof entity.metadata.chartId !== 'string') throw refused(line, entity.name, 'is no part of a chart');
    const observations = parseValue(record).observations;
    for (const [at, text] of (Array.isArray(observations) ? observations : []).entries()) {
      const problem = restoredTextProblem(text);
      if (problem !== undefined) throw refused(line, entity.name, `has an observation (number ${at + 1}) that ${problem}`);
    }
  });
}

function restoredTextProblem(text: unknown): string | undefined {
  if (typeof text !== 'string') return 'is not text';
  if (text.length > MAX_RESTORED_TEXT) return `is too long (${text.length} characters; at most ${MAX_RESTORED_TEXT})`;
  if (text.includes('\u0000')) return 'may not contain a NUL character';
  return undefined;
}
