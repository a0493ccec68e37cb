// The channels of context management, moving charts between contexts, export and import
// (issue 12), spread into `channels` in contract.ts. Every change is one crash-safe
// transaction in the engine (electron/core/contexts/); each answer carries what an Undo needs.
import { z } from 'zod';
import { channel, contextName } from './contractPieces.ts';

/** A chart id or name, as the chart list gives it. */
const chartId = z.string().min(1).max(1_000);
const chartIds = z.array(chartId).min(1).max(10_000);
const op = z.string().min(1).max(200).optional();
const choice = z.enum(['new-id', 'skip']);
/**
 * Per colliding chart id: move it under a new id, or skip it (it stays where it is). A list,
 * not an object keyed by id: zod drops a `__proto__` key from a record without a word, so a
 * hostile key would pass as nothing at all.
 */
const resolutions = z.array(z.strictObject({ id: chartId, choice })).max(10_000).optional();
/** The text of a file to import (read by the renderer from the file the person picked or dropped). */
const importText = z.string().min(1).max(64_000_000);
const source = z.string().min(1).max(255);
/** An import's undo, as imports.apply returned it. */
const importUndo = z.strictObject({
  context: contextName,
  restore: z.array(z.string().min(2).max(16_000_000)).max(1_000_000),
  remove: z.array(z.union([
    z.tuple([z.literal('entity'), z.string().min(1).max(10_000)]),
    z.tuple([z.literal('relation'), z.string().min(1).max(10_000), z.string().min(1).max(10_000), z.string().min(1).max(10_000)]),
    z.tuple([z.literal('line'), z.string().max(16_000_000), z.number().int().min(1)]),
  ])).max(1_000_000),
  wrote: z.array(z.string().min(2).max(16_000_000)).max(1_000_000),
}).refine((u) => u.restore.length + u.remove.length + u.wrote.length <= 2_000_000, 'too many records');

export interface ChartMovePlan {
  readonly id: string;
  readonly title: string;
  readonly status: 'new' | 'same' | 'collision';
  readonly records: number;
  readonly subCharts: number;
  readonly choice?: 'new-id' | 'skip';
  readonly newId?: string;
}

/** What a move or a merge would do. */
export interface MovePreviewView {
  readonly from: string;
  readonly to: string;
  readonly charts: readonly ChartMovePlan[];
  readonly loose: { readonly move: number; readonly same: number; readonly collisions: readonly string[] };
  readonly unresolved: readonly string[];
  readonly records: number;
}

export interface MoveDone {
  readonly from: string;
  readonly to: string;
  /** Charts that arrived (under their new id when given one): what an Undo moves back. */
  readonly moved: readonly string[];
  readonly alreadyThere: readonly string[];
  readonly skipped: readonly string[];
  readonly renamed: Readonly<Record<string, string>>;
  readonly records: number;
  readonly looseCollisions: readonly string[];
  readonly duplicate: boolean;
}

export interface ContextChangeDone {
  readonly from: string;
  readonly to: string;
  readonly move: MoveDone;
  readonly leftBehind: number;
}

export interface ImportPreviewView {
  readonly context: string;
  readonly source: string;
  readonly newRecords: number;
  readonly unchanged: number;
  readonly changed: readonly string[];
  readonly collisions: readonly { readonly id: string; readonly records: number }[];
  readonly unreadable: readonly { readonly where: string; readonly reason: string }[];
}

export type ImportUndo = z.output<typeof importUndo>;

export const contextChannels = {
  'contexts.rename': channel<ContextChangeDone>()(z.strictObject({ from: contextName, to: contextName, op })),
  /** What merging `from` into `into` would do: charts that arrive, are already there, collide. Nothing is changed. */
  'contexts.mergePreview': channel<MovePreviewView>()(z.strictObject({ from: contextName, into: contextName })),
  'contexts.merge': channel<ContextChangeDone>()(z.strictObject({ from: contextName, into: contextName, resolutions, onCollision: choice.optional(), op })),
  /** Moves the charts a merge brought back to the context they came from, which shows again. */
  'contexts.undoMerge': channel<MoveDone>()(z.strictObject({ from: contextName, into: contextName, charts: chartIds, op })),
  /** Deletes a context after a backup; contexts.restoreDeleted undoes it. */
  'contexts.delete': channel<{ context: string; backup: string; records: number; leftBehind: number }>()(z.strictObject({ context: contextName, op })),
  'contexts.restoreDeleted': channel<{ context: string; records: number; keptNewer: string[] }>()(z.strictObject({ context: contextName, op })),

  /** What moving these charts (each with its sub-charts) would do. */
  'charts.movePreview': channel<MovePreviewView>()(z.strictObject({ from: contextName, to: contextName, ids: chartIds })),
  /**
   * Moves one chart or several, each with its sub-charts, as one crash-safe change. `takeBack`:
   * charts (by their id now, the moved ones or their sub-charts) that go back to the id they had
   * (their metadata.previousChartId): the Undo of a move under a new id. Refused, changing
   * nothing, when that id is taken in the target.
   */
  'charts.moveMany': channel<MoveDone>()(z.strictObject({ from: contextName, to: contextName, ids: chartIds, resolutions, onCollision: choice.optional(), takeBack: chartIds.optional(), op })),
  /** A context, or some of its charts, as JSONL or as Markdown in Fritz's layout. */
  'charts.export': channel<{ text: string; fileName: string; mediaType: string }>()(z.strictObject({ context: contextName, ids: chartIds.optional(), format: z.enum(['jsonl', 'markdown']) })),

  'imports.preview': channel<ImportPreviewView>()(z.strictObject({ context: contextName, text: importText, source })),
  'imports.apply': channel<{ preview: ImportPreviewView; records: number; renamed: Readonly<Record<string, string>>; undo: ImportUndo; duplicate: boolean }>()(
    z.strictObject({ context: contextName, text: importText, source, onCollision: choice.optional(), op }),
  ),
  'imports.undo': channel<{ records: number }>()(z.strictObject({ undo: importUndo, op })),
} as const;

export type ContextChannelName = keyof typeof contextChannels;
