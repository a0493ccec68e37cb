// Hostile input through the IPC handler table, the way a compromised or buggy renderer could
// send it. A seeded generator builds thousands of requests for every channel of the contract:
// wrong types, missing and extra fields, strings of a megabyte and more, `../` and absolute
// context names, NUL bytes, prototype-pollution keys (`__proto__`, `constructor`, `prototype`
// as own keys, the way JSON.parse makes them, also nested), deep nesting, arrays instead of
// objects, numbers out of range, invalid dates, unknown channels. Each case knows what it must
// get back:
// - 'schema': refused by the contract's validation: BAD_INPUT with the fields named, "Nothing
//   was changed.", and the engine never reached (not one file-system call, no lock);
// - 'refused': passes validation but names something that is not there (or text the service
//   refuses): ok:false with one of the contract's error codes and a message;
// - 'ok': a valid request (reads, and writes into a scratch context): ok:true;
// - 'channel': an unknown channel: UNKNOWN_CHANNEL.
// After every refused request, every file under the data folder (and beside it) has the same
// bytes, and no file appeared; after every request, Object.prototype (and Array.prototype) is
// as it was. A foreign sender (another webContents id, or a frame not on the app's scheme) is
// refused with FORBIDDEN on every channel, even with valid input.
//
// TENSION_TORTURE=long runs ten times as many cases; TENSION_FUZZ_SEED picks the seed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlerTable, type HandlerTable, type SenderInfo } from '../../electron/ipc/handlerTable.ts';
import { channels, CHANNEL_NAMES, type ChannelName, type IpcErrorCode, type IpcResult } from '../../shared/contract.ts';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import type { Engine } from '../../electron/core/engine.ts';
import { openEngine, removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

const LONG = process.env.TENSION_TORTURE === 'long';
const CASES = LONG ? 30_000 : 3_000;
const SEED = Number(process.env.TENSION_FUZZ_SEED ?? 20_260_105);

/** Every code of the contract's IpcErrorCode union (the `satisfies` keeps this list complete and exact). */
const ERROR_CODES = ['BAD_INPUT', 'NOT_FOUND', 'BUSY', 'READ_ONLY', 'DISK_FULL', 'PERMISSION_DENIED', 'IO_ERROR', 'CORRUPT', 'CONFLICT', 'FORBIDDEN', 'UNKNOWN_CHANNEL', 'INTERNAL'] as const satisfies readonly IpcErrorCode[];
type MissingCode = Exclude<IpcErrorCode, (typeof ERROR_CODES)[number]>;
const allCodesListed: MissingCode extends never ? true : false = true;

// ------------------------------------------------------------------ senders

const OWN_ID = 7;
const OWN_URL = 'app://tension/index.html';
const own: SenderInfo = { id: OWN_ID, url: OWN_URL };

/** The app's rule: one of its own windows (by webContents id), showing a page of its own scheme. */
function isAppWindow(sender: SenderInfo): boolean {
  if (sender.id !== OWN_ID) return false;
  try {
    const url = new URL(sender.url);
    return url.protocol === 'app:' && url.host === 'tension';
  } catch {
    return false;
  }
}

const FOREIGN: readonly SenderInfo[] = [
  { id: OWN_ID + 1, url: OWN_URL },
  { id: 0, url: OWN_URL },
  { id: -1, url: OWN_URL },
  { id: Number.NaN, url: OWN_URL },
  { id: OWN_ID, url: 'https://evil.example/' },
  { id: OWN_ID, url: 'http://localhost:5173/' },
  { id: OWN_ID, url: 'file:///etc/passwd' },
  { id: OWN_ID, url: 'app://tension.evil.example/' },
  { id: OWN_ID, url: 'app://evil/index.html' },
  { id: OWN_ID, url: 'devtools://devtools/bundled/devtools_app.html' },
  { id: OWN_ID, url: 'chrome-extension://abcdef/page.html' },
  { id: OWN_ID, url: 'about:blank' },
  { id: OWN_ID, url: 'data:text/html,<script>1</script>' },
  { id: OWN_ID, url: '' },
];

// ------------------------------------------------------------------ randomness


type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T => {
  if (list.length === 0) throw new Error('pick from an empty list');
  return list[Math.floor(random() * list.length)] as T;
};
const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

// Whole code points and escapes: multi-byte UTF-8, emoji, quotes, backslashes, tabs, newlines,
// U+2028, right-to-left marks and a lone surrogate (JSON.stringify escapes it).
const ALPHABET = Array.from('abcdefghijklmnopqrstuvwxyz ABC 0123456789 ✓é中🙂"\'\\/\t\n\u2028\u200f<>&%$`{}[]:,') .concat(['\ud800']);

/** A text the service accepts: starts with a letter (never blank once trimmed), no NUL. */
function randomText(random: Random, max = 120): string {
  let out = pick(random, Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZ'));
  for (let i = int(random, 0, max); i > 0; i -= 1) out += pick(random, ALPHABET);
  return out;
}

const MEGABYTE = 'x'.repeat(1_048_576);
/** A string of 1 MB and more, with a random head so no two are alike. */
function hugeString(random: Random): string {
  return `${randomText(random, 8)}${MEGABYTE}${'y'.repeat(int(random, 1, 500_000))}`;
}

function deepValue(random: Random): unknown {
  const depth = int(random, 200, LONG ? 100_000 : 20_000);
  const asArray = random() < 0.5;
  let value: unknown = pick(random, ['leaf', 1, null, {}, []]);
  for (let i = 0; i < depth; i += 1) value = asArray ? [value] : { [pick(random, ['a', '__proto__', 'constructor', 'prototype'])]: value };
  return value;
}

// ------------------------------------------------------------------ the contract's fields

type FieldKind = 'context' | 'id' | 'text' | 'query' | 'date' | 'dateNullable' | 'limit' | 'position' | 'reality' | 'steps' | 'op' | 'reason' | 'backupId' | 'contexts' | 'version' | 'records' | 'count' | 'flag' | 'action'
  // shared/contractContexts.ts
  | 'ids' | 'choice' | 'resolutions' | 'importText' | 'source' | 'undo'
  // charts.changes: the token of an earlier answer (any string; a bad one means the whole list)
  | 'token';

interface FieldSpec {
  readonly kind: FieldKind;
  readonly required: boolean;
  /** A reference to something that must exist: another value (a ghost) makes the request fail. */
  readonly ref?: boolean;
}

interface World {
  /** A chart in 'work' with two steps, the first telescoped into `sub`. */
  readonly chart: string;
  readonly sub: string;
  /** A chart in 'personal'. */
  readonly personal: string;
  /** A chart in 'scratch', the target of valid writes. */
  readonly scratch: string;
  readonly backup: string;
}

const F = (kind: FieldKind, required: boolean, ref = false): FieldSpec => ({ kind, required, ref });
const ctxRef = F('context', true, true);
const op = F('op', false);
/** The version the person saw: a well-formed one that is not the part's is a CONFLICT (refused). */
const ifVersion = F('version', false, true);

/** Every channel's fields (as the contract declares them) and a request the schema accepts. */
function channelSpecs(w: World): Record<ChannelName, { fields: Record<string, FieldSpec>; template: Record<string, unknown> }> {
  const step2 = `${w.chart}_action_2`;
  return {
    'app.info': { fields: {}, template: {} },
    'contexts.list': { fields: {}, template: {} },
    'contexts.create': { fields: { context: F('context', true) }, template: { context: 'ideas' } },
    'charts.list': { fields: { context: F('context', false) }, template: { context: 'work' } },
    // `since` is any string the app got back (a bad one means the whole list): only a huge one is refused.
    'charts.changes': { fields: { context: F('context', false), since: F('token', false) }, template: { context: 'work', since: '{}' } },
    'charts.firstRows': { fields: { context: F('context', false), count: F('limit', true), sort: F('choice', true), filter: F('choice', true) }, template: { context: 'work', count: 100, sort: 'due', filter: 'open' } },
    'charts.tree': { fields: { context: ctxRef, id: F('id', true, true) }, template: { context: 'work', id: w.chart } },
    'charts.search': { fields: { query: F('query', true), context: F('context', false), limit: F('limit', false) }, template: { query: 'billing', context: 'work', limit: 10 } },
    'charts.history': { fields: { context: ctxRef, id: F('id', true, true) }, template: { context: 'work', id: w.chart } },
    'charts.asOf': { fields: { context: ctxRef, id: F('id', true, true), time: F('date', true, true) }, template: { context: 'work', id: w.chart, time: '2099-01-01T00:00:00Z' } },
    'charts.create': {
      fields: { context: F('context', true), outcome: F('text', true), reality: F('reality', true), dueDate: F('date', false), steps: F('steps', false), op },
      template: { context: 'work', outcome: 'Ship the billing service', reality: ['Pilot only'], dueDate: '2026-12-31', steps: [{ title: 'Automate invoices', dueDate: '2026-11-30' }], op: 'create-1' },
    },
    'charts.move': { fields: { from: ctxRef, id: F('id', true, true), to: F('context', true), op, ifVersion }, template: { from: 'personal', id: w.personal, to: 'work', op: 'move-1' } },
    'charts.archive': { fields: { context: ctxRef, id: F('id', true, true), op, ifVersion }, template: { context: 'work', id: w.chart, op: 'archive-1' } },
    'charts.unarchive': { fields: { id: F('id', true, true), to: F('context', false), op, ifVersion }, template: { id: w.chart, to: 'work', op: 'unarchive-1' } },
    'charts.remove': { fields: { context: ctxRef, id: F('id', true, true), op, ifVersion }, template: { context: 'work', id: w.sub, op: 'remove-chart-1' } },
    'steps.add': { fields: { context: ctxRef, chartId: F('id', true, true), title: F('text', true), dueDate: F('date', false), op, ifVersion }, template: { context: 'work', chartId: w.chart, title: 'Another step', dueDate: '2026-12-01', op: 'add-1' } },
    'steps.edit': { fields: { context: ctxRef, name: F('id', true, true), title: F('text', false), dueDate: F('dateNullable', false), op, ifVersion }, template: { context: 'work', name: step2, title: 'Renamed', dueDate: null, op: 'edit-1' } },
    'steps.move': { fields: { context: ctxRef, name: F('id', true, true), to: F('position', true), op, ifVersion }, template: { context: 'work', name: step2, to: 1, op: 'move-step-1' } },
    'steps.complete': { fields: { context: ctxRef, name: F('id', true, true), op, ifVersion }, template: { context: 'work', name: step2, op: 'complete-1' } },
    'steps.reopen': { fields: { context: ctxRef, name: F('id', true, true), op, ifVersion }, template: { context: 'work', name: step2, op: 'reopen-1' } },
    'steps.remove': { fields: { context: ctxRef, name: F('id', true, true), op, ifVersion }, template: { context: 'work', name: step2, op: 'remove-1' } },
    // Puts back lines as they were: the template's record exists, so were it ever sent unchanged it would be refused (CONFLICT).
    'steps.restore': { fields: { context: F('context', true), records: F('records', true), op }, template: { context: 'work', records: [JSON.stringify({ type: 'entity', name: `${w.chart}_chart`, entityType: 'structural_tension_chart', observations: [] })], op: 'restore-1' } },
    'steps.telescope': { fields: { context: ctxRef, name: F('id', true, true), reality: F('text', false), op, ifVersion }, template: { context: 'work', name: step2, reality: 'Nothing migrated yet', op: 'telescope-1' } },
    'reality.add': { fields: { context: ctxRef, chartId: F('id', true, true), text: F('text', true), op, ifVersion }, template: { context: 'work', chartId: w.chart, text: 'A new fact', op: 'reality-1' } },
    'reality.edit': { fields: { context: ctxRef, chartId: F('id', true, true), from: F('text', true, true), to: F('text', false), op, ifVersion }, template: { context: 'work', chartId: w.chart, from: 'Pilot only', to: 'Pilot with 3 customers', op: 'reality-edit-1' } },
    'outcome.set': { fields: { context: ctxRef, chartId: F('id', true, true), text: F('text', true), op, ifVersion }, template: { context: 'work', chartId: w.chart, text: 'Ship it all', op: 'outcome-1' } },
    'outcome.complete': { fields: { context: ctxRef, chartId: F('id', true, true), op, ifVersion }, template: { context: 'work', chartId: w.chart, op: 'outcome-complete-1' } },
    'outcome.reopen': { fields: { context: ctxRef, chartId: F('id', true, true), op, ifVersion }, template: { context: 'work', chartId: w.chart, op: 'outcome-reopen-1' } },
    'due.set': { fields: { context: ctxRef, chartId: F('id', true, true), date: F('dateNullable', true), op, ifVersion }, template: { context: 'work', chartId: w.chart, date: '2027-03-31', op: 'due-1' } },
    'backups.list': { fields: {}, template: {} },
    'backups.create': { fields: { reason: F('reason', false) }, template: { reason: 'before trying something' } },
    'backups.verify': { fields: { id: F('backupId', true, true) }, template: { id: w.backup } },
    'backups.restore': { fields: { id: F('backupId', true, true), contexts: F('contexts', false) }, template: { id: w.backup, contexts: ['work'] } },
    'health.verify': { fields: {}, template: {} },
    'recovery.run': { fields: { contexts: F('contexts', false) }, template: { contexts: ['work'] } },
    // shared/contractBackups.ts
    'backups.overview': { fields: {}, template: {} },
    'backups.verifyAll': { fields: {}, template: {} },
    'backups.policy': { fields: {}, template: {} },
    'backups.policyPreview': { fields: { keepDaily: F('count', true), keepWeekly: F('count', true), keepMonthly: F('count', true) }, template: { keepDaily: 7, keepWeekly: 5, keepMonthly: 12 } },
    'backups.setPolicy': { fields: { keepDaily: F('count', true), keepWeekly: F('count', true), keepMonthly: F('count', true) }, template: { keepDaily: 3, keepWeekly: 2, keepMonthly: 1 } },
    'backups.restorePreview': { fields: { id: F('backupId', true, true), context: ctxRef, chartId: F('id', false, true) }, template: { id: w.backup, context: 'work', chartId: w.chart } },
    'backups.restoreFrom': { fields: { id: F('backupId', true, true), context: ctxRef, chartId: F('id', false, true) }, template: { id: w.backup, context: 'work', chartId: w.chart } },
    'backups.undoRestore': { fields: { safetyBackup: F('backupId', true, true), context: ctxRef, chartId: F('id', false, true) }, template: { safetyBackup: w.backup, context: 'work', chartId: w.chart } },
    'deleted.list': { fields: { days: F('limit', false), context: F('context', false, true) }, template: { days: 30, context: 'work' } },
    'deleted.restore': { fields: { id: F('id', true, true) }, template: { id: 'work@1.0' } },
    'recovery.analyze': { fields: { context: ctxRef }, template: { context: 'work' } },
    'recovery.apply': { fields: { context: ctxRef, action: F('action', true), backup: F('backupId', false), backupFirst: F('flag', false) }, template: { context: 'work', action: 'leave', backupFirst: true } },
    'recovery.automatic': { fields: {}, template: {} },
    'recovery.files': { fields: {}, template: {} },
    'recovery.readFile': { fields: { name: F('id', true, true) }, template: { name: 'recovery-2027-01-01.log' } },
    // shared/contractInsights.ts
    'health.report': { fields: { context: F('context', false, true), days: F('limit', false) }, template: { context: 'work', days: 30 } },
    'health.check': { fields: { days: F('limit', false) }, template: { days: 7 } },
    'health.freeSpace': { fields: {}, template: {} },
    'insights.context': { fields: { context: F('context', false), weeks: F('limit', false), stalledDays: F('limit', false) }, template: { context: 'work', weeks: 12, stalledDays: 30 } },
    'insights.chart': { fields: { id: F('id', true, true), context: F('context', false), weeks: F('limit', false), stalledDays: F('limit', false) }, template: { id: w.chart, context: 'work', weeks: 12 } },
    // shared/contractContexts.ts
    'contexts.rename': { fields: { from: ctxRef, to: F('context', true), op }, template: { from: 'personal', to: 'private', op: 'rename-1' } },
    'contexts.mergePreview': { fields: { from: ctxRef, into: ctxRef }, template: { from: 'work', into: 'personal' } },
    'contexts.merge': { fields: { from: ctxRef, into: ctxRef, resolutions: F('resolutions', false), onCollision: F('choice', false), op }, template: { from: 'personal', into: 'work', resolutions: [{ id: w.personal, choice: 'new-id' }], onCollision: 'skip', op: 'merge-1' } },
    'contexts.undoMerge': { fields: { from: ctxRef, into: ctxRef, charts: F('ids', true, true), op }, template: { from: 'work', into: 'personal', charts: [w.personal], op: 'undo-merge-1' } },
    'contexts.delete': { fields: { context: ctxRef, op }, template: { context: 'personal', op: 'delete-1' } },
    // Refused as it stands (personal was never deleted): any mutation of it must be refused too.
    'contexts.restoreDeleted': { fields: { context: ctxRef, op }, template: { context: 'personal', op: 'restore-context-1' } },
    'charts.movePreview': { fields: { from: ctxRef, to: F('context', true), ids: F('ids', true, true) }, template: { from: 'work', to: 'personal', ids: [w.chart] } },
    'charts.moveMany': { fields: { from: ctxRef, to: F('context', true), ids: F('ids', true, true), resolutions: F('resolutions', false), onCollision: F('choice', false), takeBack: F('ids', false, true), op }, template: { from: 'personal', to: 'work', ids: [w.personal], onCollision: 'new-id', op: 'move-many-1' } },
    'charts.export': { fields: { context: ctxRef, ids: F('ids', false, true), format: F('choice', true) }, template: { context: 'work', ids: [w.chart], format: 'markdown' } },
    'imports.preview': { fields: { context: F('context', true), text: F('importText', true), source: F('source', true) }, template: { context: 'scratch', text: IMPORT_LINE, source: 'notes.jsonl' } },
    'imports.apply': { fields: { context: F('context', true), text: F('importText', true), source: F('source', true), onCollision: F('choice', false), op }, template: { context: 'scratch', text: IMPORT_LINE, source: 'notes.jsonl', onCollision: 'skip', op: 'import-1' } },
    // Refused as it stands (what it names as written is not there): any mutation of it must be refused too.
    'imports.undo': { fields: { undo: F('undo', true, true), op }, template: { undo: ghostUndo('imported_ghost'), op: 'undo-import-1' } },
  };
}

// ------------------------------------------------------------------ hostile values

/** One entity line, as a file to import holds it. */
const IMPORT_LINE = '{"type":"entity","name":"imported_note","entityType":"note","observations":["from a file"]}';
/** An import's undo naming a record that was never written: refused (CONFLICT), nothing changed. */
const ghostUndo = (name: string) => ({ context: 'scratch', restore: [], remove: [['entity', name]], wrote: [`{"type":"entity","name":"${name}","entityType":"note","observations":[]}`] });

const BAD_CONTEXTS = [
  '../x', '..', '.', '../../etc/passwd', '../.coaia', '/etc/passwd', '/tmp/x', 'a/b', 'work/..', 'a\\b', '..\\..\\x', 'C:\\Windows', 'C:', '~', '~/x', 'wo rk', ' work', 'work ',
  'work\n', 'work\r', 'work\u0000', '\u0000', 'wörk', 'работа', '工作', '🙂', '', '%2e%2e', '%2fetc', 'x..y', '..hidden', 'work;rm -rf /', '$HOME', '`id`', '*', '?', 'a:b', 'con|nul',
  'a'.repeat(101), 'work\u202e', 'work\t',
];

const BAD_DATES = [
  '2026-13-01', '2026-00-10', '2026-12-00', '2026-12-31T25:00', '2026-12-31T23:60', '2026-12-31T23:59:60Z', 'yesterday', 'tomorrow', '31/12/2026', '12/31/2026', '2026-1-1', '2026/12/31', '', ' ',
  '2026-12-31T', 'NaN', 'Infinity', '20261231', ' 2026-12-31', '2026-12-31 ', '2026-12-31\n', '2026-12-31T10:00:00.1234567890Z', '+002026-12-31', '-000001-01-01', '2026-12-31T10:00:00ZZ',
  '2026-12-31T10:00:00+0200', '2026-W52', '2026-365', 'Thu, 31 Dec 2026 10:00:00 GMT', '2026-12-31T10:00:00 Z', '2026-12-31\u0000',
];

function wrongTypeValues(kind: FieldKind): unknown[] {
  const common: unknown[] = [0, 1, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, true, false, {}, { length: 1, 0: 'x' }, [], 12n, new Date(0)];
  switch (kind) {
    case 'limit':
    case 'position':
      return ['5', '1', true, false, null, {}, [], [1], 5n, new Date(0)];
    case 'reality':
    case 'contexts':
      return ['work', 1, null, {}, { 0: 'work', length: 1 }, true, 5n, [1], [null], [['work']], [{}], [true]];
    case 'steps':
      return ['step', 1, null, {}, true, ['title'], [1], [null], [[{ title: 'x' }]], [{ title: 1 }], [{ title: null }], [{}], [{ title: 'x', dueDate: 5 }]];
    case 'dateNullable':
      return [...common, 20_261_231];
    case 'records':
      return ['{"type":"entity"}', 1, null, {}, true, [], [1], [null], [{}], [['{}']], ['x']];
    case 'count':
      return ['5', '0', true, false, null, {}, [], [1], 5n, new Date(0)];
    case 'flag':
      return [0, 1, 'true', 'false', '', null, {}, [], [true], 5n];
    case 'ids':
      return ['x', 1, null, {}, true, [], [1], [null], [['x']], [{}], [''], 5n];
    case 'resolutions':
      return ['x', 1, null, true, {}, ['new-id'], [1], [null], [{}], [{ id: 'x' }], [{ id: 'x', choice: 'merge' }], { x: 'skip' }, 5n];
    default:
      return [...common, null, ['x']];
  }
}

/** Values just past a field's limit, or of a megabyte and more. */
function tooLong(random: Random, kind: FieldKind): unknown {
  // 64 MB of text is the limit: going past it in every case would only make the test slow; empty is past the other end.
  if (kind === 'importText') return '';
  if (random() < 0.5) return hugeString(random);
  const limits: Partial<Record<FieldKind, number>> = { context: 100, id: 1_000, text: 10_000, query: 500, op: 200, reason: 200, backupId: 100, token: 200_000 };
  const limit = limits[kind];
  if (limit !== undefined) return 'z'.repeat(limit + int(random, 1, 3));
  if (kind === 'reality') return Array.from({ length: int(random, 201, 5_000) }, (_, i) => `fact ${i}`);
  if (kind === 'steps') return Array.from({ length: int(random, 501, 3_000) }, (_, i) => ({ title: `step ${i}` }));
  if (kind === 'contexts') return Array.from({ length: int(random, 1_001, 5_000) }, () => 'work');
  if (kind === 'records') return Array.from({ length: 100_001 }, () => '{}');
  if (kind === 'ids') return random() < 0.5 ? [hugeString(random)] : Array.from({ length: 10_001 }, (_, i) => `chart_${i}`);
  if (kind === 'source') return 'z'.repeat(256 + int(random, 0, 3));
  if (kind === 'resolutions') return random() < 0.5 ? [{ id: hugeString(random), choice: 'skip' }] : Array.from({ length: 10_001 }, (_, i) => ({ id: `chart_${i}`, choice: 'skip' }));
  return hugeString(random);
}

function outOfRange(random: Random, kind: 'limit' | 'position'): number {
  const max = kind === 'limit' ? 5_000 : 10_000;
  return pick(random, [0, -0, -1, -max, max + 1, max * 10, 1.5, 0.999, 2 ** 53 + 2, -(2 ** 53), 1e300, Number.MIN_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
}

/** A value the field's schema refuses, picked among the shapes above. */
function invalidValueFor(random: Random, kind: FieldKind): unknown {
  const roll = random();
  if (roll < 0.3) return pick(random, wrongTypeValues(kind));
  if (roll < 0.45 && kind !== 'limit' && kind !== 'position') return tooLong(random, kind);
  if (roll < 0.55) return deepValue(random);
  switch (kind) {
    case 'context':
      return pick(random, BAD_CONTEXTS);
    case 'contexts':
      return [...(random() < 0.5 ? ['work'] : []), pick(random, BAD_CONTEXTS)];
    case 'date':
    case 'dateNullable':
      return pick(random, BAD_DATES);
    case 'limit':
    case 'position':
      return outOfRange(random, kind);
    case 'backupId':
      return pick(random, ['../x', '/etc', 'a b', 'x\u0000', '', 'ab/c', '_x', 'x_y', '..\\x']);
    case 'reality':
      return pick(random, [[], [''], ['fact', ''], [hugeString(random)]]);
    case 'steps':
      return pick(random, [[{ title: '' }], [{ title: 'x', extra: 1 }], [{ title: 'x', dueDate: '2026-13-01' }], [{ title: 'x', dueDate: null }], [JSON.parse('{"title":"x","__proto__":{"polluted":"yes"}}')]]);
    case 'id':
    case 'text':
    case 'query':
    case 'op':
      return pick(random, ['', hugeString(random)]);
    case 'reason':
    case 'token':
      return hugeString(random);
    case 'version':
      return pick(random, ['', 'abc', '1234567', '123456789', 'DEADBEEF', 'g0000000', ' deadbeef', 'deadbeef\n', hugeString(random)]);
    case 'records':
      return pick(random, [[], [''], ['x'], ['{}', 'y']]);
    case 'count':
      return pick(random, [-1, -0.5, 1.5, 10_001, 1e9, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]);
    case 'flag':
      return pick(random, ['yes', 'no', 1, 0, null]);
    case 'action':
      return pick(random, ['Repair', 'delete', '', 'repair ', 'restore\u0000', 'leave-it']);
    case 'ids':
      return pick(random, [[], [''], ['x'.repeat(1_001)], [hugeString(random)], ['ok', 7]]);
    case 'choice':
      return pick(random, ['', 'overwrite', 'New-Id', 'skip ', 'new_id', 'jsonl\u0000', 'pdf']);
    case 'resolutions':
      return pick(random, [[{ id: 'x', choice: 'overwrite' }], [{ id: '', choice: 'skip' }], [{ id: 'x', choice: '' }], [{ id: 'x', choice: 'skip', extra: 1 }], [JSON.parse('{"__proto__":{"polluted":"yes"},"id":"x","choice":"skip"}')]]);
    case 'importText':
    case 'source':
      return '';
    case 'undo':
      return pick(random, [{ ...ghostUndo('x'), context: '../x' }, { ...ghostUndo('x'), restore: ['x'] }, { ...ghostUndo('x'), remove: [['entity']] }, { ...ghostUndo('x'), extra: 1 }, { restore: [], remove: [], wrote: [] }]);
  }
}

// ------------------------------------------------------------------ cases

type Expect = 'schema' | 'refused' | 'ok' | 'channel';

interface Case {
  readonly label: string;
  readonly channel: unknown;
  readonly input: unknown;
  readonly expect: Expect;
  /** For 'ok': whether the request may change files (reads must not). */
  readonly writes?: boolean;
}

const POLLUTERS = [
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"prototype":{"polluted":"yes"}}',
  '{"__proto__":{"__proto__":{"polluted":"yes"}}}',
  '{"__proto__":[1,2,3]}',
  '{"__proto__":null}',
  '{"constructor":"x"}',
  '{"toString":"x","valueOf":1,"hasOwnProperty":"x"}',
  '{"__defineGetter__":"x","__lookupGetter__":"x"}',
];

/** The template with one more own key, made by JSON.parse (so `__proto__` is an own key, as over IPC). */
function withExtraKey(random: Random, template: Record<string, unknown>): unknown {
  const roll = random();
  if (roll < 0.5) {
    const polluter = pick(random, POLLUTERS);
    const json = JSON.stringify(template);
    return JSON.parse(json === '{}' ? polluter : `${polluter.slice(0, -1)},${json.slice(1)}`);
  }
  const key = pick(random, ['extra', 'path', 'file', 'root', 'then', 'length', '0', '', ' context', 'Context', 'CONTEXT', 'context\u0000', 'op ', '__proto__x', 'a'.repeat(100)]);
  return JSON.parse(JSON.stringify({ ...template, [key]: pick(random, ['x', 1, null, { polluted: 'yes' }]) }));
}

/** A field holding a nested object with pollution keys (own keys, via JSON.parse). */
function withPollutedField(random: Random, template: Record<string, unknown>, field: string, kind: FieldKind): unknown {
  const polluter = pick(random, POLLUTERS);
  const json = JSON.stringify(template);
  const value = kind === 'steps' ? `[${polluter.slice(0, -1)},"title":"x"}]` : kind === 'reality' || kind === 'contexts' ? `[${polluter}]` : polluter;
  const replaced = JSON.parse(json) as Record<string, unknown>;
  replaced[field] = (JSON.parse(`{"${field}":${value}}`) as Record<string, unknown>)[field];
  return replaced;
}

function ghostValue(random: Random, kind: FieldKind, n: number): unknown {
  switch (kind) {
    case 'context':
      return pick(random, ['ghost', 'nowhere', 'archive-not-here', '-rf', '.hidden', 'a.b', '_']);
    case 'backupId':
      return pick(random, ['nope', '2020-01-01T00-00-00.000Z', 'x.y-z', `missing-${n}`]);
    case 'date':
      return pick(random, ['2000-01-01', '1970-01-01T00:00:00Z', '1999-12-31T23:59:59.999+14:00']);
    case 'text':
      return `not an observation ${n}`;
    case 'version':
      return pick(random, ['deadbeef', 'ffffffff', '00000001']);
    case 'ids':
      return [`chart_ghost_${n}`];
    case 'undo':
      return ghostUndo(`ghost_${n}`);
    default:
      return pick(random, [`chart_ghost_${n}`, 'nope', `chart_${n}`, `ghost_action_${n}`, 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'a'.repeat(1_000)]);
  }
}

/** Requests the schema and the service accept (reads anywhere; writes only into 'scratch'). */
/** The request each op was first sent with, by world (validCase's retries send it again). */
const sentWithOp = new WeakMap<World, Map<string, Record<string, unknown>>>();

function validCase(random: Random, w: World, n: number): Case {
  const reads: [ChannelName, Record<string, unknown>][] = [
    ['app.info', {}],
    ['contexts.list', {}],
    ['charts.list', {}],
    ['charts.list', { context: 'work' }],
    ['charts.changes', { since: pick(random, ['', '{}', 'not json', '[1]', '{"work":{"epoch":"x","generation":1}}', '{"work":{"epoch":"x","generation":-1.5}}']) }],
    ['charts.list', { context: pick(random, ['-rf', '.hidden', 'a.b', '_', 'con', 'nul', 'A'.repeat(100)]) }],
    ['charts.tree', { context: 'work', id: w.chart }],
    ['charts.tree', { context: 'work', id: w.sub }],
    ['charts.search', { query: pick(random, ['billing', 'pilot', 'a', '🙂', '"', '\\', '*', '.*', '(', 'x'.repeat(500)]), ...(random() < 0.5 ? { limit: int(random, 1, 500) } : {}) }],
    ['charts.history', { context: 'work', id: w.chart }],
    ['charts.asOf', { context: 'work', id: w.chart, time: pick(random, ['2099-01-01', '2099-12-31T23:59:59.999Z', '2100-02-28T00:00+01:00']) }],
    ['backups.list', {}],
    ['backups.verify', { id: w.backup }],
    ['health.verify', {}],
    ['backups.overview', {}],
    ['backups.policy', {}],
    ['backups.policyPreview', { keepDaily: int(random, 0, 10_000), keepWeekly: int(random, 0, 10), keepMonthly: 0 }],
    ['backups.restorePreview', { id: w.backup, context: 'work', ...(random() < 0.5 ? { chartId: w.chart } : {}) }],
    ['deleted.list', random() < 0.5 ? {} : { days: int(random, 1, 3_650), context: 'work' }],
    ['recovery.analyze', { context: pick(random, ['work', 'personal']) }],
    ['recovery.automatic', {}],
    ['recovery.files', {}],
    ['health.report', random() < 0.5 ? {} : { context: 'work', days: int(random, 1, 366) }],
    ['insights.context', random() < 0.5 ? {} : { context: pick(random, ['work', 'personal', 'a.b']), weeks: int(random, 1, 520) }],
    ['insights.chart', { id: pick(random, [w.chart, w.sub, w.personal]), ...(random() < 0.5 ? { stalledDays: int(random, 1, 3_650) } : {}) }],
    ['contexts.mergePreview', { from: pick(random, ['work', 'scratch']), into: 'personal' }],
    // A chart with its sub-chart, or both named (a sub-chart alone is refused: move the top chart).
    ['charts.movePreview', { from: 'work', to: pick(random, ['personal', 'elsewhere']), ids: random() < 0.5 ? [w.chart] : [w.chart, w.sub] }],
    ['charts.export', { context: 'work', format: pick(random, ['jsonl', 'markdown']), ...(random() < 0.5 ? { ids: [w.chart] } : {}) }],
    ['imports.preview', { context: pick(random, ['scratch', 'nowhere-yet']), text: random() < 0.5 ? IMPORT_LINE : `${IMPORT_LINE}\nnot json`, source: 'notes.jsonl' }],
  ];
  const dates = ['2026-12-31', '2027-01-01T09:30:00Z', '2026-06-15T12:00:00.123+02:00', '2028-02-29', '2030-01-01T00:00'];
  // Retries: an op sent again comes with the very request it was first sent with (the same op with
  // another request is refused: operationIntent.ts); sentWithOp keeps each op's first request.
  const maybeOp = (kind: string) => (random() < 0.3 ? { op: `op-${kind}-${int(random, 1, 20)}` } : {});
  const writes: [ChannelName, Record<string, unknown>][] = [
    ['charts.create', { context: 'scratch', outcome: randomText(random), reality: Array.from({ length: int(random, 1, 4) }, () => randomText(random)), ...(random() < 0.5 ? { dueDate: pick(random, dates) } : {}), steps: Array.from({ length: int(random, 0, 3) }, () => ({ title: randomText(random, 40) })), ...maybeOp('charts.create') }],
    ['reality.add', { context: 'scratch', chartId: w.scratch, text: randomText(random), ...maybeOp('reality.add') }],
    ['steps.add', { context: 'scratch', chartId: w.scratch, title: randomText(random, 60), ...(random() < 0.5 ? { dueDate: pick(random, dates) } : {}), ...maybeOp('steps.add') }],
    ['outcome.set', { context: 'scratch', chartId: w.scratch, text: randomText(random), ...maybeOp('outcome.set') }],
    ['due.set', { context: 'scratch', chartId: w.scratch, date: random() < 0.2 ? null : pick(random, dates), ...maybeOp('due.set') }],
  ];
  const isWrite = random() < 0.4;
  const [channel, picked] = pick(random, isWrite ? writes : reads);
  const sent = sentWithOp.get(w) ?? new Map<string, Record<string, unknown>>();
  sentWithOp.set(w, sent);
  const op = picked.op as string | undefined;
  const input = op === undefined ? picked : (sent.get(op) ?? picked);
  if (op !== undefined) sent.set(op, input);
  return { label: `#${n} valid ${channel}`, channel, input, expect: 'ok', writes: isWrite };
}

function generateCase(random: Random, w: World, specs: ReturnType<typeof channelSpecs>, n: number): Case {
  const roll = random();
  if (roll < 0.04) return validCase(random, w, n);
  if (roll < 0.06) {
    const channel = pick(random, ['', 'fs.readFile', 'charts', 'charts.create ', 'CHARTS.CREATE', 'charts.create\u0000', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '../charts.list', 'shell.openExternal', 'tension:invoke', 42, null, undefined, {}, ['charts.list'], hugeString(random)]);
    return { label: `#${n} unknown channel ${JSON.stringify(String(channel).slice(0, 40))}`, channel, input: {}, expect: 'channel' };
  }
  const channel = pick(random, CHANNEL_NAMES);
  const spec = specs[channel];
  const template = JSON.parse(JSON.stringify(spec.template)) as Record<string, unknown>;
  const fields = Object.entries(spec.fields);
  const required = fields.filter(([, f]) => f.required);
  const label = (what: string) => `#${n} ${channel}: ${what}`;
  const mutation = random();

  if (fields.length === 0 && mutation >= 0.4) {
    // Channels without fields: any key is one too many.
    if (mutation < 0.8) return { label: label('an extra key'), channel, input: withExtraKey(random, template), expect: 'schema' };
    return { label: label('deep nesting as the input'), channel, input: deepValue(random), expect: 'schema' };
  }
  if (mutation < 0.1 || fields.length === 0) {
    // Not an object at all.
    const input = pick(random, [null, undefined, 0, 42, -1, Number.NaN, Number.POSITIVE_INFINITY, true, false, '', 'charts', JSON.stringify(template), [], [template], [[template]], 10n, hugeString(random), deepValue(random)]);
    return { label: label(`input ${show(input)}`), channel, input, expect: 'schema' };
  }
  if (mutation < 0.2) {
    const [field, f] = pick(random, fields);
    const value = invalidValueFor(random, f.kind);
    return { label: label(`${field} = ${show(value)}`), channel, input: { ...template, [field]: value }, expect: 'schema' };
  }
  if (mutation < 0.27 && required.length > 0) {
    const [field] = pick(random, required);
    const input = { ...template };
    delete input[field];
    return { label: label(`without ${field}`), channel, input, expect: 'schema' };
  }
  if (mutation < 0.4) return { label: label('an extra key'), channel, input: withExtraKey(random, template), expect: 'schema' };
  if (mutation < 0.47) {
    const [field, f] = pick(random, fields);
    return { label: label(`${field} holding a polluting object`), channel, input: withPollutedField(random, template, field, f.kind), expect: 'schema' };
  }
  if (mutation < 0.55) {
    const contextFields = fields.filter(([, f]) => f.kind === 'context' || f.kind === 'contexts');
    if (contextFields.length > 0) {
      const [field, f] = pick(random, contextFields);
      const bad = pick(random, BAD_CONTEXTS);
      const value = f.kind === 'contexts' ? ['work', bad] : bad;
      return { label: label(`${field} = ${show(value)}`), channel, input: { ...template, [field]: value }, expect: 'schema' };
    }
  }
  if (mutation < 0.62) {
    const dateFields = fields.filter(([, f]) => f.kind === 'date' || f.kind === 'dateNullable');
    const numberFields = fields.filter(([, f]) => f.kind === 'limit' || f.kind === 'position');
    if (dateFields.length > 0 && (numberFields.length === 0 || random() < 0.5)) {
      const [field] = pick(random, dateFields);
      const value = pick(random, BAD_DATES);
      return { label: label(`${field} = ${show(value)}`), channel, input: { ...template, [field]: value }, expect: 'schema' };
    }
    if (numberFields.length > 0) {
      const [field, f] = pick(random, numberFields);
      const value = outOfRange(random, f.kind as 'limit' | 'position');
      return { label: label(`${field} = ${show(value)}`), channel, input: { ...template, [field]: value }, expect: 'schema' };
    }
  }
  if (mutation < 0.7) {
    const [field, f] = pick(random, fields);
    const value = f.kind === 'limit' || f.kind === 'position' ? outOfRange(random, f.kind) : tooLong(random, f.kind);
    return { label: label(`${field} = ${show(value)}`), channel, input: { ...template, [field]: value }, expect: 'schema' };
  }
  if (mutation < 0.78) {
    // NUL bytes: in a context name the schema refuses them; in names and texts the service does.
    const nulFields = fields.filter(([, f]) => f.kind === 'context' || f.kind === 'text' || f.ref === true || f.kind === 'reality' || f.kind === 'steps');
    if (nulFields.length > 0) {
      const [field, f] = pick(random, nulFields);
      const nul = (s: string) => pick(random, [`${s}\u0000`, `\u0000${s}`, `${s.slice(0, 2)}\u0000${s.slice(2)}`, '\u0000']);
      if (f.kind === 'context' || f.kind === 'backupId' || f.kind === 'date') {
        return { label: label(`${field} with a NUL byte`), channel, input: { ...template, [field]: nul(String(template[field] ?? 'work')) }, expect: 'schema' };
      }
      const value = f.kind === 'reality' ? [nul('fact')] : f.kind === 'steps' ? [{ title: nul('step') }] : nul(String(template[field] ?? 'text'));
      return { label: label(`${field} with a NUL byte`), channel, input: { ...template, [field]: value }, expect: 'refused' };
    }
  }
  if (mutation < 0.9) {
    // Well-formed, but naming what is not there (or a step position past the chart's end).
    const refs = fields.filter(([, f]) => f.ref === true);
    if (channel === 'steps.move' && random() < 0.3) {
      return { label: label('a position past the last step'), channel, input: { ...template, to: int(random, 50, 10_000) }, expect: 'refused' };
    }
    if (refs.length > 0) {
      const [field, f] = pick(random, refs);
      const value = ghostValue(random, f.kind, n);
      return { label: label(`${field} = ${show(value)} (not there)`), channel, input: { ...template, [field]: value }, expect: 'refused' };
    }
  }
  // Deep nesting, anywhere.
  const [field] = pick(random, fields);
  const where = random();
  const deep = deepValue(random);
  const input = where < 0.4 ? { ...template, [field]: deep } : where < 0.7 ? { ...template, nested: deep } : deep;
  return { label: label(`deep nesting ${where < 0.4 ? `in ${field}` : where < 0.7 ? 'in an extra key' : 'as the input'}`), channel, input, expect: 'schema' };
}

function show(value: unknown, depth = 0): string {
  if (typeof value === 'string') return value.length > 60 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object' || value === null) return String(value);
  if (depth > 2) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) return value.length > 5 ? `an array of ${value.length}` : `[${value.map((v) => show(v, depth + 1)).join(', ')}]`;
  if (value instanceof Date) return 'a Date';
  const keys = Object.keys(value);
  if (keys.length > 5) return `an object with ${keys.length} keys`;
  return `{${keys.map((k) => `${JSON.stringify(k.length > 20 ? `${k.slice(0, 20)}…` : k)}: ${show((value as Record<string, unknown>)[k], depth + 1).slice(0, 40)}`).join(', ')}}`;
}

// ------------------------------------------------------------------ the data folder and the engine

/**
 * Every directory and file under `dir` (hidden ones too), files with their size and SHA-256.
 * The root lock (`.tension.lock` and its owner note) is not data: the engine keeps it for a
 * short lease after an operation, so it may come and go between two requests.
 */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      if (entry.name.startsWith('.tension.lock')) continue;
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) {
        out.set(`${full}/`, 'dir');
        walk(full);
      } else {
        const bytes = fs.readFileSync(full);
        out.set(full, `${bytes.length} ${crypto.createHash('sha256').update(bytes).digest('hex')}`);
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * The insights rollup beside a journal (`.history/<file>.insights.json` and `.bin`) is a cache of
 * the journal that reading insights or health keeps up to date: it may change on any request
 * that reads them, refused ones included (a chart looked for in every context's history).
 */
const isInsightsCache = (line: string) => /\/\.history\/[^/]+\.insights\.(json|bin)$/.test(line);

function snapshotDiff(before: Map<string, string>, after: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const [file, hash] of after) if (!before.has(file)) lines.push(`new ${file}`);
  else if (before.get(file) !== hash) lines.push(`changed ${file}`);
  for (const file of before.keys()) if (!after.has(file)) lines.push(`gone ${file}`);
  return lines;
}

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype] as const;
const prototypeShape = () => PROTOTYPES.map((p) => Object.getOwnPropertyNames(p).sort().join(','));

function assertUnpolluted(shape: string[], label: string): void {
  expect(prototypeShape(), `${label}: a prototype changed`).toEqual(shape);
  expect(({} as Record<string, unknown>).polluted, `${label}: Object.prototype polluted`).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>).polluted, `${label}: Array.prototype polluted`).toBeUndefined();
}

interface Rig {
  readonly engine: Engine;
  readonly table: HandlerTable;
  readonly folder: string;
  readonly world: World;
  readonly counters: { fsCalls: number; lockCalls: number; senderChecks: SenderInfo[] };
}

/** A data folder with charts in 'work', 'personal' and 'scratch' and one backup; the engine's file-system calls and lock uses counted. */
async function rig(): Promise<Rig> {
  const folder = tempDir('tension-hostile-');
  const counters = { fsCalls: 0, lockCalls: 0, senderChecks: [] as SenderInfo[] };
  const counting = Object.fromEntries(
    Object.entries(realFileSystem).map(([name, fn]) => [
      name,
      (...args: unknown[]) => {
        counters.fsCalls += 1;
        return (fn as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as FileSystem;
  const engine = await openEngine(resolveLayout({ data: path.join(folder, '.coaia') }), { fs: counting });
  const withLock = engine.withLock.bind(engine);
  engine.withLock = (work) => {
    counters.lockCalls += 1;
    return withLock(work);
  };
  const table = createHandlerTable({
    engine,
    isOwnSender: (sender) => {
      counters.senderChecks.push(sender);
      return isAppWindow(sender);
    },
  });
  const call = async <T>(channel: ChannelName, input: unknown): Promise<T> => {
    const result = await table.handle(channel, input, own);
    if (!result.ok) throw new Error(`setup ${channel} failed: ${result.error.message}`);
    return result.value as T;
  };
  const { id: chart } = await call<{ id: string }>('charts.create', { context: 'work', outcome: 'Ship the billing service', reality: ['Pilot only'], dueDate: '2026-12-31', steps: [{ title: 'Automate invoices' }, { title: 'Migrate customers' }] });
  const { id: sub } = await call<{ id: string }>('steps.telescope', { context: 'work', name: `${chart}_action_1` });
  const { id: personal } = await call<{ id: string }>('charts.create', { context: 'personal', outcome: 'Run a marathon', reality: ['Running 5 km'] });
  const { id: scratch } = await call<{ id: string }>('charts.create', { context: 'scratch', outcome: 'A place for valid writes', reality: ['Empty'] });
  await engine.flush();
  const { id: backup } = await call<{ id: string }>('backups.create', { reason: 'hostile input test' });
  return { engine, table, folder, world: { chart, sub, personal, scratch, backup }, counters };
}

function assertTypedError(result: IpcResult<unknown>, label: string): asserts result is { ok: false; error: { code: IpcErrorCode; message: string; kept?: string; issues?: readonly { path: string; message: string }[] } } {
  expect(result.ok, `${label}: expected a refusal, got ${JSON.stringify(result).slice(0, 300)}`).toBe(false);
  if (result.ok) return;
  expect(ERROR_CODES, `${label}: error code`).toContain(result.error.code);
  expect(typeof result.error.message, `${label}: message`).toBe('string');
  expect(result.error.message.length, `${label}: empty message`).toBeGreaterThan(0);
}

// ------------------------------------------------------------------ tests

afterEach(removeTempDirs);

describe('hostile input over IPC', () => {
  it(`thousands of random and hostile inputs (${CASES}, seed ${SEED}) each get a typed error and change nothing on disk`, async () => {
    expect(allCodesListed).toBe(true);
    const { engine, table, folder, world, counters } = await rig();
    const specs = channelSpecs(world);
    // Every template is accepted by the contract: a mutation of it is then the only thing wrong.
    for (const name of CHANNEL_NAMES) expect(channels[name].input.safeParse(specs[name].template).success, `template of ${name}`).toBe(true);

    const random = seededRandom(SEED);
    const shape = prototypeShape();
    let disk = snapshot(folder);
    const seen: Record<Expect, number> = { schema: 0, refused: 0, ok: 0, channel: 0 };
    const codes = new Map<string, number>();
    try {
      for (let n = 1; n <= CASES; n += 1) {
        const c = generateCase(random, world, specs, n);
        const label = `seed ${SEED} ${c.label}`;
        const fsBefore = counters.fsCalls;
        const locksBefore = counters.lockCalls;
        const result = await table.handle(c.channel as string, c.input, own);
        seen[c.expect] += 1;
        assertUnpolluted(shape, label);
        if (!result.ok) codes.set(result.error.code, (codes.get(result.error.code) ?? 0) + 1);

        if (c.expect === 'ok') {
          expect(result, `${label}: a valid request was refused`).toMatchObject({ ok: true });
          const now = snapshot(folder);
          // A verification keeps its result beside the backup it checked (`.backup/<id>/check.json`:
          // when a backup was last verified is what the health view shows); nothing else may change.
          const recordsItsCheck = c.channel === 'backups.verify' || c.channel === 'health.verify';
          const changed = snapshotDiff(disk, now).filter((line) => !(recordsItsCheck && /\/\.backup\/[^/]+\/check\.json$/.test(line)) && !isInsightsCache(line));
          if (!c.writes) expect(changed, `${label}: a read changed files`).toEqual([]);
          disk = now;
          continue;
        }
        assertTypedError(result, label);
        if (c.expect === 'channel') {
          expect(result.error.code, label).toBe('UNKNOWN_CHANNEL');
        } else if (c.expect === 'schema') {
          expect(result.error.code, `${label}: ${result.error.message.slice(0, 300)}`).toBe('BAD_INPUT');
          expect(result.error.kept, label).toBe('Nothing was changed.');
          expect(result.error.issues?.length ?? 0, `${label}: which fields were wrong`).toBeGreaterThan(0);
        } else {
          expect(result.error.code, `${label}: ${result.error.message.slice(0, 300)}`).not.toBe('INTERNAL');
        }
        if (c.expect === 'schema' || c.expect === 'channel') {
          // Refused before the engine: not one file-system call, not even the lock.
          expect(counters.fsCalls - fsBefore, `${label}: file-system calls for a request refused by validation`).toBe(0);
          expect(counters.lockCalls - locksBefore, `${label}: the lock taken for a request refused by validation`).toBe(0);
        }
        const now = snapshot(folder);
        expect(snapshotDiff(disk, now).filter((line) => !isInsightsCache(line)), `${label}: a refused request changed files`).toEqual([]);
        disk = now;
      }
    } finally {
      await engine.close();
    }
    if (process.env.HOSTILE_DEBUG) console.log(JSON.stringify({ seen, codes: Object.fromEntries(codes) }));
    // The mix reached every class, and the service's own refusals were met.
    expect(seen.schema).toBeGreaterThan(CASES / 2);
    expect(seen.refused).toBeGreaterThan(CASES / 20);
    expect(seen.ok).toBeGreaterThan(CASES / 100);
    expect(seen.channel).toBeGreaterThan(CASES / 100);
    expect(codes.get('NOT_FOUND') ?? 0).toBeGreaterThan(0);
  }, LONG ? 1_800_000 : 120_000);

  it('a foreign sender (another window id, or a frame not on the app scheme) is refused with FORBIDDEN on every channel, even with valid input, before anything else', async () => {
    const { engine, table, folder, world, counters } = await rig();
    const specs = channelSpecs(world);
    const disk = snapshot(folder);
    try {
      for (const name of CHANNEL_NAMES) {
        const input = specs[name].template;
        expect(channels[name].input.safeParse(input).success, `valid input for ${name}`).toBe(true);
        for (const sender of FOREIGN) {
          const label = `${name} from ${JSON.stringify(sender)}`;
          const fsBefore = counters.fsCalls;
          const locksBefore = counters.lockCalls;
          const checks = counters.senderChecks.length;
          const result = await table.handle(name, input, sender);
          expect(result, label).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', kept: 'Nothing was changed.' } });
          assertTypedError(result, label);
          // The sender was asked about, exactly as it came, and nothing else happened.
          expect(counters.senderChecks.slice(checks), label).toEqual([sender]);
          expect(counters.fsCalls - fsBefore, `${label}: file-system calls`).toBe(0);
          expect(counters.lockCalls - locksBefore, `${label}: lock`).toBe(0);
        }
      }
      // The sender check comes first: a stranger learns nothing about channels or schemas.
      for (const [channel, input] of [['no.such.channel', {}], ['charts.create', { context: '../x' }], ['__proto__', JSON.parse('{"__proto__":{"polluted":"yes"}}')]] as const) {
        expect(await table.handle(channel, input, FOREIGN[0] as SenderInfo)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(snapshotDiff(disk, snapshot(folder))).toEqual([]);
      // The same requests from the app's own window go through (reads shown here).
      for (const name of ['app.info', 'contexts.list', 'charts.list', 'charts.tree', 'charts.search', 'charts.history', 'backups.list', 'backups.verify', 'health.verify'] as const) {
        expect(await table.handle(name, specs[name].template, own), name).toMatchObject({ ok: true });
      }
    } finally {
      await engine.close();
    }
  });

  it('context names that pass validation (dots, dashes, underscores, reserved-looking words) still land inside the data folder', async () => {
    const { engine, table, folder } = await rig();
    const root = engine.layout.root;
    const beside = new Set(fs.readdirSync(folder));
    try {
      for (const context of ['-rf', '.hidden', '.history', '.backup', 'a.b', '_', 'con', 'nul', 'completed', 'default', 'A'.repeat(100), 'x.jsonl', 'charts']) {
        const created = await table.handle('charts.create', { context, outcome: 'Inside the root', reality: ['Checking'] }, own);
        expect(created, context).toMatchObject({ ok: true });
        const listed = await table.handle('charts.list', { context }, own);
        expect(listed.ok && (listed.value as { context: string }[]).some((c) => c.context === context), `${context}: the chart is listed in its context`).toBe(true);
      }
      await engine.flush();
      // Nothing was written beside the data folder, and every file is inside it.
      expect(new Set(fs.readdirSync(folder))).toEqual(beside);
      for (const file of snapshot(folder).keys()) expect(file.startsWith(`${root}${path.sep}`), file).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('a due date that does not exist on the calendar (30 February, 31 April, 29 February of a common year, hour 24) is refused, not stored', async () => {
    const { engine, table, folder, world } = await rig();
    const disk = snapshot(folder);
    const accepted: string[] = [];
    try {
      for (const date of ['2026-02-30', '2026-02-31', '2026-04-31', '2026-06-31', '2027-02-29', '2100-02-29', '2026-11-31T10:00:00Z', '2026-12-31T24:00']) {
        for (const [channel, input] of [
          ['due.set', { context: 'work', chartId: world.chart, date }],
          ['steps.add', { context: 'work', chartId: world.chart, title: 'Dated step', dueDate: date }],
          ['charts.create', { context: 'work', outcome: 'Dated chart', reality: ['Now'], dueDate: date }],
        ] as const) {
          const result = await table.handle(channel, input, own);
          if (result.ok) accepted.push(`${channel} ${date}`);
          else expect(result.error.code, `${channel} ${date}`).toBe('BAD_INPUT');
        }
      }
      expect(accepted, 'impossible dates accepted and stored').toEqual([]);
      expect(snapshotDiff(disk, snapshot(folder))).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('a refusal does not echo a huge input back: the error stays small however long the offending key or value', async () => {
    const { engine, table } = await rig();
    const random = seededRandom(SEED + 1);
    try {
      const oversized: [string, unknown][] = [
        ['charts.list', JSON.parse(`{${JSON.stringify(hugeString(random))}:1}`)],
        ['charts.create', { context: 'work', outcome: 'x', reality: ['y'], [hugeString(random)]: 1 }],
        ['app.info', Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`key${i}`, i]))],
        ['charts.create', { context: 'work', outcome: 'x', reality: ['y'], steps: [Object.fromEntries([['title', 'x'], [hugeString(random), 1]])] }],
        ['charts.tree', { context: hugeString(random), id: hugeString(random) }],
      ];
      const tooBig: string[] = [];
      for (const [channel, input] of oversized) {
        const result = await table.handle(channel, input, own);
        assertTypedError(result, channel);
        expect(result.error.code, channel).toBe('BAD_INPUT');
        const size = JSON.stringify(result).length;
        if (size >= 20_000) tooBig.push(`${channel}: a ${size}-character refusal (message ${result.error.message.length}) for ${show(input)}`);
      }
      expect(tooBig, 'refusals that echo the input back').toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
