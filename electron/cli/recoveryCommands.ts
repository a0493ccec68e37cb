// `tension recover analyze` and `tension recover repair`: the recovery wizard's steps on the
// command line. Analyze shows what was found, where each damaged record can come from, what can
// still be read of lines nothing holds, and the repaired context's preview; repair carries out
// a choice (repair, restore from a backup, or leave it), after a backup of the damaged state.
import { EngineError } from '../core/errors.ts';
import type { RecoveryAnalysis } from '../core/recoveryAnalysis.ts';
import type { RecoveryChoice } from '../core/recoveryChoice.ts';
import type { Command } from './commands.ts';

// The recovery modules, loaded when one of these commands runs (commandModules.ts).
const recoveryAnalysis = async () => (await import('./commandModules.ts')).recoveryAnalysis;
const recoveryChoice = async () => (await import('./commandModules.ts')).recoveryChoice;

function analysisText(a: RecoveryAnalysis): string[] {
  if (a.ok) return [`${a.context}: nothing wrong found`];
  const lines = [`${a.context}: ${a.needsChoice ? 'damage found; a choice is needed' : 'damage found; the journal holds everything (a repair loses nothing)'}`];
  for (const spot of [...a.damagedLines, ...a.damagedJournalEntries]) {
    lines.push(`  ${spot.where === 'journal' ? 'journal' : 'file'} byte ${spot.offset}: ${spot.reason}: ${spot.text.slice(0, 120)}${spot.truncated || spot.text.length > 120 ? '…' : ''}`);
    for (const record of spot.affected) {
      const source = record.source.from === 'backup' ? `backup ${record.source.backup} (${record.source.created})` : record.source.from;
      lines.push(`    ${record.label}: from ${source}`);
    }
  }
  if (a.journalTornTail) lines.push(`  journal: an interrupted last entry at byte ${a.journalTornTail.offset} (never acknowledged; trimmed)`);
  if (a.missingFile) lines.push(`  ${a.file} is missing; it is rebuilt from the journal`);
  for (const p of a.problems) lines.push(`  ${p.severity}: ${p.message}`);
  for (const f of a.foundInDamagedLines) lines.push(`  found in a damaged line at byte ${f.offset}: ${f.name ?? f.kind}${f.observations.length ? ` — ${f.observations.join(' | ')}` : ''}`);
  lines.push(`  after a repair: ${a.preview.records} records, ${a.preview.charts.length} charts; ${a.preview.fromBackups.length} records from backups, ${a.preview.lost} damaged lines nothing holds`);
  return lines;
}

export const recoveryCommands: Record<string, Command> = {
  'recover analyze': {
    usage: 'recover analyze [--context C]',
    summary: 'what is damaged, where each record can come from, and a preview of the repair (changes nothing; exit 1 when damage is found)',
    readOnly: true,
    async run({ engine, options }) {
      const contexts = options.context ? [options.context] : engine.listContextNames();
      const { analyzeContext } = await recoveryAnalysis();
      const analyses: RecoveryAnalysis[] = [];
      for (const context of contexts) analyses.push(await analyzeContext(engine, context));
      const ok = analyses.every((a) => a.ok);
      return { json: { ok, contexts: analyses }, text: analyses.flatMap(analysisText).join('\n') || 'no contexts', exitCode: ok ? 0 : 1 };
    },
  },

  'recover repair': {
    usage: 'recover repair --context C [--from-backup ID | --leave] [--no-backup]',
    summary: 'repair a context (after a backup of it as it is, unless --no-backup), restore it from a backup, or leave it; verified and logged',
    // Left as it is: nothing is written (a writable open, then its close, rewrote the file and
    // moved the damaged lines aside, while the log said nothing was changed).
    readOnly: (options) => options.leave === true,
    async run({ engine, options }) {
      if (!options.context) throw new EngineError('BAD_INPUT', 'recover repair needs --context (see `tension recover analyze`).');
      if (options['from-backup'] !== undefined && options.leave) throw new EngineError('BAD_INPUT', 'Choose one: --from-backup ID or --leave. Nothing was changed.');
      const choice: RecoveryChoice = options['from-backup'] !== undefined ? { action: 'restore', backup: options['from-backup'] } : options.leave ? { action: 'leave' } : { action: 'repair' };
      const { applyRecoveryChoice } = await recoveryChoice();
      const outcome = await applyRecoveryChoice(engine, options.context, choice, { backupFirst: options['no-backup'] !== true });
      const lines = [
        ...(outcome.safetyBackup ? [`backup of the state before: ${outcome.safetyBackup}`] : []),
        ...outcome.actions.map((a) => `${a.context}: ${a.action}`),
        ...outcome.unrecovered.map((u) => `NOT RECOVERED: ${u}`),
        `verified afterwards: ${outcome.verified.ok ? 'ok' : outcome.verified.findings.filter((f) => f.severity !== 'info').map((f) => f.message).join('; ')}`,
        `logged in ${outcome.logFile}`,
      ];
      const ok = outcome.unrecovered.length === 0 && (outcome.verified.ok || choice.action === 'leave');
      return { json: { ok, ...outcome }, text: lines.join('\n'), exitCode: ok ? 0 : 1 };
    },
  },
};
