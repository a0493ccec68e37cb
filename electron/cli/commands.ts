// The commands of `tension`. Each returns a result: the JSON document printed with --json,
// and the text printed without it. All of them run the same engine the desktop app runs.
import path from 'node:path';
import { EngineError } from '../core/errors.ts';
import type { Engine } from '../core/engine.ts';
import { DEFAULT_CONTEXT } from '../core/dataRoot.ts';
import type { GraphEntity } from '../core/knowledgeGraph.ts';
import { historyPage, parseCount, parseJsonOption, requireOption, type CliOptions } from './arguments.ts';
import { chartCommands } from './chartCommands.ts';
import { backupCommands } from './backupCommands.ts';
import { deletedCommands } from './deletedCommands.ts';
import { recoveryCommands } from './recoveryCommands.ts';
import { insightCommands } from './insightCommands.ts';
import { contextCommands } from './contextCommands.ts';
import { IMPORT_LIMIT_BYTES, readImportFile } from './importFile.ts';

// The engine's modules these commands need, loaded when one of them runs (commandModules.ts):
// `tension --help` and `tension chart list` load none of them.
const knowledgeGraph = async () => (await import('./commandModules.ts')).knowledgeGraph;
/** The engine refusing writes into a name renamed or merged away (retiredNameGuard.ts). */
const refusingRetiredNames = async (engine: Engine) => (await import('./commandModules.ts')).retiredNameGuard.engineRefusingRetiredNames(engine);
const records = async () => (await import('./commandModules.ts')).records;
const history = async () => (await import('./commandModules.ts')).history;
const verify = async () => (await import('./commandModules.ts')).verify;
const recover = async () => (await import('./commandModules.ts')).recover;

export interface CommandResult {
  readonly json: unknown;
  /** Made only when printed (a function for text that is costly to build and unused with --json). */
  readonly text: string | (() => string);
  /** Non-zero when the command ran but found a problem (verify). */
  readonly exitCode?: number;
  /** Said on stderr after the output: what the output leaves out (an export without damaged lines). */
  readonly warnings?: readonly string[];
}

export interface CommandInput {
  readonly engine: Engine;
  readonly args: string[];
  readonly options: CliOptions;
  readonly context: string;
  /** Aborted by Ctrl-C or SIGTERM: a long command stops at its next step. */
  readonly signal?: AbortSignal;
}

export interface Command {
  readonly usage: string;
  readonly summary: string;
  /**
   * Commands that never write open the engine read-only (no lock, no journal created); a
   * function for a command that writes or not by its options (`recover repair --leave`).
   */
  readonly readOnly?: boolean | ((options: CliOptions) => boolean);
  /**
   * Listens for SIGINT/SIGTERM itself and ends cleanly (a server finishing its calls): the CLI
   * then waits for it to return instead of stopping it at the signal.
   */
  readonly stopsItself?: boolean;
  /** Takes --op ID: the change is made once, however often it is run with that id (a retry after a lost answer). */
  readonly retryable?: boolean;
  /**
   * Changes the records of --context by ordinary commits: its file is read, and a journal to
   * start made, before the lock is taken (Engine.prepareToWrite). Not for a command whose locked
   * work loads a context its own way (recover replays the whole journal) or works on files.
   */
  readonly editsContext?: boolean;
  run(input: CommandInput): Promise<CommandResult>;
}

/** Options every command takes: where the data is, which context, JSON output, help. */
const GLOBAL_OPTIONS = new Set(['data', 'memory-path', 'context', 'json', 'help']);

/**
 * The options given that a command does not take (its usage names the ones it takes; a
 * retryable one also takes --op). They are refused as an unknown one is: ignored, one would
 * make the command do something else than asked (`chart list --limit 10` listing every chart).
 */
export function optionsNotTaken(command: Command, options: CliOptions): string[] {
  const taken = new Set([...command.usage.matchAll(/--([a-z][a-z-]*)/g)].map((match) => match[1]));
  return Object.entries(options)
    .filter(([name, value]) => value !== undefined && !GLOBAL_OPTIONS.has(name) && !taken.has(name) && !(name === 'op' && command.retryable))
    .map(([name]) => name);
}

/**
 * The words given beyond those a command takes (its usage names them: `ID`, `[ID]`, `OLD NEW`;
 * a query takes every word). Ignored, they were lost: `chart create --outcome Ship billing`
 * saved the outcome "Ship", and `import a.jsonl b.jsonl` imported a.jsonl alone.
 */
export function wordsNotTaken(command: Command, name: string, words: readonly string[]): string[] {
  const tokens = command.usage.slice(name.length).split(/\s+/).filter((token) => token !== '');
  let taken = 0;
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as string;
    if (token === '|') break; // another form of the same command follows
    if (/^\[?--/.test(token)) {
      // An option; the word after it is its value unless the option closes its brackets.
      const next = tokens[i + 1];
      if (!token.endsWith(']') && next !== undefined && /^[A-Z]/.test(next)) i += 1;
      continue;
    }
    if (!/^\[?[A-Z][A-Z0-9-]*\]?(\.\.\.)?$/.test(token)) continue;
    if (token.endsWith('...') || token.replace(/[[\]]/g, '') === 'QUERY') return [];
    taken += 1;
  }
  return words.slice(taken);
}

const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;

function committed(what: string, result: { changed: number; duplicate: boolean }): CommandResult {
  const text = result.duplicate ? `${what}: already applied (operation id seen before)` : result.changed === 0 ? `${what}: nothing to change` : `${what}: done`;
  return { json: { ok: true, ...result }, text };
}

export const commands: Record<string, Command> = {
  contexts: {
    usage: 'contexts',
    summary: 'list the contexts with their records, bytes and health',
    readOnly: true,
    async run({ engine }) {
      const list = await engine.listContexts();
      const json = list.map(({ findings, ...rest }) => ({ ...rest, findings: findings.map((f) => f.message) }));
      const text = list.length === 0
        ? `no contexts yet in ${engine.layout.root}`
        : list.map((c) => `${c.context.padEnd(20)} ${String(c.records).padStart(8)} records ${String(c.bytes).padStart(10)} bytes  ${c.health}`).join('\n');
      return { json: { root: engine.layout.root, contexts: json }, text };
    },
  },

  'entity set': {
    editsContext: true,
    usage: 'entity set --name N --type T [--obs TEXT]... [--meta JSON] [--op ID]',
    retryable: true,
    summary: 'create an entity, or add observations and merge metadata into it',
    async run({ engine, options, context }) {
      const name = requireOption(options, 'name');
      const entityType = requireOption(options, 'type');
      const metadata = parseJsonOption(options.meta, '--meta');
      const { setEntity } = await knowledgeGraph();
      const result = await (await refusingRetiredNames(engine)).transact(context, (state) => setEntity(state, { name, entityType, observations: options.obs ?? [], ...(metadata ? { metadata } : {}) }), { op: options.op });
      return committed(`entity ${name}`, result);
    },
  },

  'entity delete': {
    editsContext: true,
    usage: 'entity delete --name N',
    retryable: true,
    summary: 'delete an entity and the relations that touch it',
    async run({ engine, options, context }) {
      const name = requireOption(options, 'name');
      const { deleteEntity } = await knowledgeGraph();
      return committed(`delete ${name}`, await engine.transact(context, (state) => deleteEntity(state, name), { op: options.op }));
    },
  },

  'relation add': {
    editsContext: true,
    usage: 'relation add --from A --to B --type R [--meta JSON]',
    retryable: true,
    summary: 'add a relation (or merge metadata into it)',
    async run({ engine, options, context }) {
      const input = relationOptions(options);
      const metadata = parseJsonOption(options.meta, '--meta');
      const { addRelation } = await knowledgeGraph();
      const added = await (await refusingRetiredNames(engine)).transact(context, (state) => addRelation(state, { ...input, ...(metadata ? { metadata } : {}) }), { op: options.op });
      return committed(`relation ${input.from} -[${input.relationType}]-> ${input.to}`, added);
    },
  },

  'relation delete': {
    editsContext: true,
    usage: 'relation delete --from A --to B --type R',
    retryable: true,
    summary: 'delete a relation',
    async run({ engine, options, context }) {
      const input = relationOptions(options);
      const { deleteRelation } = await knowledgeGraph();
      return committed(`delete relation ${input.from} -[${input.relationType}]-> ${input.to}`, await engine.transact(context, (state) => deleteRelation(state, input), { op: options.op }));
    },
  },

  graph: {
    usage: 'graph',
    summary: 'the whole context as {"entities":[…],"relations":[…]} (MCP read_graph)',
    readOnly: true,
    async run({ engine, context }) {
      const { readGraph } = await knowledgeGraph();
      const graph = await engine.read(context, (state) => readGraph(state));
      return { json: graph, text: JSON.stringify(graph, null, 2) };
    },
  },

  search: {
    usage: 'search QUERY [--limit N] [--all]',
    summary: 'entities with words starting with every query word, best first (--all: every context)',
    readOnly: true,
    async run({ engine, args, options, context }) {
      const query = args.join(' ').trim();
      if (query === '') throw new EngineError('BAD_INPUT', 'search needs a query.');
      const limit = parseCount(options.limit, '--limit', 50, 1);
      const { subgraph, toGraphEntity } = await knowledgeGraph();
      const contexts = options.all ? engine.listContextNames() : [context];
      const found: { context: string; score: number; entity: GraphEntity }[] = [];
      for (const name of contexts) {
        await engine.read(name, (state, store) => {
          for (const hit of store.search(query, limit)) {
            const record = state.get(hit.key);
            if (record) found.push({ context: name, score: hit.score, entity: toGraphEntity(record) });
          }
        });
      }
      found.sort((a, b) => b.score - a.score);
      const top = found.slice(0, limit);
      const text = top.length === 0 ? 'no matches' : top.map((f) => `${options.all ? `${f.context}: ` : ''}${f.entity.name} (${f.entity.entityType})${f.entity.observations[0] ? ` — ${f.entity.observations[0]}` : ''}`).join('\n');
      if (options.all) return { json: { results: top.map((f) => ({ context: f.context, ...f.entity })) }, text };
      const graph = await engine.read(context, (state) => subgraph(state, top.map((f) => f.entity.name)));
      return { json: graph, text };
    },
  },

  history: {
    usage: 'history --name N | history --from A --to B --type R  [--limit N] [--before SEQ]',
    summary: 'the versions of a record, oldest first, with time and origin: the newest N (default 200), older than entry SEQ',
    readOnly: true,
    async run({ engine, options, context }) {
      const [{ entityKey, relationKey }, { historyOf, withPendingChanges }] = await Promise.all([records(), history()]);
      const key = options.name !== undefined ? entityKey(requireOption(options, 'name')) : relationKey(...Object.values(relationOptions(options)) as [string, string, string]);
      const wanted = (k: string) => k === key;
      const page = historyPage(options);
      // Another program's change this reader saw in the file but may not journal: shown as pending.
      const versions = (await engine.read(context, (_state, store) => {
        const journaled = historyOf(engine.fs, store.paths.journal, wanted, page);
        return page.before === undefined ? withPendingChanges(journaled, store, wanted) : journaled;
      })).get(key) ?? [];
      if (versions.length === 0) throw new EngineError('NOT_FOUND', `No history for ${options.name ?? 'that relation'} in context ${context}.`);
      // A version of a record over 64 KB carries what it changed, not the record (history.ts).
      const shown = (v: (typeof versions)[number]) => (v.value !== undefined ? JSON.stringify(v.value) : v.changed ? `changed: ${JSON.stringify(v.changed)}` : '(the record, over 64 KB, is not shown)');
      const text = versions.map((v) => `${v.ts}  ${v.pending ? 'pending' : `#${v.seq}`}  ${v.origin.padEnd(8)} ${v.action === 'delete' ? 'deleted' : shown(v)}${v.note ? `  (${v.note})` : ''}`).join('\n');
      const older = page.more ? { before: versions[0]?.seq ?? 0 } : {};
      return { json: { context, versions, ...older }, text: page.more ? `${text}\n(older versions left out: --before ${versions[0]?.seq ?? 0} shows them)` : text };
    },
  },

  import: {
    editsContext: true,
    usage: 'import FILE [--on-collision replace]',
    retryable: true,
    summary: `import a JSONL file (or a {"entities","relations"} document; a regular file up to ${IMPORT_LIMIT_BYTES / 1024 / 1024} MB) as one transaction; a chart the context holds otherwise is refused unless replaced`,
    async run({ engine, args, options, context, signal }) {
      const file = args[0];
      if (!file) throw new EngineError('BAD_INPUT', 'import needs a FILE.');
      const replace = options['on-collision'];
      if (replace !== undefined && replace !== 'replace') throw new EngineError('BAD_INPUT', `import takes --on-collision replace (or see 'tension import preview'), got ${JSON.stringify(replace.slice(0, 40))}. Nothing was changed.`, { kept: 'Nothing was changed.' });
      const text = await readImportFile(file, signal ? { signal } : {});
      const { parseImport } = await knowledgeGraph();
      const { previewImport } = (await import('./commandModules.ts')).importPreview;
      const source = path.basename(file);
      const imported = parseImport(text, source);
      const result = await (await refusingRetiredNames(engine)).transact(
        context,
        (state) => {
          // A chart the context holds with other content would be replaced by the file's (an
          // old export, or a copy another program stripped of its metadata): not without asking.
          const { collisions } = previewImport(state, context, text, source);
          if (collisions.length > 0 && replace === undefined) {
            const ids = collisions.map((c) => c.id).join(', ');
            const one = collisions.length === 1;
            throw new EngineError('CONFLICT', `${one ? 'Chart' : 'Charts'} ${ids} ${one ? 'is' : 'are'} in context ${context} with other content than ${source} holds: importing would replace ${one ? 'it' : 'them'} with the file's. See 'tension import preview ${source}'; to replace it anyway, --on-collision replace. Nothing was imported.`, { kept: 'Nothing was changed.' });
          }
          return { puts: imported, deletes: [] };
        },
        { op: options.op, note: `import of ${source}` },
      );
      return { json: { ok: true, records: imported.length, ...result }, text: `imported ${plural(imported.length, 'record')} into ${context} (${result.changed} changed)` };
    },
  },

  verify: {
    usage: 'verify',
    summary: 'check every context, journal and backup; exit 1 when something is wrong',
    readOnly: true,
    async run({ engine }) {
      const { verifyAll } = await verify();
      const result = await verifyAll(engine);
      const lines = result.contexts.flatMap((c) => [`${c.context}: ${c.ok ? 'ok' : 'PROBLEMS'} (${plural(c.records, 'record')}, ${plural(c.journalEntries, 'journal entry', 'journal entries')})`, ...c.findings.map((f) => `  ${f.severity}: ${f.message}`)]);
      for (const b of result.backups) lines.push(`backup ${b.id}: ${b.ok ? 'ok' : b.problems.join('; ')}`);
      lines.push(result.ok ? 'verify: ok' : 'verify: problems found (run `tension recover`)');
      return { json: result, text: lines.join('\n'), exitCode: result.ok ? 0 : 1 };
    },
  },

  recover: {
    usage: 'recover',
    summary: 'repair damage: bad bytes to .recovery/, records restored from the journal or backups',
    async run({ engine }) {
      const { recoverAll } = await recover();
      const report = await recoverAll(engine);
      const lines = report.actions.map((a) => `${a.context}: ${a.action}`);
      for (const u of report.unrecovered) lines.push(`NOT RECOVERED: ${u}`);
      if (lines.length === 0) lines.push('nothing to recover');
      return { json: { ok: report.unrecovered.length === 0, ...report }, text: lines.join('\n'), exitCode: report.unrecovered.length === 0 ? 0 : 1 };
    },
  },

  mcp: {
    usage: 'mcp',
    summary: 'serve the knowledge-graph and chart tools to AI assistants over MCP (stdio)',
    // The server opens its own engine (origin mcp) for as long as the client stays; the one
    // opened for every command stays unused, so it is opened read-only (no lock, no journal).
    readOnly: true,
    stopsItself: true,
    async run(input) {
      // Loaded here only, so other commands do not pay for the MCP SDK.
      const { runMcpCommand } = await import('../mcp/mcpServer.ts');
      return runMcpCommand(input);
    },
  },
};

// export (JSONL or Markdown) lives with the context commands (contextCommands.ts).
Object.assign(commands, backupCommands, deletedCommands, recoveryCommands, chartCommands, contextCommands, insightCommands);

function relationOptions(options: CliOptions) {
  return { from: requireOption(options, 'from'), to: requireOption(options, 'to'), relationType: requireOption(options, 'type') };
}

export function findCommand(words: string[]): { name: string; command: Command; rest: string[] } | undefined {
  const two = words.slice(0, 2).join(' ');
  if (commands[two]) return { name: two, command: commands[two], rest: words.slice(2) };
  const one = words[0] ?? '';
  if (commands[one]) return { name: one, command: commands[one], rest: words.slice(1) };
  return undefined;
}

export function helpText(): string {
  const rows = Object.values(commands).map((c) => `  tension ${c.usage.padEnd(56)} ${c.summary}`);
  return [
    'tension: structural tension charts in .coaia/ folders, kept safe (journal, backups, recovery)',
    '',
    'usage: tension <command> [--data DIR | --memory-path FILE.jsonl] [--context NAME] [--json]',
    '',
    ...rows,
    '',
    `Data: --data DIR > --memory-path FILE > $TENSION_DATA > $MEMORY_FILE_PATH > $COAIAN_MF > the nearest .coaia/ above the working folder > ~/.coaia. Context: --context NAME (default: ${DEFAULT_CONTEXT}).`,
    'Retries: a command that changes charts, records or contexts also takes --op ID; run again with the same ID (after a lost answer), it changes nothing twice.',
  ].join('\n');
}
