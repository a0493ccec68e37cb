// Multi-process races on one context file. Every writer is a real process, as users run them:
// the app's write path (a long-lived engine with the handler table and the live-update
// watcher), a fresh `tension` CLI process per write, the real reference MCP server, the real
// coaia-narrative server, a writer in coaia-spiral's manner. Each writer records what it was
// told was saved; at the end every acknowledged write of every side is looked for, and the
// journal is searched for deletions that no writer asked for.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../electron/core/engine.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import { readJournal } from '../../electron/core/journalFile.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import { parseValue } from '../../electron/core/records.ts';
import { MemoryServer, resultText } from '../peers/memoryServerClient.ts';
import { cliEntry, repoRoot } from '../helpers/runCli.ts';
import { startChild, sleep, type RunningChild } from '../torture/support.ts';
import type { AppWriterConfig } from './appWriterProcess.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** An entity's final state, as the check sees it. */
export type FinalEntities = ReadonlyMap<string, { observations: unknown[]; metadata: Record<string, unknown> }>;

/** One thing a writer was told was saved, and how to see that it still is. */
export interface Acknowledged {
  readonly what: string;
  present(entities: FinalEntities): boolean;
}

export interface RaceWriter {
  readonly name: string;
  readonly acknowledged: Acknowledged[];
  /** Names of entities this writer deleted on purpose (their absence is not a loss). */
  readonly deleted: Set<string>;
  readonly errors: string[];
  /** Asks the writer to stop and waits until it has (its last acknowledged write is counted). */
  stop(): Promise<void>;
}

const entityPresent = (name: string): Acknowledged => ({ what: name, present: (entities) => entities.has(name) });

// ----------------------------------------------------------------- writers

/** The app's write path in its own process (see appWriterProcess.ts). */
export async function startAppWriter(config: AppWriterConfig): Promise<RaceWriter> {
  const child = startChild(path.join(here, 'appWriterProcess.ts'), { RACE_APP: JSON.stringify(config) });
  await child.waitFor('ready');
  return childWriter('app', child, (message) => {
    const id = String(message.id);
    const chart: Acknowledged[] = [{ what: `${id} (chart)`, present: (entities) => entities.has(`${id}_desired_outcome`) && entities.has(`${id}_chart`) }];
    if (message.completed === true) {
      chart.push({ what: `${id}_action_1 completed`, present: (entities) => entities.get(`${id}_action_1`)?.metadata.completionStatus === true });
    }
    return chart;
  });
}

/** A writer in coaia-spiral's manner (see spiralWriterProcess.ts). */
export async function startSpiralWriter(config: { file: string; context: string; prefix: string; intervalMs: number }): Promise<RaceWriter> {
  const child = startChild(path.join(here, 'spiralWriterProcess.ts'), { RACE_SPIRAL: JSON.stringify(config) });
  await child.waitFor('ready');
  return childWriter('spiral-style writer', child, (message) => [entityPresent(String(message.name))]);
}

function childWriter(name: string, child: RunningChild, acknowledged: (message: Record<string, unknown>) => Acknowledged[]): RaceWriter {
  const writer: RaceWriter & { child: RunningChild } = {
    name,
    child,
    acknowledged: [],
    deleted: new Set(),
    errors: [],
    async stop() {
      child.send('stop');
      const ended = await child.done;
      for (const message of child.messages) {
        if (message.t === 'ack') writer.acknowledged.push(...acknowledged(message));
        else if (message.t === 'error' || message.t === 'fatal' || message.t === 'background-error' || message.t === 'watch-error') writer.errors.push(String(message.message));
      }
      if (ended.code !== 0) writer.errors.push(`exited with code ${ended.code} (${ended.signal ?? 'no signal'}): ${ended.stderr.slice(-2000)}`);
    },
  };
  return writer;
}

/** A loop of fresh `tension entity set` processes, one per write, one after the other. */
export function startCliLoop(config: { data: string; context: string; prefix: string; pauseMs?: number }): RaceWriter {
  let stopping = false;
  const writer: RaceWriter = {
    name: 'CLI (a process per write)',
    acknowledged: [],
    deleted: new Set(),
    errors: [],
    async stop() {
      stopping = true;
      await loop;
    },
  };
  const loop = (async () => {
    for (let i = 1; !stopping; i += 1) {
      const name = `${config.prefix}_${i}`;
      const result = await runCliAsync(['entity', 'set', '--data', config.data, '--context', config.context, '--name', name, '--type', 'race', '--obs', `written by CLI process ${i}`, '--meta', JSON.stringify({ writer: 'cli', i })]);
      if (result.code === 0) writer.acknowledged.push(entityPresent(name));
      else writer.errors.push(`entity set ${name}: exit ${result.code}: ${result.stderr.trim()}`);
      if (config.pauseMs) await sleep(config.pauseMs);
    }
  })();
  return writer;
}

/** Runs the real CLI in a child process without blocking this event loop. */
export function runCliAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliEntry, ...args], { cwd: repoRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The real reference server calling create_entities in a loop. `burst`: this many calls back
 * to back, then a pause (an assistant making several tool calls in a row); `deleteEvery`: every
 * n-th call deletes an entity this server wrote `deleteAge` (default n) creations before, one
 * it has read since.
 */
export async function startReferenceServerLoop(config: { file: string; prefix: string; intervalMs: number; burst?: number; burstPauseMs?: number; deleteEvery?: number; deleteAge?: number; label?: string }): Promise<RaceWriter> {
  const server = await MemoryServer.start(config.file);
  let stopping = false;
  const names: string[] = [];
  const writer: RaceWriter = {
    name: config.label ?? 'reference server',
    acknowledged: [],
    deleted: new Set(),
    errors: [],
    async stop() {
      stopping = true;
      await loop;
      await server.close();
    },
  };
  const loop = (async () => {
    for (let i = 1; !stopping; i += 1) {
      try {
        const age = config.deleteAge ?? config.deleteEvery ?? 0;
        if (config.deleteEvery && i % config.deleteEvery === 0 && names.length > age) {
          const victim = names.splice(names.length - age, 1)[0] as string;
          await server.deleteEntities([victim]);
          writer.deleted.add(victim);
        } else {
          const name = `${config.prefix}_${i}`;
          const created = await server.createEntities([{ name, entityType: 'race', observations: [`written by ${writer.name}, call ${i}`] }]);
          // The server answers with what it added: an entity it thought existed is not added.
          if (created.some((e) => e.name === name)) {
            writer.acknowledged.push(entityPresent(name));
            names.push(name);
          }
        }
      } catch (error) {
        writer.errors.push(String(error));
      }
      const pause = config.burst && i % config.burst === 0 ? (config.burstPauseMs ?? 1000) : config.intervalMs;
      if (pause > 0) await sleep(pause);
    }
  })();
  return writer;
}

/**
 * The real coaia-narrative server: creates a chart with two steps, marks its first step
 * complete, and every `telescopeEvery`-th chart telescopes the second step into a sub-chart.
 */
export async function startCoaiaNarrativeLoop(config: { file: string; intervalMs: number; telescopeEvery?: number }): Promise<RaceWriter> {
  const server = await MemoryServer.start(config.file, 'coaia-narrative');
  let stopping = false;
  const writer: RaceWriter = {
    name: 'coaia-narrative',
    acknowledged: [],
    deleted: new Set(),
    errors: [],
    async stop() {
      stopping = true;
      await loop;
      await server.close();
    },
  };
  const loop = (async () => {
    for (let i = 1; !stopping; i += 1) {
      try {
        const created = await server.callRaw('create_structural_tension_chart', {
          desiredOutcome: `Narrative outcome ${i}`,
          currentReality: `Narrative reality ${i}`,
          dueDate: '2027-06-30',
          actionSteps: [`Narrative step ${i}a`, `Narrative step ${i}b`],
        });
        if (created.isError) throw new Error(resultText(created));
        const chartId = (JSON.parse(resultText(created)) as { chartId: string }).chartId;
        writer.acknowledged.push({ what: `${chartId} (chart)`, present: (entities) => entities.has(`${chartId}_desired_outcome`) && entities.has(`${chartId}_chart`) });
        if (stopping) break;
        const step = `${chartId}_action_1`;
        const completed = await server.callRaw('mark_action_complete', { actionStepName: step });
        if (completed.isError) throw new Error(resultText(completed));
        writer.acknowledged.push({ what: `${step} completed`, present: (entities) => entities.get(step)?.metadata.completionStatus === true });
        if (config.telescopeEvery && i % config.telescopeEvery === 0 && !stopping) {
          const telescoped = await server.callRaw('telescope_action_step', { actionStepName: `${chartId}_action_2`, newCurrentReality: `Sub-chart reality ${i}` });
          if (telescoped.isError) throw new Error(resultText(telescoped));
          const subId = /chart_\d+/.exec(resultText(telescoped))?.[0];
          if (subId && subId !== chartId) writer.acknowledged.push({ what: `${subId} (sub-chart of ${chartId})`, present: (entities) => entities.has(`${subId}_desired_outcome`) });
        }
      } catch (error) {
        writer.errors.push(String(error));
      }
      if (config.intervalMs > 0) await sleep(config.intervalMs);
    }
  })();
  return writer;
}

// ----------------------------------------------------------------- the verdict

export interface WriterTally {
  readonly writer: string;
  readonly acknowledged: number;
  readonly present: number;
  readonly lost: string[];
  readonly errors: string[];
}

export interface RaceVerdict {
  readonly tallies: WriterTally[];
  /** Deletions journaled as another program's change that no writer asked for. */
  readonly unrequestedDeletions: string[];
  /** Deletions a writer asked for that are not in effect at the end. */
  readonly deletionsUndone: string[];
  /** Entity names a read-only reader showed that a writer's view did not, and the reverse. */
  readonly readOnlyDiffers: string[];
  report(title: string): string;
}

/** Reads the final state (a fresh read-only CLI, then a fresh engine that writes) and counts. */
export async function judgeRace(config: { data: string; context: string }, writers: readonly RaceWriter[]): Promise<RaceVerdict> {
  // The read-only view first, while a peer's last version may still be unjournaled: it must be
  // what a writer makes of the same files.
  const readOnly = await runCliAsync(['graph', '--json', '--data', config.data, '--context', config.context]);
  if (readOnly.code !== 0) throw new Error(`graph --json failed: ${readOnly.stderr}`);
  const readOnlyNames = new Set((JSON.parse(readOnly.stdout) as { entities: { name: string }[] }).entities.map((e) => e.name));

  const layout = resolveLayout({ data: config.data });
  const engine = await Engine.open({ layout, origin: 'cli', rewriteDelayMs: -1, lockLeaseMs: 0 });
  const entities = new Map<string, { observations: unknown[]; metadata: Record<string, unknown> }>();
  try {
    await engine.read(config.context, (state) => {
      for (const record of state.values()) {
        if (record.kind !== 'entity') continue;
        const value = parseValue(record);
        entities.set(record.name as string, {
          observations: Array.isArray(value.observations) ? value.observations : [],
          metadata: typeof value.metadata === 'object' && value.metadata !== null ? (value.metadata as Record<string, unknown>) : {},
        });
      }
    });
  } finally {
    await engine.close();
  }
  const readOnlyDiffers = [...[...readOnlyNames].filter((n) => !entities.has(n)).map((n) => `only read-only shows ${n}`), ...[...entities.keys()].filter((n) => !readOnlyNames.has(n)).map((n) => `only the writer shows ${n}`)];

  const requested = new Set(writers.flatMap((w) => [...w.deleted]));
  const unrequestedDeletions: string[] = [];
  const journal = contextPaths(layout, config.context).journal;
  for (const { entry } of readJournal(realFileSystem, journal, 0).entries) {
    if (entry.kind !== 'commit' || entry.origin !== 'external') continue;
    for (const change of entry.changes) {
      if (!change.del) continue;
      const identity = change.del;
      // A peer deleting an entity deletes the relations that touch it as well.
      const asked = identity[0] === 'entity' ? requested.has(identity[1]) : identity[0] === 'relation' ? requested.has(identity[1]) || requested.has(identity[2]) : false;
      if (!asked) unrequestedDeletions.push(`${identity.slice(1).join(' ')} (seq ${entry.seq}: ${entry.note ?? ''})`);
    }
  }
  const deletionsUndone = [...requested].filter((name) => entities.has(name));
  const tallies = writers.map((writer) => {
    const lost = writer.acknowledged.filter((ack) => !ack.present(entities)).map((ack) => ack.what);
    return { writer: writer.name, acknowledged: writer.acknowledged.length, present: writer.acknowledged.length - lost.length, lost, errors: writer.errors };
  });
  return {
    tallies,
    unrequestedDeletions,
    deletionsUndone,
    readOnlyDiffers,
    report(title) {
      const rows = tallies.map((t) => `  ${t.writer.padEnd(28)} acknowledged ${String(t.acknowledged).padStart(5)}  present ${String(t.present).padStart(5)}  lost ${String(t.lost.length).padStart(4)}${t.lost.length ? `  (${t.lost.slice(0, 5).join(', ')}${t.lost.length > 5 ? ', …' : ''})` : ''}${t.errors.length ? `  errors ${t.errors.length}: ${t.errors[0]?.slice(0, 160)}` : ''}`);
      return [
        `race: ${title}`,
        ...rows,
        `  deletions journaled as another program's that no writer asked for: ${unrequestedDeletions.length}${unrequestedDeletions.length ? ` (${unrequestedDeletions.slice(0, 3).join('; ')})` : ''}`,
        `  deletions asked for but undone: ${deletionsUndone.length}; read-only view differs from the writer's on ${readOnlyDiffers.length} entities`,
      ].join('\n');
    },
  };
}

/** Runs the writers for `ms`, stops them all, and judges. */
export async function race(config: { data: string; context: string; ms: number; title: string }, writers: RaceWriter[]): Promise<RaceVerdict> {
  await sleep(config.ms);
  // Peers first, the app last: whatever a peer wrote at the end is there for the app's last look.
  for (const writer of writers) await writer.stop();
  const verdict = await judgeRace(config, writers);
  process.stdout.write(`${verdict.report(config.title)}\n`);
  return verdict;
}

export function dataFolder(base: string): { data: string; file: string } {
  const data = path.join(base, '.coaia');
  fs.mkdirSync(data, { recursive: true });
  return { data, file: path.join(data, 'charts.jsonl') };
}
