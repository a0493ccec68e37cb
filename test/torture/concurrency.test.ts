// Several real processes commit to the same context at the same moment (each with its own
// rewrite rhythm, so context-file rewrites race with commits too). Afterwards: every commit is
// there exactly once with its content, a read-modify-write shared by all (one entity every
// process adds observations to, one counter every process counts up) lost no update, the
// journal holds only whole, valid lines with strictly increasing sequence numbers, and the
// context file parses and holds exactly the engine's state; either file rebuilds the other.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import { addRelation, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { RecordSet } from '../../electron/core/recordSet.ts';
import { entityKey } from '../../electron/core/records.ts';
import { verifyAll } from '../../electron/core/verify.ts';
import {
  LONG,
  copyRoot,
  describeFindings,
  diffStates,
  layoutOf,
  openRoot,
  readContextFileAsPeer,
  scanJournal,
  seriousFindings,
  startChild,
  stateOf,
  strayRewriteFiles,
  type RunningChild,
  type StateMap,
} from './support.ts';
import { COUNTER, HUB, concurrentOp, opId, type ConcurrentConfig } from './concurrentProtocol.ts';

const WORKERS = LONG ? 6 : 4;
const COMMITS = LONG ? 1000 : 300;
const CONTEXT = 'shared';
const REWRITE_RHYTHMS: { rewriteDelayMs: number; flushEvery: number }[] = [
  { rewriteDelayMs: 0, flushEvery: 0 },
  { rewriteDelayMs: 5, flushEvery: 0 },
  { rewriteDelayMs: 20, flushEvery: 0 },
  { rewriteDelayMs: -1, flushEvery: 15 },
];

/** What the commits of every worker must have left: exact records, plus the shared hub and counter. */
function expectedRecords(): { exact: StateMap; hubObservations: Set<string>; increments: number } {
  const exact: StateMap = new Map();
  const hubObservations = new Set<string>();
  let increments = 0;
  const empty = new RecordSet();
  for (let worker = 0; worker < WORKERS; worker += 1) {
    for (let i = 0; i < COMMITS; i += 1) {
      const op = concurrentOp(worker, i);
      if (op.kind === 'hub') hubObservations.add(op.observation);
      else if (op.kind === 'inc') increments += 1;
      else if (op.kind === 'put') for (const r of setEntity(empty, op.entity).puts) exact.set(r.key, r.raw);
      else {
        for (const e of op.entities) for (const r of setEntity(empty, e).puts) exact.set(r.key, r.raw);
        for (const rel of op.relations) for (const r of addRelation(empty, rel).puts) exact.set(r.key, r.raw);
      }
    }
  }
  return { exact, hubObservations, increments };
}

describe('many processes writing one context at once', () => {
  afterAll(removeTempDirs);

  it(
    `${WORKERS} processes committing at once lose nothing`,
    async () => {
      const root = path.join(tempDir('tension-concurrency-'), '.coaia');
      const layout = layoutOf(root);
      const paths = contextPaths(layout, CONTEXT);

      const writers: RunningChild[] = [];
      for (let worker = 0; worker < WORKERS; worker += 1) {
        const rhythm = REWRITE_RHYTHMS[worker % REWRITE_RHYTHMS.length] as (typeof REWRITE_RHYTHMS)[number];
        const config: ConcurrentConfig = { root, context: CONTEXT, worker, count: COMMITS, ...rhythm };
        writers.push(startChild('concurrentWriter.ts', { TORTURE_CONCURRENT: JSON.stringify(config) }));
      }
      await Promise.all(writers.map((w) => w.waitFor('ready')));
      for (const writer of writers) writer.send('go');
      const ends = await Promise.all(writers.map((w) => w.done));

      // Every process finished on its own and acknowledged every commit once, in order.
      const seqs = new Set<number>();
      writers.forEach((writer, worker) => {
        const end = ends[worker];
        expect(writer.messages.filter((m) => m.t === 'error'), `worker ${worker}: ${end?.stderr}`).toEqual([]);
        expect(end?.code, `worker ${worker} exit: ${end?.stderr}`).toBe(0);
        const acks = writer.messages.filter((m) => m.t === 'ack');
        expect(acks.map((a) => a.i)).toEqual(Array.from({ length: COMMITS }, (_, i) => i));
        expect(acks.every((a) => a.duplicate === false), `worker ${worker}: a first attempt reported as a duplicate`).toBe(true);
        let last = 0;
        for (const ack of acks) {
          const seq = ack.seq as number;
          expect(seq, `worker ${worker}: sequence numbers of its own commits`).toBeGreaterThan(last);
          expect(seqs.has(seq), `sequence number ${seq} given to two commits`).toBe(false);
          seqs.add(seq);
          last = seq;
        }
      });

      // The journal, read line by line with our own eyes: whole lines only, each decodes, sequence
      // numbers strictly increase, every operation exactly once.
      const scan = scanJournal(paths.journal);
      expect(scan.problems).toEqual([]);
      expect(scan.tornBytes, 'bytes after the last newline').toBe(0);
      expect(fs.readFileSync(paths.journal).at(-1), 'the journal ends with a newline').toBe(10);
      const ops = new Map<string, number>();
      for (const { entry } of scan.entries) if (entry.kind === 'commit' && entry.op !== undefined) ops.set(entry.op, (ops.get(entry.op) ?? 0) + 1);
      const duplicates = [...ops].filter(([, n]) => n > 1);
      expect(duplicates, 'operations journaled twice').toEqual([]);
      for (let worker = 0; worker < WORKERS; worker += 1) {
        const missing = Array.from({ length: COMMITS }, (_, i) => opId(worker, i)).filter((op) => !ops.has(op));
        expect(missing, `worker ${worker}: acknowledged operations missing from the journal`).toEqual([]);
      }
      const commitSeqs = new Set(scan.entries.map(({ entry }) => (entry.kind === 'commit' ? entry.seq : -1)));
      expect([...seqs].filter((seq) => !commitSeqs.has(seq)), 'acknowledged sequence numbers not in the journal').toEqual([]);

      // The context file as the last process left it: peers read the complete state.
      const fileAfterWriters = readContextFileAsPeer(layout, CONTEXT);
      expect(fileAfterWriters.problems).toEqual([]);

      const engine = await openRoot(root);
      let state: StateMap;
      try {
        state = await stateOf(engine, CONTEXT);
        const verification = await verifyAll(engine);
        expect(describeFindings(seriousFindings(verification))).toBe('');
        expect(describeFindings(verification.contexts.flatMap((c) => c.findings)), 'the last writer left the file complete').toBe('');
        const [summary] = await engine.listContexts();
        expect(summary?.health).toBe('ok');
      } finally {
        await engine.close();
      }

      const { exact, hubObservations, increments } = expectedRecords();
      const withoutShared = new Map([...state].filter(([key]) => key !== entityKey(HUB) && key !== entityKey(COUNTER)));
      expect(diffStates(withoutShared, exact), 'records of the commits').toEqual([]);
      const hub = JSON.parse(state.get(entityKey(HUB)) ?? '{"observations":[]}') as { observations: string[] };
      expect(hub.observations.length, 'observations on the shared entity (a lost update drops some)').toBe(hubObservations.size);
      expect(new Set(hub.observations)).toEqual(hubObservations);
      const counter = JSON.parse(state.get(entityKey(COUNTER)) ?? '{"metadata":{"count":0}}') as { metadata: { count: number } };
      expect(counter.metadata.count, 'the shared counter (a lost update counts short)').toBe(increments);

      expect(diffStates(fileAfterWriters.state, state), 'context file left by the writers vs engine state').toEqual([]);
      const fileNow = readContextFileAsPeer(layout, CONTEXT);
      expect(fileNow.problems).toEqual([]);
      expect(diffStates(fileNow.state, state), 'context file vs engine state').toEqual([]);
      expect(strayRewriteFiles(root), 'temporary files left behind by writers that closed normally').toEqual([]);

      // Either file rebuilds the other: the journal alone, and the context file alone.
      const journalOnly = path.join(tempDir('tension-concurrency-journal-'), '.coaia');
      copyRoot(root, journalOnly);
      fs.rmSync(contextPaths(layoutOf(journalOnly), CONTEXT).file);
      fs.rmSync(contextPaths(layoutOf(journalOnly), CONTEXT).checkpoint, { force: true });
      const fileOnly = path.join(tempDir('tension-concurrency-file-'), '.coaia');
      copyRoot(root, fileOnly);
      fs.rmSync(path.join(fileOnly, '.history'), { recursive: true });
      for (const [label, rebuilt] of [['journal alone', journalOnly], ['context file alone', fileOnly]] as const) {
        const reopened = await openRoot(rebuilt);
        try {
          expect(diffStates(await stateOf(reopened, CONTEXT), state), `rebuilt from the ${label}`).toEqual([]);
        } finally {
          await reopened.close();
        }
        expect(diffStates(readContextFileAsPeer(layoutOf(rebuilt), CONTEXT).state, state), `context file rewritten from the ${label}`).toEqual([]);
      }
    },
    LONG ? 1_800_000 : 120_000,
  );
});
