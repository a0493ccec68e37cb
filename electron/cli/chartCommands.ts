// The chart commands of `tension`: structural tension charts through the chart service.
import { EngineError } from '../core/errors.ts';
import type { ChartService } from '../core/charts/chartService.ts';
import type { Chart, ChartTree } from '../../shared/domain.ts';
import { byDueDate } from '../../shared/chartOrder.ts';
import { historyPage, parseCount, requireOption } from './arguments.ts';
import type { Command, CommandInput, CommandResult } from './commands.ts';

/** The chart service, loaded when a chart command runs (commandModules.ts; `chart list` needs only the summaries). */
async function service(input: CommandInput): Promise<ChartService> {
  const { chartService } = await import('./commandModules.ts');
  return new chartService.ChartService(input.engine);
}

function arg(input: CommandInput, what: string): string {
  const value = input.args[0];
  if (!value) throw new EngineError('BAD_INPUT', `${what} is required.`);
  return value;
}

const done = (text: string, json: Record<string, unknown>): CommandResult => ({ json: { ok: true, ...json }, text });

/**
 * --if-version V: the version of the part as the person last read it (`chart show --json`:
 * `versions`, a step's `version`). The change is refused (exit 10, CONFLICT, nothing changed)
 * when someone changed that part since.
 */
function ifVersion(input: CommandInput): string | undefined {
  const version = input.options['if-version'];
  if (version === undefined) return undefined;
  if (!/^[0-9a-f]{8}$/.test(version)) throw new EngineError('BAD_INPUT', `--if-version takes a version as chart show --json gives it (8 hex digits), got ${JSON.stringify(version.slice(0, 40))}.`);
  return version;
}

/** The part's version after the change, for the JSON answer (what the next --if-version names). */
const versionOf = (result: unknown): Record<string, unknown> => {
  const version = (result as { version?: unknown } | undefined)?.version;
  return typeof version === 'string' ? { version } : {};
};

/** Nothing to change (a step reopened that is open, an outcome set to its text): said so, not as if it were done now. */
const unchanged = (result: unknown): CommandResult | undefined => {
  const { changed, duplicate } = (result ?? {}) as { changed?: unknown; duplicate?: unknown };
  // A retry of an --op already applied answers as its first run did, not as "nothing to change".
  return changed === 0 && duplicate !== true ? done('nothing to change: it is so already', { changed: 0, ...versionOf(result) }) : undefined;
};

/** Fritz's layout: desired outcome on top, steps between, current reality at the bottom. */
export function renderChart(chart: Chart, indent = ''): string {
  const today = new Date().toISOString().slice(0, 10);
  const lines = [
    `${indent}${chart.id}${chart.complete ? '  [complete]' : ''}${chart.dueDate ? `  due ${chart.dueDate}` : ''}  (${chart.context}, level ${chart.level})`,
    `${indent}  DESIRED OUTCOME: ${chart.desiredOutcome}${chart.outcomeCompleted ? ' [done]' : ''}`,
  ];
  for (const step of [...chart.steps].reverse()) {
    const overdue = !step.completed && step.dueDate !== undefined && step.dueDate.slice(0, 10) < today;
    lines.push(`${indent}    [${step.completed ? 'x' : ' '}] ${step.title}${step.dueDate ? `  (due ${step.dueDate.slice(0, 10)}${overdue ? ', OVERDUE' : ''})` : ''}  ${step.name}${step.telescopedInto ? `  -> ${step.telescopedInto}` : ''}`);
  }
  lines.push(`${indent}  CURRENT REALITY:`);
  for (const observation of chart.currentReality) lines.push(`${indent}    - ${observation}`);
  return lines.join('\n');
}

/**
 * Sub-charts deeper than this are shown without more indentation (each header says its level):
 * a chart telescoped 1,000 levels deep would otherwise print megabytes of spaces.
 */
export const MAX_INDENT_LEVELS = 8;

/**
 * The chart and its telescoped sub-charts, depth first, in one pass: every chart's lines are
 * made once and joined once at the end (joining each subtree's text again at every level made
 * the output cost grow with the square of the depth).
 */
export function renderTree(tree: ChartTree): string {
  const lines: string[] = [];
  const stack: { tree: ChartTree; depth: number }[] = [{ tree, depth: 0 }];
  let folded = false;
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { tree: at, depth } = next;
    if (depth > MAX_INDENT_LEVELS && !folded) {
      folded = true;
      lines.push(`${'    '.repeat(MAX_INDENT_LEVELS)}(sub-charts deeper than ${MAX_INDENT_LEVELS} levels are not indented further; each one says its level)`);
    }
    lines.push(renderChart(at.chart, '    '.repeat(Math.min(depth, MAX_INDENT_LEVELS))));
    for (let i = at.children.length - 1; i >= 0; i -= 1) stack.push({ tree: at.children[i] as ChartTree, depth: depth + 1 });
  }
  return lines.join('\n');
}

/** A command that changes one thing named by its first argument, and says what it did. */
function changeOne(usage: string, summary: string, what: string, change: (charts: ChartService, context: string, name: string, op?: string, ifVersion?: string) => Promise<unknown>, said: string): Command {
  return {
    usage: `${usage} [--if-version V]`,
    retryable: true,
    summary,
    async run(input) {
      const result = await change(await service(input), input.context, arg(input, what), input.options.op, ifVersion(input));
      return unchanged(result) ?? done(said, versionOf(result));
    },
  };
}

export const chartCommands: Record<string, Command> = {
  'chart create': {
    editsContext: true,
    usage: 'chart create --outcome T --reality T [--due D] [--step T]...',
    retryable: true,
    summary: 'create a structural tension chart; prints its id',
    async run(input) {
      const { options, context } = input;
      const charts = await service(input);
      const { id } = await charts.create(
        context,
        { outcome: requireOption(options, 'outcome'), reality: options.reality ?? [], ...(options.due ? { dueDate: options.due } : {}), steps: options.step ?? [] },
        options.op,
      );
      return done(id, { id });
    },
  },
  'chart list': {
    usage: 'chart list [--all]',
    summary: 'the charts of the context, soonest due first (--all: of every context)',
    readOnly: true,
    async run(input) {
      const { listCharts } = await import('./engineModules.ts');
      // The app's first order; the engine keeps them nearly so, which makes the sort cheap.
      const charts = (await listCharts(input.engine, input.options.all ? undefined : input.context)).sort(byDueDate);
      const text = charts.map((c) => `${c.id.padEnd(28)} ${c.complete ? 'done' : `${c.stepsDone}/${c.stepsTotal}`.padEnd(4)} ${(c.dueDate ?? '').slice(0, 10).padEnd(10)} ${'  '.repeat(c.level)}${c.desiredOutcome}${input.options.all ? `  (${c.context})` : ''}`).join('\n');
      return { json: { charts }, text: text || 'no charts' };
    },
  },
  'chart show': {
    usage: 'chart show ID',
    summary: 'a chart and its telescoped sub-charts, in Fritz\'s layout',
    readOnly: true,
    async run(input) {
      const charts = await service(input);
      const tree = await charts.tree(input.context, arg(input, 'a chart id'));
      return { json: tree, text: () => renderTree(tree) };
    },
  },
  'chart history': {
    usage: 'chart history ID [--limit N] [--before SEQ]',
    summary: 'the versions of every part of a chart, oldest first: the newest N (default 200), older than entry SEQ',
    readOnly: true,
    async run(input) {
      const page = historyPage(input.options);
      const charts = await service(input);
      const entries = await charts.history(input.context, arg(input, 'a chart id'), page);
      const older = page.more ? `\n(older versions left out: --before ${entries[0]?.seq ?? 0} shows them)` : '';
      return {
        json: { entries, ...(page.more ? { before: entries[0]?.seq ?? 0 } : {}) },
        text: entries.map((e) => `${e.ts}  ${e.pending ? 'pending' : `#${e.seq}`}  ${e.origin.padEnd(8)} ${e.action === 'delete' ? 'removed' : 'set'} ${e.part}${e.note ? `  (${e.note})` : ''}`).join('\n') + older,
      };
    },
  },
  'chart as-of': {
    usage: 'chart as-of ID TIME',
    summary: 'the chart as it was at a past time',
    readOnly: true,
    async run(input) {
      const time = input.args[1];
      if (!time) throw new EngineError('BAD_INPUT', 'a TIME is required (e.g. 2026-11-26T10:00:00Z).');
      const charts = await service(input);
      const chart = await charts.asOf(input.context, arg(input, 'a chart id'), time);
      return { json: chart, text: renderChart(chart) };
    },
  },
  'chart archive': {
    editsContext: true,
    usage: 'chart archive ID [--if-version V]',
    retryable: true,
    summary: 'move a completed chart (with its sub-charts) to completed-charts.jsonl',
    async run(input) {
      const charts = await service(input);
      const result = await charts.archive(input.context, arg(input, 'a chart id'), input.options.op, ifVersion(input));
      return done(`archived (${result.moved} records)`, result);
    },
  },
  'chart unarchive': {
    editsContext: true,
    usage: 'chart unarchive ID [--to CONTEXT] [--if-version V]',
    retryable: true,
    summary: 'bring an archived chart back to its context',
    async run(input) {
      const charts = await service(input);
      const result = await charts.unarchive(arg(input, 'a chart id'), input.options.to, input.options.op, ifVersion(input));
      return done(`restored to context ${result.to} (${result.moved} records)`, result);
    },
  },
  'chart move': {
    editsContext: true,
    usage: 'chart move ID --to CONTEXT [--if-version V]',
    retryable: true,
    summary: 'move a chart with its sub-charts and relations to another context (crash-safe)',
    async run(input) {
      const version = ifVersion(input);
      const charts = await service(input);
      const result = await charts.move(input.context, arg(input, 'a chart id'), requireOption(input.options, 'to'), { ...(input.options.op ? { op: input.options.op } : {}), ...(version ? { ifVersion: version } : {}) });
      return done(`moved (${result.moved} records)`, result);
    },
  },
  'chart search': {
    usage: 'chart search QUERY [--all] [--limit N]',
    summary: 'charts matching every word (by word start), best first',
    readOnly: true,
    async run(input) {
      const query = input.args.join(' ');
      if (!query.trim()) throw new EngineError('BAD_INPUT', 'a search query is required.');
      const charts = await service(input);
      const hits = await charts.search(query, { ...(input.options.all ? {} : { context: input.context }), limit: parseCount(input.options.limit, '--limit', 20, 1) });
      return { json: { hits }, text: hits.map((h) => `${h.chart.id}  ${h.chart.desiredOutcome}  (${h.chart.context}; matched: ${h.matched})`).join('\n') || 'no matches' };
    },
  },
  'step add': {
    editsContext: true,
    usage: 'step add ID --title T [--due D] [--if-version V]',
    retryable: true,
    summary: 'add an action step; prints its name (--if-version: the chart\'s version)',
    async run(input) {
      const charts = await service(input);
      const { name, result } = await charts.addStep(input.context, arg(input, 'a chart id'), { title: requireOption(input.options, 'title'), ...(input.options.due ? { dueDate: input.options.due } : {}) }, input.options.op, ifVersion(input));
      return done(name, { name, ...versionOf(result) });
    },
  },
  'step edit': {
    editsContext: true,
    usage: 'step edit NAME [--title T] [--due D] [--if-version V]',
    retryable: true,
    summary: 'rename or re-date a step',
    async run(input) {
      const { title, due } = input.options;
      if (title === undefined && due === undefined) throw new EngineError('BAD_INPUT', 'step edit needs --title or --due.');
      const charts = await service(input);
      const result = await charts.editStep(input.context, arg(input, 'a step name'), { ...(title === undefined ? {} : { title }), ...(due === undefined ? {} : { dueDate: due === '' ? null : due }) }, input.options.op, ifVersion(input));
      return unchanged(result) ?? done('edited', versionOf(result));
    },
  },
  'step complete': changeOne('step complete NAME', 'complete a step (or a sub-chart\'s desired outcome)', 'a step name', (c, ctx, n, op, v) => c.completeStep(ctx, n, op, v), 'completed'),
  'step reopen': changeOne('step reopen NAME', 'mark a completed step open again', 'a step name', (c, ctx, n, op, v) => c.reopenStep(ctx, n, op, v), 'reopened'),
  'step remove': {
    editsContext: true,
    usage: 'step remove NAME [--if-version V]',
    retryable: true,
    summary: 'remove a step and its whole telescoped subtree (kept in history)',
    async run(input) {
      const charts = await service(input);
      const result = await charts.removeStep(input.context, arg(input, 'a step name'), input.options.op, ifVersion(input));
      return done(`removed (${result.changed} records)`, { changed: result.changed });
    },
  },
  'step move': {
    editsContext: true,
    usage: 'step move NAME --to N [--if-version V]',
    retryable: true,
    summary: 'put a step at position N among its chart\'s steps',
    async run(input) {
      const charts = await service(input);
      const result = await charts.moveStep(input.context, arg(input, 'a step name'), parseCount(requireOption(input.options, 'to'), '--to', 1, 1), input.options.op, ifVersion(input));
      return done('moved', versionOf(result));
    },
  },
  telescope: {
    editsContext: true,
    usage: 'telescope NAME [--reality T] [--step T]... [--if-version V]',
    retryable: true,
    summary: 'telescope a step into a sub-chart; prints its id',
    async run(input) {
      const reality = input.options.reality?.[0];
      const charts = await service(input);
      const { id, result } = await charts.telescope(input.context, arg(input, 'a step name'), { ...(reality ? { reality } : {}), steps: input.options.step ?? [] }, input.options.op, ifVersion(input));
      return done(id, { id, ...versionOf(result) });
    },
  },
  'reality add': {
    editsContext: true,
    usage: 'reality add ID --text T [--if-version V]',
    retryable: true,
    summary: 'add an observation to the current reality',
    async run(input) {
      const charts = await service(input);
      const result = await charts.addReality(input.context, arg(input, 'a chart id'), requireOption(input.options, 'text'), input.options.op, ifVersion(input));
      return unchanged(result) ?? done('added', versionOf(result));
    },
  },
  'reality edit': {
    editsContext: true,
    usage: 'reality edit ID --old T [--text T] [--if-version V]',
    retryable: true,
    summary: 'change (or, without --text, remove) an observation of the current reality',
    async run(input) {
      const charts = await service(input);
      const result = await charts.editReality(input.context, arg(input, 'a chart id'), requireOption(input.options, 'old'), input.options.text, input.options.op, ifVersion(input));
      return unchanged(result) ?? done('changed', versionOf(result));
    },
  },
  'outcome set': {
    editsContext: true,
    usage: 'outcome set ID --text T [--if-version V]',
    retryable: true,
    summary: 'change the desired outcome',
    async run(input) {
      const charts = await service(input);
      const result = await charts.setOutcome(input.context, arg(input, 'a chart id'), requireOption(input.options, 'text'), input.options.op, ifVersion(input));
      return unchanged(result) ?? done('set', versionOf(result));
    },
  },
  'outcome complete': changeOne('outcome complete ID', 'mark the desired outcome achieved (completes the step a sub-chart came from)', 'a chart id', (c, ctx, id, op, v) => c.completeOutcome(ctx, id, op, v), 'completed'),
  'outcome reopen': changeOne('outcome reopen ID', 'take back "outcome achieved" (reopens the step a sub-chart came from)', 'a chart id', (c, ctx, id, op, v) => c.reopenOutcome(ctx, id, op, v), 'reopened'),
  'due set': {
    editsContext: true,
    usage: 'due set ID DATE [--if-version V]',
    retryable: true,
    summary: 'set the chart\'s due date (a dated note is kept); DATE "none" removes it (--if-version: the chart\'s version)',
    async run(input) {
      const date = input.args[1];
      if (!date) throw new EngineError('BAD_INPUT', 'a DATE is required (e.g. 2026-12-31, or none).');
      const charts = await service(input);
      const result = await charts.setDue(input.context, arg(input, 'a chart id'), date === 'none' ? null : date, input.options.op, ifVersion(input));
      return done('set', versionOf(result));
    },
  },
};
