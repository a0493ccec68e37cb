// What the engine already repaired on its own. When the engine reads a context file another
// program changed and finds unreadable lines whose records the journal holds, it restores them
// from the journal and rewrites the file at once, copying the damaged bytes to .recovery/ first
// (peerVersionIntake.ts, contextRewrite.ts). The file is then sound, but the store still carries the findings of that
// read, so the context shows as damaged and the person was never shown what happened.
// This rebuilds "what was found" for the recovery wizard from those findings and the bytes set
// aside (each .bad file names its source file and offset), with what can still be read of them.
import path from 'node:path';
import type { Engine } from './engine.ts';
import type { Finding } from './contextStore.ts';
import { listQuarantined } from './quarantine.ts';
import { escapeBytes } from './escapedText.ts';
import { salvageLine } from './damagedLineSalvage.ts';
import type { DamagedSpot, RecoveryAnalysis } from './recoveryAnalysis.ts';

/** Findings of a read that the engine repairs from the journal on its own. */
export const REPAIRED_ON_READ: readonly Finding['kind'][] = ['bad-line', 'torn-file', 'file-missing'];

export function staleDamage(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => REPAIRED_ON_READ.includes(f.kind));
}

/** The wizard's "what was found" for damage already repaired, from the findings and the bytes in .recovery/. */
export function foundBeforeRepair(engine: Engine, now: RecoveryAnalysis, findings: readonly Finding[]): RecoveryAnalysis {
  const quarantined = listQuarantined(engine);
  const damagedLines: DamagedSpot[] = [];
  for (const finding of findings) {
    if (finding.kind === 'file-missing' || finding.offset === undefined) continue;
    // The newest copy of the bytes at that offset of that file (the list is newest first).
    const copy = quarantined.find((q) => q.kind === 'damaged-bytes' && q.sourceFile === path.basename(finding.file) && q.offset === finding.offset);
    let bytes: Buffer = Buffer.alloc(0);
    try {
      if (copy) bytes = engine.fs.readFileSync(copy.path);
    } catch {
      // shown without its bytes; the finding still says where and why
    }
    const shown = escapeBytes(bytes);
    const salvaged = salvageLine(bytes);
    damagedLines.push({
      where: 'context-file',
      file: finding.file,
      offset: finding.offset,
      length: bytes.length,
      reason: copy?.reason ?? finding.message,
      text: shown.text,
      truncated: shown.truncated,
      torn: finding.kind === 'torn-file',
      // A line whose name can be read held that record, and the engine took it from the journal;
      // one where nothing can be read (stray bytes another program appended) held none that can be told.
      affected: salvaged?.name ? [{ label: salvaged.name, source: { from: 'journal' } }] : [],
      ...(salvaged ? { salvaged } : {}),
    });
  }
  return {
    ...now,
    ok: false,
    needsRepair: true,
    needsChoice: false,
    damagedLines,
    missingFile: findings.some((f) => f.kind === 'file-missing'),
    preview: { ...now.preview, fromJournal: damagedLines.length },
  };
}
