// A chart's history in a person's words: the journal's versions of each part, grouped by
// transaction, each compared with the part's version before it ("Completed step 'Automate
// invoices'", "Outcome changed from … to …", "Step 'Migrate' moved before 'Test'", "Added 3
// steps"), with who made it and when. Bookkeeping (links, the chart's last-change stamp) is
// not shown. Consecutive edits of one field by the same writer within a short window read as
// one entry, as VS Code merges its local history.
import type { ChartHistoryEntry, ChartOrigin, RecordChange } from '../../shared/domain.ts';

export interface TimelineItem {
  /** The newest transaction in this item (the key, and what viewAt shows). */
  readonly tx: string;
  readonly seq: number;
  readonly ts: string;
  readonly origin: ChartOrigin;
  readonly who: string;
  readonly what: readonly string[];
}

/** Edits of one field by one writer closer together than this read as one. */
export const MERGE_WINDOW_MS = 10_000;

const WHO: Record<ChartOrigin, string> = {
  app: 'you, in this app',
  cli: 'the tension command line',
  mcp: 'an AI assistant (tension mcp)',
  external: 'another program',
  import: 'an import',
  recover: 'a repair',
  restore: 'a backup restore',
  upgrade: 'a format upgrade',
};

type Json = Record<string, unknown>;

/** What a timeline needs to know about the chart today, to name things the history only links. */
export interface TimelineContext {
  /** The chart whose history this is. */
  readonly chartId: string;
  /** Titles of steps by the sub-chart they were telescoped into (from the chart as it is now). */
  readonly stepOfSubChart?: ReadonlyMap<string, string>;
}

const quote = (text: string) => `‘${text.length > 80 ? `${text.slice(0, 79)}…` : text}’`;
const list = (texts: readonly string[]) => texts.map(quote).join(', ');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function observations(value: Json | undefined): string[] {
  const list = value?.observations;
  return Array.isArray(list) ? list.filter((o): o is string => typeof o === 'string') : [];
}

function meta(value: Json | undefined): Json {
  const m = value?.metadata;
  return typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as Json) : {};
}

/** A big record's version says what it changed instead of repeating the record: apply that to the one before. */
function applyChange(before: Json | undefined, changed: RecordChange): Json | undefined {
  if (!before) return undefined;
  const removed = new Set(changed.observationsRemoved ?? []);
  const next: Json = { ...before, observations: [...observations(before).filter((o) => !removed.has(o)), ...(changed.observationsAdded ?? [])] };
  const metadata = { ...meta(before) };
  for (const [key, value] of Object.entries(changed.set ?? {})) {
    if (key.startsWith('metadata.')) metadata[key.slice('metadata.'.length)] = value;
    else next[key] = value;
  }
  for (const key of changed.removed ?? []) {
    if (key.startsWith('metadata.')) delete metadata[key.slice('metadata.'.length)];
    else delete next[key];
  }
  next.metadata = metadata;
  return next;
}

type PartKind = 'chart' | 'outcome' | 'reality' | 'step' | 'link' | 'other';

function kindOf(part: string, chartId: string): PartKind {
  if (part.includes(' -[')) return 'link';
  if (part === `${chartId}_chart`) return 'chart';
  if (part === `${chartId}_desired_outcome`) return 'outcome';
  if (part === `${chartId}_current_reality`) return 'reality';
  if (part.startsWith(`${chartId}_`) && /_action_?\d+$/.test(part)) return 'step';
  return 'other';
}

interface PartChange {
  readonly part: string;
  readonly kind: PartKind;
  readonly before: Json | undefined;
  readonly after: Json | undefined;
}

/** One field edited from one text to another: what consecutive edits merge on. */
interface FieldEdit {
  readonly field: string;
  readonly from: string;
  readonly to: string;
  readonly say: (from: string, to: string) => string;
}

interface Described {
  readonly what: string[];
  readonly edit?: FieldEdit;
}

const due = (value: Json | undefined) => (typeof meta(value).dueDate === 'string' ? (meta(value).dueDate as string).slice(0, 10) : undefined);
const done = (value: Json | undefined) => meta(value).completionStatus === true;
const titleOf = (value: Json | undefined, part: string) => observations(value)[0] ?? part;

function dueSentence(subject: string, before: string | undefined, after: string | undefined): string {
  if (before === undefined) return `${subject} set to ${after}`;
  if (after === undefined) return `${subject} removed (was ${before})`;
  return `${subject} changed from ${before} to ${after}`;
}

/** The steps' arranged order (position, else number) from their latest known versions. */
function arranged(steps: ReadonlyMap<string, Json | undefined>): string[] {
  const place = (name: string) => {
    const position = meta(steps.get(name)).position;
    return typeof position === 'number' ? position : Number(/_action_?(\d+)$/.exec(name)?.[1] ?? 0);
  };
  return [...steps.keys()].filter((name) => steps.get(name) !== undefined).sort((a, b) => place(a) - place(b) || (a < b ? -1 : 1));
}

/** The one step that moved between two orders (the others keep their order), if there is one. */
function movedStep(before: readonly string[], after: readonly string[], candidates: readonly string[]): string | undefined {
  return candidates.find((name) => {
    const a = before.filter((n) => n !== name);
    const b = after.filter((n) => n !== name);
    return a.length === b.length && a.every((n, i) => n === b[i]);
  });
}

function describe(changes: readonly PartChange[], context: TimelineContext, stepsBefore: ReadonlyMap<string, Json | undefined>, stepsAfter: ReadonlyMap<string, Json | undefined>, removedEarlier: ReadonlySet<string>): Described {
  const what: string[] = [];
  const edits: FieldEdit[] = [];
  const byKind = (kind: PartKind) => changes.filter((c) => c.kind === kind);
  const chart = byKind('chart')[0];
  const outcome = byKind('outcome')[0];
  const reality = byKind('reality')[0];
  const steps = byKind('step');
  const created = (chart && !chart.before && chart.after) || (outcome && !outcome.before && outcome.after && !chart);

  // Notes a completed step leaves in current reality are told by the step itself.
  const stepNotes = new Set<string>();

  if (created) {
    const added = steps.filter((s) => !s.before && s.after).length;
    what.push(`Created the chart ${quote(titleOf(outcome?.after, 'untitled'))}${added ? ` with ${plural(added, 'step')}` : ''}`);
  } else {
    // A step that comes back under the name it had: a removal undone.
    const putBack = steps.filter((s) => !s.before && s.after && removedEarlier.has(s.part));
    const subChartBack = byKind('link').some((l) => l.after && !l.before && / -\[advances_toward\]-> /.test(l.part) && !l.part.startsWith(`${context.chartId}_`));
    for (const s of putBack) what.push(`Put back step ${quote(titleOf(s.after, s.part))}${subChartBack ? ' with its sub-chart' : ''}`);
    const addedSteps = steps.filter((s) => !s.before && s.after && !removedEarlier.has(s.part));
    if (addedSteps.length === 1) what.push(`Added step ${quote(titleOf(addedSteps[0]!.after, addedSteps[0]!.part))}`);
    else if (addedSteps.length > 1) what.push(`Added ${plural(addedSteps.length, 'step')}: ${list(addedSteps.map((s) => titleOf(s.after, s.part)))}`);
    const removedSteps = steps.filter((s) => s.before && !s.after);
    const subChartGone = byKind('link').some((l) => !l.after && / -\[advances_toward\]-> /.test(l.part) && !l.part.startsWith(`${context.chartId}_`));
    for (const s of removedSteps) {
      what.push(`Removed step ${quote(titleOf(s.before, s.part))}${subChartGone ? ' with its sub-chart' : ''}`);
      if (done(s.before)) stepNotes.add(`Completed: ${titleOf(s.before, s.part)}`);
    }
  }

  const moved = movedStep(arranged(stepsBefore), arranged(stepsAfter), steps.filter((s) => s.before && s.after && meta(s.before).position !== meta(s.after).position).map((s) => s.part));
  for (const s of steps) {
    if (!s.before || !s.after) continue;
    const [was, now] = [titleOf(s.before, s.part), titleOf(s.after, s.part)];
    if (was !== now) edits.push({ field: `title ${s.part}`, from: was, to: now, say: (from, to) => `Renamed step ${quote(from)} to ${quote(to)}` });
    if (!done(s.before) && done(s.after)) {
      what.push(`Completed step ${quote(now)}`);
      stepNotes.add(`Completed: ${now}`);
    }
    if (done(s.before) && !done(s.after)) {
      what.push(`Reopened step ${quote(now)}`);
      stepNotes.add(`Completed: ${was}`);
    }
    if (done(s.before) && done(s.after) && was !== now) stepNotes.add(`Completed: ${was}`).add(`Completed: ${now}`);
    if (due(s.before) !== due(s.after)) what.push(dueSentence(`Step ${quote(now)} due date`, due(s.before), due(s.after)));
  }
  if (moved) {
    const order = arranged(stepsAfter);
    const next = order[order.indexOf(moved) + 1];
    const title = (name: string) => titleOf(stepsAfter.get(name), name);
    what.push(next ? `Step ${quote(title(moved))} moved before ${quote(title(next))}` : `Step ${quote(title(moved))} moved to the end`);
  } else if (steps.some((s) => s.before && s.after && meta(s.before).position !== meta(s.after).position)) {
    what.push('Reordered the steps');
  }

  if (outcome?.before && outcome.after) {
    const [was, now] = [titleOf(outcome.before, ''), titleOf(outcome.after, '')];
    if (was !== now) edits.push({ field: 'outcome', from: was, to: now, say: (from, to) => `Outcome changed from ${quote(from)} to ${quote(to)}` });
    if (!done(outcome.before) && done(outcome.after)) what.push('Marked the outcome achieved');
    if (done(outcome.before) && !done(outcome.after)) what.push('Reopened the outcome');
  }
  if (reality && !created) {
    const was = observations(reality.before);
    const now = observations(reality.after);
    const added = now.filter((o) => !was.includes(o) && !stepNotes.has(o));
    const removed = was.filter((o) => !now.includes(o) && !stepNotes.has(o));
    if (added.length === 1 && removed.length === 1 && was.indexOf(removed[0]!) === now.indexOf(added[0]!)) {
      edits.push({ field: `reality ${was.indexOf(removed[0]!)}`, from: removed[0]!, to: added[0]!, say: (from, to) => `Current reality: ${quote(from)} changed to ${quote(to)}` });
    } else {
      if (added.length) what.push(`Added to current reality: ${list(added)}`);
      if (removed.length) what.push(`Removed from current reality: ${list(removed)}`);
    }
  }
  if (chart?.before && chart.after && due(chart.before) !== due(chart.after)) what.push(dueSentence('Due date', due(chart.before), due(chart.after)));

  // A sub-chart's outcome advancing toward this chart's: made by a telescope, gone with its sub-chart.
  for (const link of byKind('link')) {
    const [from] = link.part.split(' -[');
    if (!/ -\[advances_toward\]-> /.test(link.part) || !from?.endsWith('_desired_outcome') || from.startsWith(`${context.chartId}_`)) continue;
    const step = context.stepOfSubChart?.get(from.slice(0, -'_desired_outcome'.length));
    if (link.after && !link.before && !steps.some((s) => !s.before && s.after && removedEarlier.has(s.part))) what.push(step ? `Telescoped step ${quote(step)} into a sub-chart` : 'Telescoped a step into a sub-chart');
    if (!link.after && link.before && !steps.some((s) => s.before && !s.after)) what.push(step ? `Removed the sub-chart of step ${quote(step)}` : 'Removed a sub-chart');
  }

  for (const edit of edits) what.push(edit.say(edit.from, edit.to));
  if (what.length === 0) what.push(changes.some((c) => c.kind !== 'link' && c.kind !== 'chart') ? 'Changed the chart' : 'Updated the chart’s links');
  return edits.length === 1 && what.length === 1 ? { what, edit: edits[0]! } : { what };
}

/** The timeline, newest first. */
export function timelineOf(entries: readonly ChartHistoryEntry[], context: TimelineContext = { chartId: guessChartId(entries) }): TimelineItem[] {
  const latest = new Map<string, Json | undefined>();
  const removed = new Set<string>();
  const stepState = new Map<string, Json | undefined>();
  const groups: ChartHistoryEntry[][] = [];
  for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
    const last = groups.at(-1);
    if (last && last[0]!.tx === entry.tx) last.push(entry);
    else groups.push([entry]);
  }
  const items: (TimelineItem & { edit?: FieldEdit })[] = [];
  for (const group of groups) {
    const stepsBefore = new Map(stepState);
    const changes: PartChange[] = group.map((entry) => {
      const before = latest.get(entry.part);
      const after = entry.action === 'delete' ? undefined : (entry.value ?? (entry.changed ? applyChange(before, entry.changed) : undefined));
      latest.set(entry.part, after);
      const kind = kindOf(entry.part, context.chartId);
      if (kind === 'step') stepState.set(entry.part, after);
      return { part: entry.part, kind, before, after };
    });
    const first = group[0]!;
    // A move between contexts (its note names both): said as a move, not as every part set again.
    const move = /moved from context (\S+) to context (\S+)$/.exec(first.note ?? '');
    const described = move ? { what: [`Moved from context ${move[1]} to context ${move[2]}`] } : describe(changes, context, stepsBefore, stepState, removed);
    for (const c of changes) if (c.before && !c.after) removed.add(c.part);
    const item = { tx: first.tx, seq: group.at(-1)!.seq, ts: first.ts, origin: first.origin, who: WHO[first.origin] ?? first.origin, what: described.what, ...(described.edit ? { edit: described.edit } : {}) };
    const previous = items.at(-1);
    if (previous?.edit && item.edit && previous.edit.field === item.edit.field && previous.origin === item.origin && Date.parse(item.ts) - Date.parse(previous.ts) <= MERGE_WINDOW_MS) {
      const edit = { ...item.edit, from: previous.edit.from };
      items[items.length - 1] = { ...item, what: [edit.say(edit.from, edit.to)], edit };
      continue;
    }
    items.push(item);
  }
  return items.reverse().map(({ edit: _edit, ...item }) => item);
}

/** The chart whose history this is: the id its `_chart` or outcome part is named after. */
function guessChartId(entries: readonly ChartHistoryEntry[]): string {
  for (const entry of entries) {
    const match = /^(.*)_(?:chart|desired_outcome|current_reality)$/.exec(entry.part);
    if (match) return match[1]!;
  }
  return '';
}
