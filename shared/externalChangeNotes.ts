// Two notes the merge of another program's version of a context file adds to what it found
// (electron/core/peerVersionIntake.ts), which the window also reads: when a chart the person
// deleted comes back because an assistant changed it at that moment, or what an assistant
// deleted stays because the person was changing it (docs/FORMAT.md, "Other writers"), the window
// says so, or the person would see their deletion undone, or the assistant's, with no reason.

export const broughtBackNote = (records: number): string => `brought back ${records} records deleted here that the other writer's changes are linked with (it changed what was deleted)`;

export const keptDeletedNote = (records: number): string => `kept ${records} records the other writer deleted that changes made here are linked with (it deleted what was being changed)`;

/** What the window tells the person of a finding of another program's change, if anything. */
export function noticeOfExternalChange(context: string, finding: string): string | undefined {
  if (BROUGHT_BACK.test(finding)) return `Something deleted in ${context} is back: another program changed it at the same moment. Its history shows both; delete it again if you still mean to.`;
  if (KEPT_DELETED.test(finding)) return `Another program deleted something in ${context} while it was being changed here; the change was kept, with what it belongs to. Its history shows both.`;
  return undefined;
}

const BROUGHT_BACK = /\bbrought back \d+ records deleted here that the other writer's changes are linked with\b/;
const KEPT_DELETED = /\bkept \d+ records the other writer deleted that changes made here are linked with\b/;
