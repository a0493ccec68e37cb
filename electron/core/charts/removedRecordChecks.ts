// What the window's undo of a removal (steps.restore) may put back: the lines a removal of a
// step or a chart reported. They come back from the window, so they are checked as anything it
// sends: it put back a step titled with 200,000 characters and one titled with a zero-width
// space, which no edit would have written. Refused, with nothing put back, unless each entity
// is a part of a chart with the texts an edit would have written, and each relation touches an
// entity put back with it (a removal takes only the links of what it removes). Recently deleted
// puts back what the journal says was removed (a peer's text as it wrote it), without these.
import { EngineError } from '../errors.ts';
import { parseValue, type StoredRecord } from '../records.ts';
import { entityOf } from './chartModel.ts';
import { textProblem } from './chartChangeSet.ts';

/** The longest name the IPC contract takes for a step or a chart. */
const MAX_NAME = 1_000;
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
      const problem = textProblem(text);
      if (problem !== undefined) throw refused(line, entity.name, `has an observation (number ${at + 1}) that ${problem}`);
    }
  });
}
