// Helpers for the peer interoperability tests: the sample files (copied into a temporary
// folder before use, never written in place), an independent reader of context files (plain
// JSON.parse, not the engine's parser), and writers that behave like the peers do.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/runCli.ts';
import { historyOf, type RecordVersion } from '../../electron/core/history.ts';
import { contextPaths, type DataLayout } from '../../electron/core/dataRoot.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import { entityKey, relationKey } from '../../electron/core/records.ts';

export const samplesDir = path.join(repoRoot, 'test', 'fixtures', 'samples');

/** Copies a sample file or folder into `toDir` (as `name`), writable. Returns the copy's path. */
export function copySample(sample: string, toDir: string, name = path.basename(sample)): string {
  const from = path.join(samplesDir, sample);
  const to = path.join(toDir, name);
  fs.cpSync(from, to, { recursive: true });
  const makeWritable = (p: string) => {
    const stat = fs.statSync(p);
    fs.chmodSync(p, stat.isDirectory() ? 0o755 : 0o644);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(p)) makeWritable(path.join(p, entry));
  };
  makeWritable(to);
  return to;
}

/** The file's lines as text, split on '\n' (a final newline gives no extra empty line). */
export function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function fileLines(file: string): string[] {
  return linesOf(fs.readFileSync(file, 'utf8'));
}

export interface JsonLine {
  readonly raw: string;
  readonly value: Record<string, unknown> | undefined;
}

/** Every line, with its JSON value when it is a JSON object. */
export function jsonLines(file: string): JsonLine[] {
  return fileLines(file).map((raw) => {
    try {
      const value: unknown = JSON.parse(raw);
      return { raw, value: typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined };
    } catch {
      return { raw, value: undefined };
    }
  });
}

/** Entities in the file by name (the first line of each name, as the engine keeps it). */
export function entitiesOnDisk(file: string): Map<string, Record<string, unknown>> {
  const found = new Map<string, Record<string, unknown>>();
  for (const { value } of jsonLines(file)) {
    if (value?.type === 'entity' && typeof value.name === 'string' && !found.has(value.name)) found.set(value.name, value);
  }
  return found;
}

/** Relations in the file, keyed "from|relationType|to". */
export function relationsOnDisk(file: string): Map<string, Record<string, unknown>> {
  const found = new Map<string, Record<string, unknown>>();
  for (const { value } of jsonLines(file)) {
    if (value?.type !== 'relation') continue;
    const key = `${String(value.from)}|${String(value.relationType)}|${String(value.to)}`;
    if (!found.has(key)) found.set(key, value);
  }
  return found;
}

/** The graph as an independent reader sees it (MCP read_graph shape, metadata when present), in file order. */
export function graphOnDisk(file: string): { entities: Record<string, unknown>[]; relations: Record<string, unknown>[] } {
  const pick = (value: Record<string, unknown>, fields: string[]) => {
    const out: Record<string, unknown> = {};
    for (const field of fields) if (value[field] !== undefined) out[field] = value[field];
    return out;
  };
  const entities = [...entitiesOnDisk(file).values()].map((e) => pick(e, ['name', 'entityType', 'observations', 'metadata']));
  const relations = [...relationsOnDisk(file).values()].map((r) => pick(r, ['from', 'to', 'relationType', 'metadata']));
  return { entities, relations };
}

/** A peer that rewrites the whole file in place (fs.writeFileSync: truncate, then write). */
export function peerWriteInPlace(file: string, content: string): void {
  fs.writeFileSync(file, content);
}

/** A peer that writes a temporary file and renames it over the context file (like the reference server). */
export function peerWriteAndRename(file: string, content: string): void {
  const tmp = path.join(path.dirname(file), `${path.basename(file)}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`);
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

/** Lines joined the way the reference server and coaia peers write them: '\n' between, none at the end. */
export const peerText = (lines: readonly string[]) => lines.join('\n');

export function entityLine(name: string, entityType: string, observations: string[], metadata?: Record<string, unknown>): string {
  return JSON.stringify({ type: 'entity', name, entityType, observations, ...(metadata ? { metadata } : {}) });
}

export function relationLine(from: string, to: string, relationType: string, metadata?: Record<string, unknown>): string {
  return JSON.stringify({ type: 'relation', from, to, relationType, ...(metadata ? { metadata } : {}) });
}

/** Every journaled version of an entity in a context, oldest first. */
export function entityHistory(layout: DataLayout, context: string, name: string): RecordVersion[] {
  const key = entityKey(name);
  return historyOf(realFileSystem, contextPaths(layout, context).journal, (k) => k === key).get(key) ?? [];
}

export function relationHistory(layout: DataLayout, context: string, from: string, to: string, relationType: string): RecordVersion[] {
  const key = relationKey(from, to, relationType);
  return historyOf(realFileSystem, contextPaths(layout, context).journal, (k) => k === key).get(key) ?? [];
}
