// `tension deleted` and `tension restore-deleted`: what was removed in the last N days (charts,
// steps, observations, other entities), by whom and when, and putting one back as a new change.
import { EngineError } from '../core/errors.ts';
import { parseCount } from './arguments.ts';
import type { Command } from './commands.ts';

// Loaded when one of these commands runs (commandModules.ts).
const recentlyDeleted = async () => (await import('./commandModules.ts')).recentlyDeleted;

/** DEFAULT_DELETED_DAYS of recentlyDeleted.ts, for the help text without loading it (a test keeps the two equal). */
export const HELP_DELETED_DAYS = 30;

export const deletedCommands: Record<string, Command> = {
  deleted: {
    usage: 'deleted [--days N] [--context C]',
    summary: `charts, steps, observations and entities removed in the last N days (default ${HELP_DELETED_DAYS}), newest first, every context unless --context`,
    readOnly: true,
    async run({ engine, options }) {
      const { DEFAULT_DELETED_DAYS, listRecentlyDeleted } = await recentlyDeleted();
      const days = parseCount(options.days, '--days', DEFAULT_DELETED_DAYS);
      const items = await listRecentlyDeleted(engine, { days, ...(options.context ? { contexts: [options.context] } : {}) });
      const text = items.length === 0
        ? `nothing deleted in the last ${days} days`
        : items.map((i) => `${i.id}  ${i.deletedAt}  ${i.kind.padEnd(11)} ${i.name}${i.title ? ` — ${i.title}` : ''}${i.subCharts.length ? ` (with ${i.subCharts.length} sub-charts)` : ''}  by ${i.by}`).join('\n');
      return { json: { days, deleted: items }, text };
    },
  },

  'restore-deleted': {
    usage: 'restore-deleted ID',
    summary: 'put back something deleted (a chart or step with its sub-charts, an observation) as a new change',
    async run({ engine, args }) {
      const id = args[0];
      if (!id) throw new EngineError('BAD_INPUT', 'restore-deleted needs the ID of a deleted thing (see `tension deleted`).');
      const { restoreDeleted } = await recentlyDeleted();
      const { item, changed, into } = await restoreDeleted(engine, id);
      const where = into === item.context ? `in ${into}` : `in ${into}, where its chart is now (deleted in ${item.context})`;
      return { json: { ok: true, item, changed, into }, text: `restored the ${item.kind} ${item.name}${item.title ? ` (${item.title})` : ''} ${where}: ${changed} records` };
    },
  },
};
