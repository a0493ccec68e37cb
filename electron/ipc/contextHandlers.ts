// The handlers of shared/contractContexts.ts: context rename, merge and delete, moving several
// charts, export and import, each a call into electron/core/contexts/. Spread into the handler
// table, which checks the sender, the channel and the input first. Leftovers a peer wrote to a
// renamed or merged context are adopted before each context change (contextRename.ts).
import type { z } from 'zod';
import type { Engine } from '../core/engine.ts';
import { renameContext, adoptLeftovers, requireContext } from '../core/contexts/contextRename.ts';
import { mergeContext, previewMerge, undoMerge } from '../core/contexts/contextMerge.ts';
import { deleteContext, restoreDeletedContext } from '../core/contexts/contextDelete.ts';
import { moveCharts, previewMove } from '../core/contexts/moveCharts.ts';
import { exportJsonl, exportMarkdown } from '../core/contexts/exportCharts.ts';
import { applyImport, previewImport, undoImport } from '../core/contexts/importPreview.ts';
import { contextChannels, type ContextChannelName } from '../../shared/contractContexts.ts';

type InputOf<C extends ContextChannelName> = z.output<(typeof contextChannels)[C]['input']>;
type OutputOf<C extends ContextChannelName> = (typeof contextChannels)[C]['output'];
export type ContextHandlers = { [C in ContextChannelName]: (input: InputOf<C>) => Promise<OutputOf<C>> };

export function createContextHandlers(deps: { readonly engine: Engine }): ContextHandlers {
  const { engine } = deps;
  const collide = (i: { resolutions?: { id: string; choice: 'new-id' | 'skip' }[] | undefined; onCollision?: 'new-id' | 'skip' | undefined }) => ({
    // Object.fromEntries makes own properties (an id "__proto__" stays an id, never a prototype).
    ...(i.resolutions ? { resolutions: Object.fromEntries(i.resolutions.map((r) => [r.id, r.choice])) } : {}),
    ...(i.onCollision ? { onCollision: i.onCollision } : {}),
  });
  return {
    'contexts.rename': async (i) => {
      await adoptLeftovers(engine);
      return renameContext(engine, i.from, i.to, { op: i.op });
    },
    'contexts.mergePreview': (i) => previewMerge(engine, i.from, i.into),
    'contexts.merge': async (i) => {
      await adoptLeftovers(engine);
      return mergeContext(engine, i.from, i.into, { ...collide(i), op: i.op });
    },
    'contexts.undoMerge': (i) => undoMerge(engine, { from: i.from, into: i.into, charts: i.charts }, i.op),
    'contexts.delete': (i) => deleteContext(engine, i.context, { op: i.op }),
    'contexts.restoreDeleted': (i) => restoreDeletedContext(engine, i.context, { op: i.op }),
    'charts.movePreview': (i) => {
      requireContext(engine, i.from);
      return previewMove(engine, i.from, i.to, { charts: i.ids });
    },
    'charts.moveMany': (i) => {
      requireContext(engine, i.from);
      return moveCharts(engine, i.from, i.to, { charts: i.ids, ...collide(i), ...(i.takeBack ? { takeBack: i.takeBack } : {}) }, { op: i.op });
    },
    'charts.export': async (i) => {
      requireContext(engine, i.context);
      const text = await engine.read(i.context, (state) => (i.format === 'markdown' ? exportMarkdown(state, i.context, i.ids) : exportJsonl(state, i.context, i.ids)));
      const base = i.ids?.length === 1 ? (i.ids[0] as string).replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100) : i.context;
      return i.format === 'markdown'
        ? { text, fileName: `${base}.md`, mediaType: 'text/markdown' }
        : { text, fileName: `charts-${base}.jsonl`, mediaType: 'application/jsonl' };
    },
    'imports.preview': (i) => engine.read(i.context, (state) => previewImport(state, i.context, i.text, i.source)),
    'imports.apply': (i) => applyImport(engine, i.context, i.text, i.source, { ...(i.onCollision ? { onCollision: i.onCollision } : {}), op: i.op }),
    'imports.undo': (i) => undoImport(engine, i.undo, i.op),
  };
}
