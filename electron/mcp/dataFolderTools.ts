// Tools of ours that no peer has, about the data folder as a whole: its contexts, a check for
// damage, and backups. They work on every context at once, so they take no `context`
// (verify_data can narrow its report to one).
import { z } from 'zod';
import { EngineError } from '../core/errors.ts';
import { validateContextName } from '../core/dataRoot.ts';
import { verifyAll } from '../core/verify.ts';
import { createBackup, listBackups } from '../core/backups.ts';
import { defineTool, type AnyToolSpec } from './toolRegistry.ts';

export const dataFolderTools: readonly AnyToolSpec[] = [
  defineTool({
    name: 'list_contexts',
    description: 'The contexts (chart files) of the data folder, with their file, records, bytes and health (ok, damaged, read-only), and which one this server uses by default.',
    arguments: {},
    scope: 'root',
    writes: false,
    async run(_args, { env }) {
      const contexts = (await env.engine.listContexts()).map(({ findings, ...summary }) => ({ ...summary, findings: findings.map((f) => f.message) }));
      return { root: env.engine.layout.root, defaultContext: env.defaultContext, contexts };
    },
  }),

  defineTool({
    name: 'verify_data',
    description: 'Check every context file, journal and backup for damage (changes nothing). Returns ok and the findings; when something is wrong, the person can run `tension recover`.',
    arguments: { context: z.string().optional().describe('Report only this context (default: every context).') },
    scope: 'root',
    writes: false,
    async run(args, { env }) {
      const only = args.context === undefined ? undefined : validateContextName(args.context);
      const verification = await verifyAll(env.engine);
      if (only === undefined) return { ...verification };
      const contexts = verification.contexts.filter((c) => c.context === only);
      if (contexts.length === 0) throw new EngineError('NOT_FOUND', `No context ${only} in ${verification.root} (list_contexts lists them).`);
      return { ...verification, ok: contexts.every((c) => c.ok) && verification.backups.every((b) => b.ok), contexts };
    },
  }),

  defineTool({
    name: 'list_backups',
    description: 'The backups of the data folder, newest first: id, time, reason, files and bytes.',
    arguments: {},
    scope: 'root',
    writes: false,
    async run(_args, { env }) {
      return { backups: listBackups(env.engine) };
    },
  }),

  defineTool({
    name: 'create_backup',
    description: 'Back up every context file and journal of the data folder (into its .backup/ folder). Returns the backup\'s id, files and bytes.',
    arguments: { reason: z.string().max(200).optional().describe('Why, kept with the backup (default "requested through MCP").') },
    scope: 'root',
    writes: true,
    async run(args, { env }) {
      return { ...(await createBackup(env.engine, args.reason ?? 'requested through MCP')) };
    },
  }),
];
