// The backup commands of `tension`: make, list, verify, preview and restore backups (a whole
// context or one chart), take what the schedule says is due (`backup due`, what the app's timer
// runs), and show or set the retention policy with a preview of what it keeps.
import { EngineError } from '../core/errors.ts';
import type { BackupListEntry } from '../core/backupListing.ts';
import type { DueReport } from '../core/backupDue.ts';
import type { BackupPolicy } from '../core/backupPolicy.ts';
import type { RetentionVerdict } from '../core/backupRetention.ts';
import { formatBytes } from '../core/freeSpace.ts';
import { parseCount, parseNow, requireOption, type CliOptions } from './arguments.ts';
import type { Command } from './commands.ts';

// The backup modules, loaded when a backup command runs (commandModules.ts).
const backups = async () => (await import('./commandModules.ts')).backups;
const backupChecking = async () => (await import('./commandModules.ts')).backupChecking;
const backupListing = async () => (await import('./commandModules.ts')).backupListing;
const backupDue = async () => (await import('./commandModules.ts')).backupDue;
const backupPolicy = async () => (await import('./commandModules.ts')).backupPolicy;
const backupPruning = async () => (await import('./commandModules.ts')).backupPruning;
const backupRestore = async () => (await import('./commandModules.ts')).backupRestore;
const backupRestoring = async () => (await import('./commandModules.ts')).backupRestoring;
const backupRemoval = async () => (await import('./commandModules.ts')).backupRemoval;

const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;

function kindText(entry: Pick<BackupListEntry, 'kind' | 'kinds'>): string {
  return entry.kinds.length > 1 ? entry.kinds.join('+') : entry.kind;
}

function listLine(entry: BackupListEntry): string {
  const verified = entry.verified === null ? 'not checked yet' : entry.verified ? 'verified' : `DAMAGED: ${entry.problems.join('; ')}`;
  return `${entry.id}  ${kindText(entry).padEnd(20)} ${entry.contexts.join(', ') || '(no contexts)'}  ${formatBytes(entry.bytes)} (${formatBytes(entry.newBytes)} new, ${formatBytes(entry.sharedBytes)} shared)  ${verified}`;
}

function policyText(policy: BackupPolicy): string {
  return `keep ${policy.keepDaily} daily, ${policy.keepWeekly} weekly, ${policy.keepMonthly} monthly`;
}

function verdictLines(verdicts: readonly RetentionVerdict[]): string[] {
  return verdicts.map((v) => `  ${v.keep ? 'keep  ' : 'remove'} ${v.id}  ${v.kind.padEnd(15)} ${v.keep ? v.reasons.join(', ') : ''}`.trimEnd());
}

function dueText(report: DueReport): string {
  const lines: string[] = [];
  const off = report.policy.keepDaily === 0 && report.policy.keepWeekly === 0 && report.policy.keepMonthly === 0;
  // A policy keeping no slot takes none: not that every slot is taken.
  if (off) lines.push(`nothing due at ${report.now}: scheduled backups are off under this policy (${policyText(report.policy)}); 'tension backup policy --keep-daily N' turns them on`);
  else if (report.due.length === 0) lines.push(`nothing due at ${report.now} (every slot of this day, week and month is taken)`);
  else if (report.taken) {
    const t = report.taken;
    lines.push(`took the ${report.due.join(', ')} backup ${t.id}: ${plural(t.files.length, 'file')}, ${formatBytes(t.bytes)} (${formatBytes(t.newBytes)} new), verified`);
  }
  if (report.pruned.length > 0) lines.push(`removed by the policy (${policyText(report.policy)}): ${report.pruned.join(', ')}${report.freedBytes > 0 ? ` (${formatBytes(report.freedBytes)} freed)` : ''}`);
  lines.push(`${plural(report.verdicts.filter((v) => v.keep).length, 'backup')} kept`);
  for (const copy of report.copies) lines.push(`plain copy: ${copy}`);
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}

/** The changes asked for with --keep-daily/--keep-weekly/--keep-monthly (none: only show). */
function policyChanges(options: CliOptions): Partial<Record<keyof BackupPolicy, number>> {
  const changes: Partial<Record<keyof BackupPolicy, number>> = {};
  const read = (option: 'keep-daily' | 'keep-weekly' | 'keep-monthly', field: keyof BackupPolicy) => {
    if (options[option] !== undefined) changes[field] = parseCount(options[option], `--${option}`, 0);
  };
  read('keep-daily', 'keepDaily');
  read('keep-weekly', 'keepWeekly');
  read('keep-monthly', 'keepMonthly');
  return changes;
}

export const backupCommands: Record<string, Command> = {
  'backup create': {
    usage: 'backup create [--reason TEXT]',
    summary: 'back up every context (files and journals) into .backup/, verified before it is listed',
    async run({ engine, options }) {
      const { createBackup } = await backups();
      const info = await createBackup(engine, options.reason ?? 'manual');
      return { json: info, text: `backup ${info.id}: ${plural(info.files.length, 'file')}, ${formatBytes(info.bytes)} (${formatBytes(info.newBytes)} new), verified` };
    },
  },

  'backup list': {
    usage: 'backup list',
    summary: 'the backups, newest first: time, kind, contexts, bytes (new and shared), verified',
    readOnly: true,
    async run({ engine }) {
      const { describeBackups } = await backupListing();
      const list = describeBackups(engine);
      return { json: { backups: list }, text: list.length === 0 ? 'no backups' : list.map(listLine).join('\n') };
    },
  },

  'backup verify': {
    usage: 'backup verify [ID]',
    summary: 'check backups against their checksums',
    readOnly: true,
    async run({ engine, args }) {
      const [{ listBackups, unreadableBackupChecks }, { verifyBackup }] = await Promise.all([backups(), backupChecking()]);
      const ids = args[0] ? [args[0]] : listBackups(engine).map((b) => b.id);
      // With the ones whose manifest cannot be read (not listed, so they would vanish unseen).
      const checks = [...ids.map((id) => verifyBackup(engine, id)), ...(args[0] ? [] : unreadableBackupChecks(engine))];
      const ok = checks.every((c) => c.ok);
      return { json: { ok, backups: checks }, text: checks.map((c) => `${c.id}: ${c.ok ? 'ok' : c.problems.join('; ')}`).join('\n') || 'no backups', exitCode: ok ? 0 : 1 };
    },
  },

  'backup preview': {
    usage: 'backup preview ID [--context C] [--chart ID]',
    summary: "what restoring a context (or one chart) from a backup would do: the backup's version beside today's",
    readOnly: true,
    async run({ engine, args, options, context }) {
      const id = args[0];
      if (!id) throw new EngineError('BAD_INPUT', 'backup preview needs a backup ID (see `tension backup list`).');
      const { previewRestore } = await backupRestore();
      const preview = await previewRestore(engine, id, context, options.chart);
      const { added, changed, removed } = preview.records;
      const lines = [`restoring ${options.chart ? `chart ${preview.chartId}` : `context ${context}`} from ${id} (${preview.backup.created}) would add ${added}, change ${changed} and remove ${removed} records`];
      if (preview.chartId) {
        lines.push(`  in the backup: ${preview.inBackup ? `${preview.inBackup.chart.desiredOutcome} (${plural(preview.inBackup.chart.steps.length, 'step')})` : 'not there'}`);
        lines.push(`  today:         ${preview.today ? `${preview.today.chart.desiredOutcome} (${plural(preview.today.chart.steps.length, 'step')})` : 'not there'}`);
      }
      for (const chart of preview.charts) lines.push(`  ${chart.change.padEnd(8)} ${chart.id}  ${chart.desiredOutcome}`);
      return { json: preview, text: lines.join('\n') };
    },
  },

  'backup restore': {
    usage: 'backup restore ID [--context C] [--chart ID]',
    summary: 'restore contexts, or one chart with its sub-charts, from a backup (what is replaced is backed up first)',
    async run({ engine, args, options, context }) {
      const id = args[0];
      if (!id) throw new EngineError('BAD_INPUT', 'backup restore needs a backup ID (see `tension backup list`).');
      const [{ restoreChartFromBackup }, { restoreBackup }] = await Promise.all([backupRestore(), backupRestoring()]);
      if (options.chart !== undefined) {
        const result = await restoreChartFromBackup(engine, id, context, requireOption(options, 'chart'));
        return { json: { ok: true, ...result }, text: `restored chart ${result.chartId} of ${context} from ${id} (${result.changed} records changed); the state before is in backup ${result.safetyBackup}` };
      }
      const result = await restoreBackup(engine, id, options.context ? [options.context] : undefined);
      return { json: { ok: true, ...result }, text: `restored ${result.contexts.map((c) => `${c.context} (${c.changed} changed)`).join(', ')} from ${id}; the state before is in backup ${result.safetyBackup}` };
    },
  },

  'backup due': {
    usage: 'backup due [--now ISO-TIME]',
    summary: 'take the daily/weekly/monthly backup that is due (once per period, missed ones caught up once) and remove what the policy does not keep',
    async run({ engine, options }) {
      const [{ runDueBackups }, { describeBackups }] = await Promise.all([backupDue(), backupListing()]);
      const report = await runDueBackups(engine, { now: parseNow(options.now) });
      const taken = report.taken ? describeBackups(engine).find((b) => b.id === report.taken?.id) : undefined;
      const json = { ...report, taken: taken ?? null };
      return { json, text: dueText(report) };
    },
  },

  'backup policy': {
    usage: 'backup policy [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--dry-run] [--now ISO-TIME]',
    summary: 'show or set how many daily, weekly and monthly backups are kept, with what it keeps and removes of the backups there now',
    async run({ engine, options }) {
      const changes = policyChanges(options);
      const [{ changedPolicy, readPolicy, writePolicyUnderLock }, { previewPolicy }] = await Promise.all([backupPolicy(), backupPruning()]);
      const stored = readPolicy(engine);
      const policy = changedPolicy(stored.policy, changes);
      const setting = Object.keys(changes).length > 0;
      const save = setting && options['dry-run'] !== true;
      if (save) await engine.withLock(() => writePolicyUnderLock(engine, policy));
      const verdicts = previewPolicy(engine, policy, { now: parseNow(options.now) });
      const removing = verdicts.filter((v) => !v.keep).length;
      const head = save ? `policy saved: ${policyText(policy)} (${stored.file})` : setting ? `policy not saved (--dry-run): ${policyText(policy)}` : `policy: ${policyText(policy)} (${stored.stored ? stored.file : 'the default'})`;
      const lines = [
        head,
        ...(stored.problem ? [`warning: ${stored.problem}`] : []),
        `of ${plural(verdicts.length, 'backup')} there now it keeps ${verdicts.length - removing} and removes ${removing}${removing > 0 ? ' (at the next `tension backup due`, or the app\'s next check)' : ''}:`,
        ...verdictLines(verdicts),
      ];
      return {
        json: { policy, saved: save, file: stored.file, ...(stored.problem ? { warning: stored.problem } : {}), keep: verdicts.length - removing, remove: removing, verdicts },
        text: lines.join('\n'),
      };
    },
  },

  'backup prune': {
    usage: 'backup prune --days N [--keep K]',
    summary: 'remove backups older than N days, keeping at least the newest K (default 7); never the newest verified one',
    async run({ engine, options }) {
      const { pruneBackups } = await backupRemoval();
      const removed = await pruneBackups(engine, { maxAgeDays: parseCount(requireOption(options, 'days'), '--days', 30), keepAtLeast: parseCount(options.keep, '--keep', 7) });
      return { json: { removed }, text: removed.length === 0 ? 'nothing to remove' : `removed ${removed.join(', ')}` };
    },
  },
};
