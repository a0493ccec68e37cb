// A writer to be killed: opens the engine on a data root and commits in a loop until SIGKILL.
// For each commit it prints what it is about to commit (`try`, from inside the change builder,
// under the lock, before the journal append) and, only after transact resolved (the journal
// line is fsynced), an acknowledgement (`ack`). The parent holds us to every `ack`.
//
// Configuration: TORTURE_WRITER (JSON, see WriterConfig).
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { addRelation, deleteEntity, setEntity } from '../../electron/core/knowledgeGraph.ts';
import type { PendingChanges } from '../../electron/core/contextStore.ts';
import type { RecordSet } from '../../electron/core/recordSet.ts';
import { entityKey, parseValue, type StoredRecord } from '../../electron/core/records.ts';
import { pick, say, seededRandom } from './support.ts';
import { COUNTER, WRITER_CONTEXTS, type OpKind, type WriterConfig } from './writerProtocol.ts';

const config = JSON.parse(process.env.TORTURE_WRITER ?? '{}') as WriterConfig;
const random = seededRandom(config.seed);
const ENTITY_TYPES = ['structural_tension_chart', 'desired_outcome', 'current_reality', 'action_step', 'person'];

// Whole code points: multi-byte UTF-8, an emoji, quotes, backslashes and tabs that JSON escapes.
const ALPHABET = Array.from('abcdefghij klmnop qrstuvwxyz ✓é中🙂"\\/\t');

function text(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += pick(random, ALPHABET);
  return out;
}

function entityNames(state: RecordSet): string[] {
  const names: string[] = [];
  for (const record of state.values()) if (record.kind === 'entity' && record.name !== COUNTER) names.push(record.name as string);
  return names;
}

function typeOf(record: StoredRecord | undefined): string {
  const value = record ? parseValue(record) : {};
  return typeof value.entityType === 'string' && value.entityType !== '' ? value.entityType : 'concept';
}

function merge(...parts: PendingChanges[]): PendingChanges {
  return { puts: parts.flatMap((p) => p.puts), deletes: parts.flatMap((p) => p.deletes) };
}

/** Tells the parent what is about to be committed (under the lock, before the journal append). */
function announce(i: number, kind: OpKind, context: string, op: string | undefined, changes: PendingChanges): PendingChanges {
  say({ t: 'try', i, kind, context, op, puts: changes.puts.map((r) => [r.key, r.raw]), dels: [...changes.deletes] });
  return changes;
}

function putChange(state: RecordSet, i: number): PendingChanges {
  return setEntity(state, {
    name: `k${config.round}-${i}`,
    entityType: pick(random, ENTITY_TYPES),
    observations: [`step ${i} of round ${config.round}`, text(5 + Math.floor(random() * 40))],
    metadata: {
      chartId: `chart_k${config.round}`,
      round: config.round,
      i,
      dueDate: new Date(Date.UTC(2026, 0, 1 + (i % 300))).toISOString(),
      completionStatus: random() < 0.3,
      payload: text(Math.floor(random() * 1200)),
    },
  });
}

function updateChange(state: RecordSet, i: number): PendingChanges | undefined {
  const names = entityNames(state);
  if (names.length === 0) return undefined;
  const name = pick(random, names);
  return setEntity(state, {
    name,
    entityType: typeOf(state.get(entityKey(name))),
    observations: [`updated in round ${config.round} step ${i}`],
    metadata: { updatedAt: new Date().toISOString(), touched: i },
  });
}

function deleteChange(state: RecordSet): PendingChanges | undefined {
  const names = entityNames(state);
  return names.length === 0 ? undefined : deleteEntity(state, pick(random, names));
}

/** A multi-record change: new entities tied by relations, one existing entity changed, sometimes one deleted. */
function txChange(state: RecordSet, i: number): PendingChanges {
  const base = `t${config.round}-${i}`;
  const names = ['a', 'b', 'c', 'd'].slice(0, 3 + Math.floor(random() * 2)).map((s) => `${base}-${s}`);
  const parts: PendingChanges[] = names.map((name, n) =>
    setEntity(state, { name, entityType: n === 0 ? 'structural_tension_chart' : 'action_step', observations: [`part ${n} of ${base}`, text(20)], metadata: { chartId: `chart_${base}` } }),
  );
  for (let n = 1; n < names.length; n += 1) {
    parts.push(addRelation(state, { from: names[0] as string, to: names[n] as string, relationType: 'contains', metadata: { createdAt: new Date().toISOString() } }));
  }
  const existing = entityNames(state);
  if (existing.length > 0) {
    const changed = pick(random, existing);
    parts.push(setEntity(state, { name: changed, entityType: typeOf(state.get(entityKey(changed))), observations: [`touched by ${base}`] }));
    const others = existing.filter((n) => n !== changed);
    if (others.length > 0 && random() < 0.5) parts.push(deleteEntity(state, pick(random, others)));
  }
  return merge(...parts);
}

/**
 * About 2 MB in one record (observations and metadata near their size limits): an append of
 * hundreds of pages (see WriterConfig.bigEvery). The last big record is removed in the same
 * commit, so they do not pile up.
 */
function bigChange(state: RecordSet, i: number): PendingChanges {
  const previous = entityNames(state).filter((name) => name.startsWith('big-'));
  const chunk = () => text(50).repeat(1_600);
  return merge(
    ...previous.map((name) => deleteEntity(state, name)),
    setEntity(state, {
      name: `big-${config.round}-${i}`,
      entityType: 'attachment',
      observations: Array.from({ length: 12 }, chunk),
      metadata: { payload: text(50).repeat(15_000) },
    }),
  );
}

function incChange(state: RecordSet, op: string): PendingChanges {
  const existing = state.get(entityKey(COUNTER));
  const count = existing ? Number((parseValue(existing).metadata as { count?: number } | undefined)?.count ?? 0) : 0;
  return setEntity(state, { name: COUNTER, entityType: 'counter', metadata: { count: count + 1, lastOp: op } });
}

async function main(): Promise<void> {
  const engine = await Engine.open({
    layout: resolveLayout({ data: config.root }),
    rewriteDelayMs: config.rewriteDelayMs,
    lockStaleMs: 2000,
    lockTimeoutMs: 60_000,
    origin: 'app',
  });
  say({ t: 'ready', pid: process.pid });

  if (config.retry) {
    const { context, op } = config.retry;
    const result = await engine.transact(context, (state) => announce(-1, 'inc', context, op, incChange(state, op)), { op });
    say({ t: 'ack', i: -1, seq: result.seq, duplicate: result.duplicate, retry: op });
  }

  for (let i = 0; ; i += 1) {
    const context = pick(random, WRITER_CONTEXTS);
    const roll = random();
    const big = (config.bigEvery ?? 0) > 0 && i % (config.bigEvery ?? 1) === (config.bigEvery ?? 1) - 1;
    const kind: OpKind = big ? 'big' : roll < 0.35 ? 'put' : roll < 0.55 ? 'update' : roll < 0.65 ? 'delete' : roll < 0.85 ? 'tx' : 'inc';
    const target = kind === 'inc' ? 'work' : context;
    const op = kind === 'inc' ? `inc-${config.round}-${i}` : undefined;
    const result = await engine.transact(
      target,
      (state) => {
        const changes =
          kind === 'put' ? putChange(state, i)
          : kind === 'update' ? updateChange(state, i) ?? putChange(state, i)
          : kind === 'delete' ? deleteChange(state) ?? putChange(state, i)
          : kind === 'tx' ? txChange(state, i)
          : kind === 'big' ? bigChange(state, i)
          : incChange(state, op as string);
        return announce(i, kind, target, op, changes);
      },
      op === undefined ? {} : { op },
    );
    say({ t: 'ack', i, seq: result.seq, duplicate: result.duplicate });
    if (config.flushEvery > 0 && i % config.flushEvery === config.flushEvery - 1) await engine.flush();
  }
}

main().catch((error: unknown) => {
  say({ t: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
