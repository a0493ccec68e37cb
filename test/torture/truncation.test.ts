// Damage at every byte: a data root with real commits (a peer's file adopted, a multi-record
// chart, updates, a delete, a delete-and-recreate, rewrites) is copied, one file is cut short
// at every offset (or has random bytes flipped), and the copy is opened.
//
// What is guaranteed, and therefore asserted:
// - Opening never throws, whatever the damage.
// - The context file cut at any offset: the journal holds every record, so the state is
//   complete and exact. One exception, by design: a cut that leaves a complete last line
//   without its newline is exactly how peers write a file after deleting the trailing records
//   (they omit the final newline), so the engine may take it as their edit; then the records
//   past the cut must still be in history (journal versions) with the removal recorded as an
//   external change — nothing lost from the journal.
// - The journal cut at any offset of its last lines and of its header (long rounds: of the whole
//   journal): what the cut removed is either in the context file (it was flushed: the state is
//   still exactly what the file holds) or was never in the file (commits after the last rewrite:
//   those are the lost ones, and only those). A torn header is a crash while the journal was
//   being started: the torn tail rule applies to it too.
// - After the first open (and its close), the damage is healed: a second open finds the same
//   state, verify reports nothing at warning or error level, the context file parses and holds
//   exactly the state.
// - Random flipped bytes: open never throws; damage is reported (health "damaged" or verify
//   errors); recoverAll copies the bad bytes into .recovery/, logs what it did, and the records
//   come back (and recover does not claim a record is lost when it is not). A flip that keeps
//   the context file valid JSON but changes a value cannot be told from another program's edit:
//   it is absorbed as an external change, and the previous version must stay in the history.
// - A damaged journal entry of a deletion does not bring the deleted record back (the context
//   file, our own verified rewrite, shows it deleted).
// - A record damaged in both the context file and the journal comes back from the newest backup.
//
// Thousands of copies are opened, so they live on tmpfs when there is one (support.ts,
// fastScratch): what is tested is what the engine makes of the bytes, not the disk.
// TENSION_TORTURE_REPORT=n lists n problems instead of 12; TENSION_TORTURE_SEED=n flips bytes
// with that seed only.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import type { ChangeBuilder, Engine } from '../../electron/core/engine.ts';
import type { PendingChanges } from '../../electron/core/contextStore.ts';
import { addRelation, deleteEntity, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { historyOf } from '../../electron/core/history.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import { verifyAll, type Verification } from '../../electron/core/verify.ts';
import { recoverAll } from '../../electron/core/recover.ts';
import { createBackup } from '../../electron/core/backups.ts';
import { parseContextBytes } from '../../electron/core/contextFile.ts';
import { entityKey } from '../../electron/core/records.ts';
import { splitLines } from '../../electron/core/lineSplitter.ts';
import {
  LONG,
  ageFile,
  fastScratch,
  removeFastScratch,
  copyRoot,
  describeFindings,
  diffStates,
  layoutOf,
  openRoot,
  printable,
  readContextFileAsPeer,
  recoveryFiles,
  scanJournal,
  seededRandom,
  seriousFindings,
  stateOf,
  type StateMap,
} from './support.ts';

const CONTEXT = 'work';
/** A file as coaia-spiral leaves it: a comment first, an `_aim` marker, a line with spaces after colons. */
const PEER_FILE =
  '# COAIA Charts for work context\n' +
  '{"type":"_aim","source":"mcp-knowledge-graph"}\n' +
  '{"type": "entity", "name": "peer_note", "entityType": "concept", "observations": ["written by a peer"], "metadata": {"kept": true}}\n';
const FLIP_SEEDS = LONG ? 300 : 12;
/** TENSION_TORTURE_SEED=n: only that seed of the flipped bytes (to look into one a long round reported). */
const ONLY_SEED = Number(process.env.TENSION_TORTURE_SEED ?? 0);
const flipSeeds = (): number[] => (ONLY_SEED > 0 ? [ONLY_SEED] : Array.from({ length: FLIP_SEEDS }, (_, i) => i + 1));
/** Long rounds walk far more offsets and seeds. */
const TIMEOUT = LONG ? 3_600_000 : 150_000;
const MAX_REPORTED = Number(process.env.TENSION_TORTURE_REPORT ?? 12);

interface Fixture {
  readonly root: string;
  /** The state after each commit, by sequence number (the baseline adoption included). */
  readonly afterCommit: ReadonlyMap<number, StateMap>;
  /** Sequence number of the last commit the context file holds. */
  readonly flushedSeq: number;
  readonly flushed: StateMap;
  readonly final: StateMap;
}

const merge = (...parts: PendingChanges[]): PendingChanges => ({ puts: parts.flatMap((p) => p.puts), deletes: parts.flatMap((p) => p.deletes) });

/** Builds a data root through the real engine. With `unflushedTail`, the last commits never reach the context file. */
async function buildFixture(unflushedTail: boolean): Promise<Fixture> {
  const root = path.join(fastScratch('tension-damage-fixture-'), '.coaia');
  fs.mkdirSync(root, { recursive: true });
  const paths = contextPaths(layoutOf(root), CONTEXT);
  fs.writeFileSync(paths.file, PEER_FILE);
  const engine = await openRoot(root);
  const afterCommit = new Map<number, StateMap>();
  const adopted = await stateOf(engine, CONTEXT);
  for (const { entry } of scanJournal(paths.journal).entries) if (entry.kind === 'commit') afterCommit.set(entry.seq, adopted);
  let lastSeq = 0;
  const commit = async (build: ChangeBuilder) => {
    const result = await engine.transact(CONTEXT, build);
    expect(result.changed).toBeGreaterThan(0);
    lastSeq = result.seq;
    afterCommit.set(result.seq, await stateOf(engine, CONTEXT));
  };

  await commit((s) =>
    merge(
      setEntity(s, { name: 'chart_q4_chart', entityType: 'structural_tension_chart', observations: ['Q4 objectives'], metadata: { chartId: 'chart_q4', level: 0, dueDate: '2026-12-31' } }),
      setEntity(s, { name: 'chart_q4_desired_outcome', entityType: 'desired_outcome', observations: ['Ship the desk'], metadata: { chartId: 'chart_q4' } }),
      setEntity(s, { name: 'chart_q4_current_reality', entityType: 'current_reality', observations: ['Prototype only'], metadata: { chartId: 'chart_q4' } }),
      addRelation(s, { from: 'chart_q4_chart', to: 'chart_q4_desired_outcome', relationType: 'contains' }),
      addRelation(s, { from: 'chart_q4_current_reality', to: 'chart_q4_desired_outcome', relationType: 'creates_tension_with' }),
    ),
  );
  for (const n of [1, 2, 3, 4]) {
    await commit((s) => setEntity(s, { name: `step_${n}`, entityType: 'action_step', observations: [`step ${n} ✓ é`], metadata: { chartId: 'chart_q4', dueDate: `2026-03-0${n}` } }));
  }
  await engine.flush();
  await commit((s) => deleteEntity(s, 'step_2'));
  await commit((s) => setEntity(s, { name: 'step_2', entityType: 'action_step', observations: ['planned again'], metadata: { chartId: 'chart_q4' } }));
  await commit((s) => setEntity(s, { name: 'step_3', entityType: 'action_step', observations: ['in progress'], metadata: { completionStatus: false } }));
  await commit((s) => deleteEntity(s, 'step_4'));
  await engine.flush();
  await commit((s) =>
    merge(
      setEntity(s, { name: 'step_5', entityType: 'action_step', observations: ['new step'], metadata: { chartId: 'chart_q4' } }),
      setEntity(s, { name: 'step_1', entityType: 'action_step', observations: ['Completed: step 1'], metadata: { completionStatus: true } }),
      addRelation(s, { from: 'step_5', to: 'chart_q4_desired_outcome', relationType: 'advances_toward' }),
    ),
  );
  await commit((s) => setEntity(s, { name: 'step_6', entityType: 'action_step', observations: ['last flushed'] }));
  await engine.flush();
  const flushedSeq = lastSeq;
  if (unflushedTail) {
    await commit((s) => setEntity(s, { name: 'step_7', entityType: 'action_step', observations: ['only in the journal'] }));
    await commit((s) => setEntity(s, { name: 'step_3', entityType: 'action_step', observations: ['changed after the rewrite'] }));
    await commit((s) => deleteEntity(s, 'step_6'));
    // Not flushed and not closed (close would rewrite): the engine holds no lock between operations.
  } else {
    await engine.close();
  }
  const final = afterCommit.get(lastSeq) as StateMap;
  return { root, afterCommit, flushedSeq, flushed: afterCommit.get(flushedSeq) as StateMap, final };
}

/** What must survive a journal cut at `offset`: the file's state, or the journal's if it goes further. */
function expectedAfterJournalCut(fixture: Fixture, journal: string, offset: number): StateMap {
  let lastCommit = 0;
  for (const { entry, end } of scanJournal(journal).entries) if (end <= offset && entry.kind === 'commit') lastCommit = entry.seq;
  return lastCommit > fixture.flushedSeq ? (fixture.afterCommit.get(lastCommit) as StateMap) : fixture.flushed;
}

function parsedOrLine(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return { line: raw };
  }
}

/**
 * A record missing (or changed) in the state after an external edit is still held: the journal
 * has it as an earlier version, and the last version is the external change that removed it.
 */
function heldByHistory(journal: string, key: string, raw: string): string | undefined {
  const versions = historyOf(realFileSystem, journal, (k) => k === key).get(key) ?? [];
  const wanted = JSON.stringify(parsedOrLine(raw));
  const held = versions.findIndex((v) => v.value !== undefined && JSON.stringify(v.value) === wanted);
  const last = versions.at(-1);
  if (held === -1) return `${printable(key)} is gone and no journal version holds it`;
  if (!last || last.origin !== 'external' || versions.indexOf(last) <= held) return `${printable(key)} changed without an external change recorded after it (last: ${last?.origin})`;
  return undefined;
}

/** Every expected record is in the state as it was, or held by history behind a recorded external change. */
function tolerantProblems(state: StateMap, expected: StateMap, journal: string): string[] {
  const problems: string[] = [];
  for (const [key, raw] of expected) {
    if (state.get(key) === raw) continue;
    const why = heldByHistory(journal, key, raw);
    if (why) problems.push(why);
  }
  for (const [key, raw] of state) {
    if (expected.has(key)) continue;
    const last = (historyOf(realFileSystem, journal, (k) => k === key).get(key) ?? []).at(-1);
    if (last?.origin !== 'external') problems.push(`unexpected ${printable(key)} (${raw.slice(0, 80)}) not recorded as an external change`);
  }
  return problems;
}

interface CaseRoot {
  readonly dir: string;
  readonly root: string;
  readonly file: string;
  readonly journal: string;
}

let caseCounter = 0;
function caseRoot(fixture: Fixture, scratch: string): CaseRoot {
  caseCounter += 1;
  const dir = path.join(scratch, `case-${caseCounter}`);
  const root = path.join(dir, '.coaia');
  copyRoot(fixture.root, root);
  const paths = contextPaths(layoutOf(root), CONTEXT);
  return { dir, root, file: paths.file, journal: paths.journal };
}

async function withEngine<T>(root: string, work: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await openRoot(root);
  try {
    return await work(engine);
  } finally {
    await engine.close();
  }
}

/**
 * Second open after the first one healed what it could: same state, nothing wrong, a clean file.
 * `absorbedEdit`: the damage was taken as another program's edit, which may leave a relation to
 * an entity that edit removed, or a duplicate line: the user's data as that program left it,
 * reported as warnings, not damage.
 */
async function healedProblems(target: CaseRoot, state: StateMap, absorbedEdit = false): Promise<string[]> {
  const problems: string[] = [];
  await withEngine(target.root, async (engine) => {
    problems.push(...diffStates(await stateOf(engine, CONTEXT), state).map((d) => `second open: ${d}`));
    const serious = seriousFindings(await verifyAll(engine, { backups: false })).filter(
      (f) => !(absorbedEdit && f.severity === 'warning' && (f.kind === 'missing-entity' || f.kind === 'duplicate-name')),
    );
    if (serious.length > 0) problems.push(`second open, verify: ${describeFindings(serious)}`);
  });
  const peer = readContextFileAsPeer(layoutOf(target.root), CONTEXT);
  problems.push(...peer.problems.map((p) => `context file after the first open: ${p}`));
  problems.push(...diffStates(peer.state, state).map((d) => `context file vs state: ${d}`));
  return problems;
}

/** Cuts a copy of the fixture at `offset` of one file, opens it twice; returns what went wrong. */
async function cutAndOpen(fixture: Fixture, scratch: string, which: 'context' | 'journal', offset: number): Promise<string[]> {
  const target = caseRoot(fixture, scratch);
  const cutFile = which === 'context' ? target.file : target.journal;
  const original = fs.readFileSync(cutFile);
  fs.truncateSync(cutFile, offset);
  ageFile(target.file);
  const problems: string[] = [];
  try {
    const state = await withEngine(target.root, async (engine) => {
      const read = await stateOf(engine, CONTEXT);
      await engine.listContexts();
      await verifyAll(engine, { backups: false });
      return read;
    });
    let absorbedEdit = false;
    if (which === 'journal') {
      problems.push(...diffStates(state, expectedAfterJournalCut(fixture, path.join(fixture.root, '.history', path.basename(target.journal)), offset)));
    } else {
      const peerLike = offset > 0 && original[offset] === 10;
      const strict = diffStates(state, fixture.final);
      absorbedEdit = peerLike && strict.length > 0;
      if (strict.length > 0) problems.push(...(peerLike ? tolerantProblems(state, fixture.final, target.journal) : strict));
    }
    problems.push(...(await healedProblems(target, state, absorbedEdit)));
  } catch (error) {
    problems.push(`threw: ${(error as Error).stack ?? String(error)}`);
  }
  fs.rmSync(target.dir, { recursive: true, force: true });
  return problems.map((p) => `${which} cut at byte ${offset} of ${original.length}: ${p}`);
}

/** Problems grouped by kind (offsets, seeds and record texts aside), each with a few examples. */
function report(failures: string[]): string {
  if (failures.length === 0) return '';
  const groups = new Map<string, string[]>();
  for (const failure of failures) {
    const kind = failure
      .replace(/byte \d+( of \d+)?/g, 'byte N')
      .replace(/seed \d+, flipped bytes at [\d, ]+/, 'seed S')
      .replace(/(missing|unexpected|changed) (\S+)[^\n]*/, '$1 record')
      .slice(0, 200);
    groups.set(kind, [...(groups.get(kind) ?? []), failure]);
  }
  const lines = [...groups].slice(0, MAX_REPORTED).map(([kind, all]) => `${all.length} × ${kind}\n    e.g. ${all.slice(0, 3).map((f) => f.slice(0, 300)).join('\n    e.g. ')}`);
  return `${failures.length} problems of ${groups.size} kinds:\n${lines.join('\n')}`;
}

/** Byte ranges [from, to] of a journal's last `count` lines, and of its first line. */
function journalRanges(journal: string, lastLines: number): { header: [number, number]; tail: [number, number] } {
  const entries = scanJournal(journal).entries;
  const size = fs.statSync(journal).size;
  const first = entries[0];
  const tailStart = entries[Math.max(0, entries.length - lastLines)];
  return { header: [0, first?.end ?? 0], tail: [tailStart?.start ?? 0, size] };
}

function offsets(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function flipBytes(file: string, random: () => number): number[] {
  const bytes = fs.readFileSync(file);
  const count = 1 + Math.floor(random() * 3);
  const at: number[] = [];
  for (let n = 0; n < count; n += 1) {
    const offset = Math.floor(random() * bytes.length);
    bytes[offset] = (bytes[offset] as number) ^ (1 + Math.floor(random() * 255));
    at.push(offset);
  }
  fs.writeFileSync(file, bytes);
  return at;
}

/** The fixture's context file line by line: byte range and the record each line holds. */
function linesOf(fixture: Fixture): { start: number; end: number; key: string; raw: string }[] {
  const bytes = fs.readFileSync(contextPaths(layoutOf(fixture.root), CONTEXT).file);
  const records = parseContextBytes(bytes).records;
  return splitLines(bytes)
    .filter((line) => line.text.trim() !== '')
    .map((line, i) => {
      const record = records[i];
      if (!record || record.raw !== line.text) throw new Error(`fixture line ${i} does not match its record`);
      return { start: line.start, end: line.end, key: record.key, raw: record.raw };
    });
}

const hasErrors = (v: Verification) => v.contexts.some((c) => c.findings.some((f) => f.severity === 'error'));

describe('damage at every byte', () => {
  let flushed: Fixture;
  let unflushed: Fixture;
  let scratch: string;

  beforeAll(async () => {
    flushed = await buildFixture(false);
    unflushed = await buildFixture(true);
    scratch = fastScratch('tension-damage-cases-');
  });
  afterAll(() => {
    removeFastScratch();
    removeTempDirs();
  });

  it('truncating the context file at every byte offset loses nothing the journal holds', async () => {
    const failures: string[] = [];
    const fixtures = LONG ? [flushed, unflushed] : [flushed];
    for (const fixture of fixtures) {
      const size = fs.statSync(contextPaths(layoutOf(fixture.root), CONTEXT).file).size;
      for (const offset of offsets(0, size)) failures.push(...(await cutAndOpen(fixture, scratch, 'context', offset)));
    }
    expect(report(failures)).toBe('');
  }, TIMEOUT);

  it("truncating the journal's last lines or its header at every byte offset loses nothing the context file holds", async () => {
    const failures: string[] = [];
    for (const fixture of [flushed, unflushed]) {
      const journal = contextPaths(layoutOf(fixture.root), CONTEXT).journal;
      const { header, tail } = journalRanges(journal, fixture === flushed ? 3 : 4);
      // The quick round also cuts between entries and inside each one in the middle: a journal
      // that lost commits the context file holds (the checkpoint vouches for the file).
      const middles = scanJournal(journal).entries.flatMap(({ start, end }) => [start, Math.floor((start + end) / 2)]);
      const all = LONG ? offsets(0, fs.statSync(journal).size) : [...new Set([...offsets(header[0], header[1]), ...middles, ...offsets(tail[0], tail[1])])];
      for (const offset of all) failures.push(...(await cutAndOpen(fixture, scratch, 'journal', offset)));
    }
    expect(report(failures)).toBe('');
  }, TIMEOUT);

  it('random flipped bytes in the context file are reported, copied to .recovery/ and their records restored', async () => {
    const failures: string[] = [];
    for (const seed of flipSeeds()) {
      const target = caseRoot(flushed, scratch);
      const at = flipBytes(target.file, seededRandom(seed));
      ageFile(target.file);
      const label = `context file, seed ${seed}, flipped bytes at ${at.join(', ')}`;
      const problems: string[] = [];
      const damaged = parseContextBytes(fs.readFileSync(target.file));
      // Records whose line no longer reads (flips keep every byte where it was): the journal must give them back exactly.
      const unreadable = linesOf(flushed).filter((line) => damaged.bad.some((b) => b.start <= line.end && line.start <= b.end)).map((line) => [line.key, line.raw] as const);
      try {
        const { after, absorbed } = await withEngine(target.root, async (engine) => {
          const state = await stateOf(engine, CONTEXT);
          const [summary] = await engine.listContexts();
          const verification = await verifyAll(engine, { backups: false });
          if (damaged.bad.length > 0) {
            if (summary?.health !== 'damaged') problems.push(`unreadable lines but health ${summary?.health}`);
            if (!hasErrors(verification)) problems.push('unreadable lines but verify reports no error');
          } else if (diffStates(state, flushed.final).length > 0 && !summary?.findings.some((f) => f.kind === 'external-change')) {
            problems.push('the file changed, the state changed, yet no external change was reported');
          }
          problems.push(...tolerantProblems(state, flushed.final, target.journal));
          for (const [key, raw] of unreadable) if (state.get(key) !== raw) problems.push(`record of an unreadable line not restored from the journal: ${printable(key)}`);

          const recovery = await recoverAll(engine);
          const after = await stateOf(engine, CONTEXT);
          problems.push(...tolerantProblems(after, flushed.final, target.journal).map((p) => `after recover: ${p}`));
          for (const [key, raw] of unreadable) if (after.get(key) !== raw) problems.push(`after recover: ${printable(key)} not restored`);
          if (recovery.unrecovered.length > 0 && unreadable.length === damaged.bad.length) problems.push(`recover left unrecovered: ${recovery.unrecovered.join('; ')}`);
          if (damaged.bad.length > 0) {
            const saved = recoveryFiles(target.root);
            if (saved.bad.length === 0) problems.push('no bad bytes copied into .recovery/');
            if (saved.logLines.length === 0) problems.push('no line in .recovery/recovery-*.log');
          }
          const afterVerify = await verifyAll(engine, { backups: false });
          if (hasErrors(afterVerify)) problems.push(`verify after recover: ${describeFindings(seriousFindings(afterVerify))}`);
          return { after, absorbed: diffStates(state, flushed.final).length > 0 };
        });
        problems.push(...(await healedProblems(target, after, absorbed)));
      } catch (error) {
        problems.push(`threw: ${(error as Error).stack ?? String(error)}`);
      }
      failures.push(...problems.map((p) => `${label}: ${p}`));
      fs.rmSync(target.dir, { recursive: true, force: true });
    }
    expect(report(failures)).toBe('');
  }, TIMEOUT);

  it('random flipped bytes in the journal are reported, copied to .recovery/, and nothing the context file holds is lost', async () => {
    const failures: string[] = [];
    for (const seed of flipSeeds()) {
      const target = caseRoot(flushed, scratch);
      const at = flipBytes(target.journal, seededRandom(1000 + seed));
      const label = `journal, seed ${seed}, flipped bytes at ${at.join(', ')}`;
      const problems: string[] = [];
      const damaged = scanJournal(target.journal);
      try {
        const after = await withEngine(target.root, async (engine) => {
          problems.push(...diffStates(await stateOf(engine, CONTEXT), flushed.final).map((d) => `on open: ${d}`));
          await engine.listContexts();
          const verification = await verifyAll(engine, { backups: false });
          if (damaged.bad.length > 0 && !hasErrors(verification)) problems.push(`${damaged.bad.length} damaged journal lines but verify reports no error`);
          await recoverAll(engine);
          const recovered = await stateOf(engine, CONTEXT);
          problems.push(...diffStates(recovered, flushed.final).map((d) => `after recover: ${d}`));
          if (damaged.bad.length > 0) {
            const saved = recoveryFiles(target.root);
            if (saved.bad.length === 0) problems.push('no bad bytes copied into .recovery/');
            if (saved.logLines.length === 0) problems.push('no line in .recovery/recovery-*.log');
          }
          const afterVerify = await verifyAll(engine, { backups: false });
          if (seriousFindings(afterVerify).length > 0) problems.push(`verify after recover: ${describeFindings(seriousFindings(afterVerify))}`);
          return recovered;
        });
        problems.push(...scanJournal(target.journal).problems.map((p) => `journal after recover: ${p}`));
        problems.push(...(await healedProblems(target, after)));
      } catch (error) {
        problems.push(`threw: ${(error as Error).stack ?? String(error)}`);
      }
      failures.push(...problems.map((p) => `${label}: ${p}`));
      fs.rmSync(target.dir, { recursive: true, force: true });
    }
    expect(report(failures)).toBe('');
  }, TIMEOUT);

  it('a damaged journal entry of a deletion does not bring the deleted record back', async () => {
    // The context file is our own last rewrite (its size and CRC-32 are in the journal's last
    // snapshot line): a record missing from it was deleted, whatever happened to the journal line
    // that says so.
    const target = caseRoot(flushed, scratch);
    const journal = fs.readFileSync(target.journal);
    const deletion = scanJournal(target.journal).entries.find(({ entry }) => entry.kind === 'commit' && JSON.stringify(entry.changes) === JSON.stringify([{ del: ['entity', 'step_4'] }]));
    expect(deletion, 'the fixture deletes step_4 in a commit of its own').toBeDefined();
    const at = (deletion?.start ?? 0) + 20;
    journal[at] = (journal[at] as number) ^ 0x01;
    fs.writeFileSync(target.journal, journal);
    await withEngine(target.root, async (engine) => {
      expect(hasErrors(await verifyAll(engine, { backups: false })), 'the damaged entry is reported').toBe(true);
      await recoverAll(engine);
      expect(diffStates(await stateOf(engine, CONTEXT), flushed.final)).toEqual([]);
    });
    await withEngine(target.root, async (engine) => {
      expect(diffStates(await stateOf(engine, CONTEXT), flushed.final), 'after reopening').toEqual([]);
    });
    expect(readContextFileAsPeer(layoutOf(target.root), CONTEXT).state.has(entityKey('step_4')), 'step_4 written back into the context file').toBe(false);
  });

  it('a record damaged in both the context file and the journal comes back from the newest backup', async () => {
    const root = path.join(tempDir('tension-damage-backup-'), '.coaia');
    const paths = contextPaths(layoutOf(root), CONTEXT);
    const engine = await openRoot(root);
    for (const n of [1, 2, 3]) await engine.transact(CONTEXT, (s) => setEntity(s, { name: `goal_${n}`, entityType: 'desired_outcome', observations: [`goal ${n}`], metadata: { chartId: `chart_${n}` } }));
    const expected = await stateOf(engine, CONTEXT);
    await createBackup(engine, 'nightly');
    await engine.close();

    // Damage goal_2 in both places: its journal commit and its line in the context file.
    const journal = fs.readFileSync(paths.journal);
    const commitAt = journal.indexOf('"goal 2"');
    journal[commitAt + 2] = 'X'.charCodeAt(0);
    fs.writeFileSync(paths.journal, journal);
    const file = fs.readFileSync(paths.file, 'utf8');
    fs.writeFileSync(paths.file, file.replace('"observations":["goal 2"]', '"observations":["goal 2"'));
    ageFile(paths.file);

    const damagedEngine = await openRoot(root);
    try {
      const [summary] = await damagedEngine.listContexts();
      expect(summary?.health).toBe('damaged');
      expect(hasErrors(await verifyAll(damagedEngine))).toBe(true);
      const report = await recoverAll(damagedEngine);
      expect(report.unrecovered).toEqual([]);
      expect(diffStates(await stateOf(damagedEngine, CONTEXT), expected)).toEqual([]);
      expect((await stateOf(damagedEngine, CONTEXT)).get(entityKey('goal_2'))).toBe(expected.get(entityKey('goal_2')));
    } finally {
      await damagedEngine.close();
    }
    const saved = recoveryFiles(root);
    expect(saved.bad.length, 'bad bytes of both files copied').toBeGreaterThanOrEqual(2);
    expect(saved.logLines.some((line) => /backup/.test(line))).toBe(true);
    await withEngine(root, async (reopened) => {
      expect(diffStates(await stateOf(reopened, CONTEXT), expected)).toEqual([]);
      expect(describeFindings(seriousFindings(await verifyAll(reopened, { backups: false })))).toBe('');
    });
  });
});
