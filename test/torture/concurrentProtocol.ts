// What the concurrent writers (concurrentWriter.ts) commit, as a pure function of (worker, i),
// so the test can say exactly what must be in the data root afterwards.
import type { EntityInput, RelationInput } from '../../electron/core/knowledgeGraph.ts';

export interface ConcurrentConfig {
  readonly root: string;
  readonly context: string;
  readonly worker: number;
  readonly count: number;
  readonly rewriteDelayMs: number;
  /** Flush explicitly after every n commits (0: never). */
  readonly flushEvery: number;
}

/** The entity every worker adds an observation to: a read-modify-write shared by all processes. */
export const HUB = 'hub_current_reality';
/** The entity every worker counts up: a lost update would show as a smaller count. */
export const COUNTER = 'commit_counter';

export type ConcurrentOp =
  | { kind: 'put'; entity: EntityInput }
  | { kind: 'hub'; observation: string }
  | { kind: 'inc' }
  | { kind: 'chart'; entities: EntityInput[]; relations: RelationInput[] };

export const opId = (worker: number, i: number) => `w${worker}-${i}`;

export function concurrentOp(worker: number, i: number): ConcurrentOp {
  if (i % 10 === 3) return { kind: 'hub', observation: `seen by worker ${worker} at ${i}` };
  if (i % 10 === 7) return { kind: 'inc' };
  if (i % 25 === 11) {
    const chart = `chart_w${worker}_${i}`;
    const entities: EntityInput[] = [
      { name: `${chart}_chart`, entityType: 'structural_tension_chart', observations: [`chart ${i} of worker ${worker}`], metadata: { chartId: chart, level: 0 } },
      { name: `${chart}_desired_outcome`, entityType: 'desired_outcome', observations: ['a finished thing'], metadata: { chartId: chart } },
      { name: `${chart}_current_reality`, entityType: 'current_reality', observations: ['where it stands'], metadata: { chartId: chart } },
    ];
    const relations: RelationInput[] = [
      { from: `${chart}_chart`, to: `${chart}_desired_outcome`, relationType: 'contains' },
      { from: `${chart}_current_reality`, to: `${chart}_desired_outcome`, relationType: 'creates_tension_with' },
    ];
    return { kind: 'chart', entities, relations };
  }
  return {
    kind: 'put',
    entity: {
      name: `p${worker}-${i}`,
      entityType: 'action_step',
      observations: [`step ${i} of worker ${worker}`, 'é✓🙂 "quoted" \\ back'],
      metadata: { chartId: `chart_w${worker}`, worker, i, completionStatus: i % 2 === 0, payload: 'x'.repeat((worker * 131 + i * 37) % 700) },
    },
  };
}
