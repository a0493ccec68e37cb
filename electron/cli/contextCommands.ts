// The `tension context …` commands (rename, merge, delete, restore, adopt), `export` in JSONL
// or Markdown, and `import preview`: the engine's context operations (electron/core/contexts/)
// with the CLI's conventions (--json prints one document; errors name what failed and what was kept).
import path from 'node:path';
import { EngineError } from '../core/errors.ts';
import type { ContextChangeResult } from '../core/contexts/contextRename.ts';
import type { CollisionChoice } from '../core/contexts/movePlan.ts';
import type { MovePreview } from '../core/contexts/moveCharts.ts';
import type { CliOptions } from './arguments.ts';
import type { Command } from './commands.ts';
import { readImportFile } from './importFile.ts';

// The context operations, loaded when a context command runs (commandModules.ts).
const contextRename = async () => (await import('./commandModules.ts')).contextRename;
const contextMerge = async () => (await import('./commandModules.ts')).contextMerge;
const contextDelete = async () => (await import('./commandModules.ts')).contextDelete;
const exportCharts = async () => (await import('./commandModules.ts')).exportCharts;
const importPreview = async () => (await import('./commandModules.ts')).importPreview;
const knowledgeGraph = async () => (await import('./commandModules.ts')).knowledgeGraph;

const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;

function collisionChoice(options: CliOptions): CollisionChoice | undefined {
  const value = options['on-collision'];
  if (value === undefined) return undefined;
  if (value === 'new-id' || value === 'skip') return value;
  throw new EngineError('BAD_INPUT', `--on-collision must be new-id or skip, got ${JSON.stringify(value.slice(0, 40))}. Nothing was changed.`, { kept: 'Nothing was changed.' });
}

function names(args: string[], count: number, usage: string): string[] {
  if (args.length !== count) throw new EngineError('BAD_INPUT', `usage: tension ${usage}`);
  return args;
}

function changeText(verb: string, result: ContextChangeResult): string {
  if (result.finishedBefore) return `${verb} ${result.from} into ${result.to}: already done (an earlier run was interrupted, and finished by the next command)`;
  const lines = [`${verb} ${result.from} into ${result.to}: ${plural(result.move.records, 'record')} moved${result.move.duplicate ? ' (already done: operation id seen before)' : ''}`];
  for (const [old, now] of Object.entries(result.move.renamed)) lines.push(`  chart ${old} is now ${now} (its id was taken in ${result.to})`);
  if (result.move.skipped.length > 0) lines.push(`  skipped (they stay in ${result.from}): ${result.move.skipped.join(', ')}`);
  if (result.move.looseCollisions.length > 0) lines.push(`  records that differ in ${result.to} (they stay in ${result.from}): ${result.move.looseCollisions.join(', ')}`);
  if (result.leftBehind > 0) lines.push(`  ${result.from} keeps ${plural(result.leftBehind, 'record')}, so it stays listed`);
  return lines.join('\n');
}

function previewText(preview: MovePreview): string {
  const lines = [`merging ${preview.from} into ${preview.to} would move ${plural(preview.records, 'record')}:`];
  for (const chart of preview.charts) {
    const what = chart.status === 'new' ? 'arrives' : chart.status === 'same' ? `already in ${preview.to} exactly` : `COLLIDES with a different chart ${chart.id} in ${preview.to}`;
    lines.push(`  ${chart.id} ${JSON.stringify(chart.title)}${chart.subCharts > 0 ? ` (+${plural(chart.subCharts, 'sub-chart')})` : ''}: ${what}`);
  }
  if (preview.loose.move + preview.loose.same > 0) lines.push(`  other records: ${preview.loose.move} move, ${preview.loose.same} already there`);
  if (preview.loose.collisions.length > 0) lines.push(`  other records that differ in ${preview.to} (they would stay): ${preview.loose.collisions.join(', ')}`);
  if (preview.unresolved.length > 0) lines.push(`resolve each collision with --on-collision new-id (move it under a new id) or --on-collision skip (leave it in ${preview.from})`);
  return lines.join('\n');
}

export const contextCommands: Record<string, Command> = {
  'context rename': {
    usage: 'context rename OLD NEW',
    retryable: true,
    summary: 'rename a context: its records move to charts-NEW.jsonl in one crash-safe step; history follows',
    async run({ engine, args, options }) {
      const [from, to] = names(args, 2, 'context rename OLD NEW') as [string, string];
      const { adoptLeftovers, renameContext } = await contextRename();
      await adoptLeftovers(engine);
      const result = await renameContext(engine, from, to, { op: options.op });
      return { json: { ok: true, ...result }, text: changeText('renamed', result) };
    },
  },

  'context merge': {
    usage: 'context merge FROM --into TO [--dry-run] [--on-collision new-id|skip]',
    retryable: true,
    summary: 'merge a context into another (--dry-run: preview what moves and what collides)',
    async run({ engine, args, options }) {
      const [from] = names(args, 1, 'context merge FROM --into TO') as [string];
      const into = options.into;
      if (!into) throw new EngineError('BAD_INPUT', 'context merge needs --into TO. Nothing was changed.', { kept: 'Nothing was changed.' });
      const onCollision = collisionChoice(options);
      const { mergeContext, previewMerge } = await contextMerge();
      if (options['dry-run']) {
        const preview = await previewMerge(engine, from, into);
        return { json: preview, text: previewText(preview) };
      }
      const { adoptLeftovers } = await contextRename();
      await adoptLeftovers(engine);
      const result = await mergeContext(engine, from, into, { ...(onCollision ? { onCollision } : {}), op: options.op });
      return { json: { ok: true, ...result }, text: changeText('merged', result) };
    },
  },

  'context delete': {
    usage: 'context delete NAME',
    retryable: true,
    summary: 'delete a context after a backup of the data folder (context restore NAME undoes it)',
    async run({ engine, args, options }) {
      const [name] = names(args, 1, 'context delete NAME') as [string];
      const { deleteContext } = await contextDelete();
      const result = await deleteContext(engine, name, { op: options.op });
      const text = `deleted context ${name} (${plural(result.records, 'record')})${result.duplicate ? ' (already done: operation id seen before)' : ''}; backup ${result.backup} taken first; undo: tension context restore ${name}${result.leftBehind > 0 ? `\n  another program wrote ${plural(result.leftBehind, 'record')} to it meanwhile: they stay, and so does the context` : ''}`;
      return { json: { ok: true, ...result }, text };
    },
  },

  'context restore': {
    usage: 'context restore NAME',
    retryable: true,
    summary: 'bring back a deleted context, every record as it was (one made again since the deletion keeps its newer version, and is named)',
    async run({ engine, args, options }) {
      const [name] = names(args, 1, 'context restore NAME') as [string];
      const { restoreDeletedContext } = await contextDelete();
      const result = await restoreDeletedContext(engine, name, { op: options.op });
      if (result.alreadyRestored) return { json: { ok: true, ...result }, text: `context ${name} was restored already (its deletion is undone in its journal); it is listed again` };
      const kept = result.keptNewer.length > 0 ? `; kept what was made again since the deletion, newer than the deleted: ${result.keptNewer.join(', ')}` : '';
      return { json: { ok: true, ...result }, text: `restored context ${name} (${plural(result.records, 'record')})${kept}` };
    },
  },

  'context adopt': {
    usage: 'context adopt',
    summary: 'move records another program wrote to a renamed or merged context on to where it went',
    async run({ engine }) {
      const { adoptLeftovers } = await contextRename();
      const adopted = await adoptLeftovers(engine);
      const line = (a: (typeof adopted)[number]) => (a.cycle ? `${a.context} -> ${a.into}: nothing moved: the contexts are each retired into the other (${a.cycle.join(' -> ')}), left by two merges run at once; merge or rename ${a.context} to another context to settle it` : `${a.context} -> ${a.into}: ${plural(a.records, 'record')}`);
      const text = adopted.length === 0 ? 'nothing to adopt' : adopted.map(line).join('\n');
      return { json: { ok: true, adopted }, text };
    },
  },

  export: {
    usage: 'export [--format jsonl|markdown] [--chart ID]',
    summary: 'the context (or one chart with its sub-charts) as JSONL lines or as Markdown in Fritz\'s layout (with --json: a graph document)',
    readOnly: true,
    async run({ engine, context, options }) {
      const [{ exportJsonl, exportMarkdown, parseExportFormat }, { readGraph }] = await Promise.all([exportCharts(), knowledgeGraph()]);
      const format = parseExportFormat(options.format);
      const charts = options.chart === undefined ? undefined : [options.chart];
      return engine.read(context, (state, store) => {
        const text = format === 'markdown' ? exportMarkdown(state, context, charts) : exportJsonl(state, context, charts);
        // --json keeps what it always printed for a whole context (the graph document); with a format or chart, the text in a document.
        const json = options.format === undefined && charts === undefined ? readGraph(state) : { context, format, text };
        // A damaged line of the file holds what no export can read: said, not silently left out.
        const damaged = store.findings.filter((finding) => finding.kind === 'bad-line').length;
        const warnings = damaged === 0 ? [] : [`${plural(damaged, 'damaged line')} of context ${context} cannot be read: a record only ${damaged === 1 ? 'it holds' : 'they hold'} is not in this export ('tension verify' shows ${damaged === 1 ? 'it' : 'them'}; 'tension recover' restores what the journal or a backup holds)`];
        return { json, text: text.endsWith('\n') ? text.slice(0, -1) : text, warnings };
      });
    },
  },

  'import preview': {
    usage: 'import preview FILE',
    summary: 'what importing FILE would do: new records, changes, charts that collide, lines that cannot be read (exit 1: import would refuse it)',
    readOnly: true,
    async run({ engine, context, args, signal }) {
      const [file] = names(args, 1, 'import preview FILE') as [string];
      const text = await readImportFile(file, signal ? { signal } : {});
      const { previewImport } = await importPreview();
      const preview = await engine.read(context, (state) => previewImport(state, context, text, path.basename(file)));
      const lines = [
        `importing ${path.basename(file)} into ${context}: ${preview.newRecords} new, ${preview.changed.length} changed, ${preview.unchanged} already there`,
        ...preview.changed.slice(0, 20).map((c) => `  changes ${c}`),
        ...preview.collisions.map((c) => `  COLLIDES: chart ${c.id} exists with different content (${plural(c.records, 'record')} differ)`),
        ...preview.unreadable.map((u) => `  cannot read ${u.where}: ${u.reason}`),
      ];
      // Import refuses a file with a line it cannot read: a script that previews first is told by the exit code too.
      if (preview.unreadable.length === 0) return { json: preview, text: lines.join('\n') };
      lines.push('import would refuse this file as it is: nothing would be imported');
      return { json: preview, text: lines.join('\n'), exitCode: 1 };
    },
  },
};
