// What the contexts list tells of one context: its size, its file, and its health as the engine
// last read it (damaged when its findings are more than information; read-only when it cannot be
// written). Made under the lock from the loaded store (Engine.listContexts).
import type { FileSystem } from './fileSystem.ts';
import type { ContextStore, Finding } from './contextStore.ts';
import type { RecordSet } from './recordSet.ts';

export type Health = 'ok' | 'damaged' | 'read-only';

export interface ContextSummary {
  readonly context: string;
  readonly file: string;
  readonly records: number;
  readonly entities: number;
  readonly relations: number;
  readonly bytes: number;
  readonly health: Health;
  readonly findings: readonly Finding[];
}

export function summarize(store: ContextStore, state: RecordSet, unwritable: boolean, fsys: FileSystem): ContextSummary {
  const { entities, relations } = state.kindCounts();
  const readOnlyProblem = unwritable || store.findings.some((f) => f.kind === 'newer-format' || f.kind === 'read-only');
  const damaged = store.findings.some((f) => f.severity !== 'info' && f.kind !== 'newer-format' && f.kind !== 'read-only');
  let bytes = store.fileInfo()?.size;
  if (bytes === undefined) {
    try {
      bytes = Number(fsys.statSync(store.paths.file, { bigint: true }).size);
    } catch {
      bytes = 0;
    }
  }
  return {
    context: store.context,
    file: store.paths.file,
    records: state.size,
    entities,
    relations,
    bytes,
    health: damaged ? 'damaged' : readOnlyProblem ? 'read-only' : 'ok',
    findings: store.findings,
  };
}
