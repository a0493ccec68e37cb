// Part 0: the `tension` command as a person runs it, each figure beside a floor timed in the
// same run, the commands of a group taking turns (floor, command, floor, command, …) so that a
// burst of load on the shared machine falls on both. Issue 15's targets:
//   1. start-up: `node out/cli/tension.mjs --help` (the bundle package.json's bin points at)
//      costs at most 1.5x `node -e 0`; `npm run -s tension -- --help` is shown beside them
//      (npm's own start plus build/runTension.mjs's look for a newer source), no target;
//   2. `chart list` on 1,000 charts answers in under 0.3 s: on a peer's file Tension Desk has
//      never written (a reading command opens read-only: it reads and parses the file, writes
//      nothing), and on the same folder after one CLI write (journal and checkpoint exist);
//   3. `graph --json` on 10,000 charts, beside a fresh `node -e` that reads the same file and
//      JSON.parses every line (and one that also prints the graph): informational ratios;
//   4. a write, `chart create`, on 10,000 charts (with --sizes, those), in a folder we have
//      written already, beside a fresh `node -e` that reads and parses the file and writes it
//      back whole, fsynced and renamed: what any write that keeps the file whole for its peers
//      costs at least. Informational (issue 15 names no figure); beside it, how much of the
//      write the data folder's lock is held (what every other process waits for).
// Every timed figure is the wall time of one spawnSync (performance.now around it), stdout
// going to a file; the median of the runs is reported. The bundle is rebuilt first when it is
// missing or a source is newer (build/cliBundle.mjs --if-stale, as build/runTension.mjs does).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeChartFile, type GeneratedFile } from './chartGenerator.ts';
import { mb, ms, percentile, ratio, table } from './stats.ts';
import type { Check, SectionResult } from './report.ts';

export interface CliBenchConfig {
  readonly workDir: string;
  readonly repoRoot: string;
  /** Timed runs of each command; the median is reported. */
  readonly runs: number;
  /** Charts in the folder `chart list` reads (issue 15: 1,000). */
  readonly listCharts: number;
  /** Charts in the folder `graph --json` reads. */
  readonly graphCharts: number;
  /** Charts in the folders `chart create` writes to, one folder per size. */
  readonly writeCharts: readonly number[];
}

/** Issue 15: `tension --help` costs at most this many times `node -e 0`. */
const HELP_TARGET_RATIO = 1.5;
/** Issue 15: `tension chart list` on 1,000 charts, absolute. */
const LIST_TARGET_MS = 300;
const RUN_TIMEOUT_MS = 5 * 60_000;

/** Reads the file named by the first argument and JSON.parses every non-empty line, keeping them. */
const PARSE_FLOOR =
  "const fs=require('node:fs');const text=fs.readFileSync(process.argv[1],'utf8');const records=[];" +
  "for(const line of text.split('\\n'))if(line.trim()!=='')records.push(JSON.parse(line));";
/** The same, then writes every record back as a file (the second argument), fsynced and renamed into place, as a rewrite does. */
const REWRITE_FLOOR =
  PARSE_FLOOR +
  "const out=process.argv[2],tmp=out+'.tmp',fd=fs.openSync(tmp,'w');" +
  "fs.writeSync(fd,records.map((r)=>JSON.stringify(r)).join('\\n')+'\\n');fs.fsyncSync(fd);fs.closeSync(fd);fs.renameSync(tmp,out);";
/** The same as PARSE_FLOOR, then prints the graph as one JSON document, as `graph --json` does. */
const PRINT_FLOOR =
  PARSE_FLOOR +
  "const entities=[],relations=[];for(const r of records)(r.type==='relation'?relations:entities).push(r);" +
  "process.stdout.write(JSON.stringify({entities,relations})+'\\n');";

interface Command {
  readonly label: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

interface OneRun {
  readonly ms: number;
  readonly failure: string | undefined;
  readonly stdoutBytes: number;
}

interface Timing {
  readonly command: Command;
  readonly group: string;
  readonly data: string;
  readonly samples: number[];
  failure: string | undefined;
}

/** The environment of a plain shell: without the npm_* variables `npm run bench` set for us. */
const childEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));

function runOnce(command: Command, stdoutFile: string): OneRun {
  const fd = fs.openSync(stdoutFile, 'w');
  let elapsed: number;
  let result: ReturnType<typeof spawnSync>;
  try {
    const started = performance.now();
    result = spawnSync(command.file, command.args, { cwd: command.cwd, env: childEnv, stdio: ['ignore', fd, 'pipe'], timeout: RUN_TIMEOUT_MS, maxBuffer: 16 << 20 });
    elapsed = performance.now() - started;
  } finally {
    fs.closeSync(fd);
  }
  const stdoutBytes = fs.statSync(stdoutFile).size;
  let failure: string | undefined;
  if (result.error) failure = result.error.message;
  else if (result.status !== 0) {
    const tail = String(result.stderr ?? '').trim().split('\n').filter((l) => l.trim() !== '').slice(-2).join(' | ');
    failure = `${command.label}: ${result.signal ? `killed by ${result.signal}` : `exited ${result.status}`}: ${tail.slice(0, 300)}`;
  }
  return { ms: elapsed, failure, stdoutBytes };
}

/** Times the commands in turn, `runs` rounds; a command that fails once is marked failed and not run again. */
function timeInTurns(entries: readonly { command: Command; data: string }[], group: string, runs: number, stdoutFile: string): Timing[] {
  const timings: Timing[] = entries.map(({ command, data }) => ({ command, group, data, samples: [], failure: undefined }));
  for (let round = 0; round < runs; round += 1) {
    for (const timing of timings) {
      if (timing.failure !== undefined) continue;
      const run = runOnce(timing.command, stdoutFile);
      if (run.failure !== undefined) timing.failure = run.failure;
      else timing.samples.push(run.ms);
    }
  }
  return timings;
}

const median = (t: Timing | undefined): number => (t === undefined || t.failure !== undefined ? Number.NaN : percentile(t.samples, 50));

/** Every file under `dir` with its size and modification time, to tell whether a command wrote. */
function folderState(dir: string): string {
  const lines: string[] = [];
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else {
        const stat = fs.statSync(path.join(dir, rel));
        lines.push(`${rel} ${stat.size} ${stat.mtimeMs}`);
      }
    }
  };
  walk('');
  return lines.join('\n');
}

function fileNames(dir: string): string {
  return folderState(dir)
    .split('\n')
    .map((line) => line.split(' ')[0])
    .join(', ');
}

function bundleMtime(entry: string): number | undefined {
  try {
    return fs.statSync(entry).mtimeMs;
  } catch {
    return undefined;
  }
}

export async function cliBench(config: CliBenchConfig): Promise<SectionResult> {
  const title = '0. The tension command: start-up, chart list, graph --json (fresh process per call)';
  const node = process.execPath;
  const { repoRoot, runs } = config;
  const cliEntry = path.join(repoRoot, 'out', 'cli', 'tension.mjs');
  const notes: string[] = [];

  // The bundle, as npm ci's prepare script and build/runTension.mjs make it.
  const before = bundleMtime(cliEntry);
  const buildStarted = performance.now();
  const build = spawnSync(node, [path.join(repoRoot, 'build', 'cliBundle.mjs'), '--if-stale'], { cwd: repoRoot, env: childEnv, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
  const buildMs = performance.now() - buildStarted;
  const built = bundleMtime(cliEntry);
  if (build.status !== 0 || built === undefined) {
    const why = `node build/cliBundle.mjs --if-stale failed: ${(build.stderr ?? build.error?.message ?? '').trim().slice(0, 300)}`;
    return { title, detail: `FAILED: ${why}`, notes: [], checks: [{ what: 'tension --help start-up', measured: 'FAILED', against: why, target: `<= ${HELP_TARGET_RATIO}x node -e 0`, pass: false }] };
  }
  notes.push(
    before === built
      ? `the bundle out/cli/tension.mjs was up to date (no source under electron/ or shared/ newer; build/cliBundle.mjs --if-stale)`
      : `the bundle out/cli/tension.mjs was ${before === undefined ? 'missing' : 'older than a source'}: rebuilt first (${ms(buildMs)}), from the working tree as it is`,
  );

  const root = path.join(config.workDir, 'cli');
  const stdoutFile = path.join(root, 'stdout.txt');
  fs.mkdirSync(root, { recursive: true });
  const timings: Timing[] = [];
  const checks: Check[] = [];
  try {
    // 1. Start-up.
    const floorCommand: Command = { label: 'node -e 0', file: node, args: ['-e', '0'], cwd: repoRoot };
    const helpCommand: Command = { label: 'node out/cli/tension.mjs --help', file: node, args: [cliEntry, '--help'], cwd: repoRoot };
    const npmCommand: Command = { label: 'npm run -s tension -- --help', file: 'npm', args: ['run', '-s', 'tension', '--', '--help'], cwd: repoRoot };
    for (const command of [floorCommand, helpCommand, npmCommand]) runOnce(command, stdoutFile); // warm-up: files in the page cache
    const startUp = timeInTurns(
      [floorCommand, helpCommand, npmCommand].map((command) => ({ command, data: '-' })),
      'start-up',
      runs,
      stdoutFile,
    );
    timings.push(...startUp);
    const [floor, help, npm] = startUp;
    const floorMs = median(floor);
    checks.push({
      what: 'tension --help start-up (node out/cli/tension.mjs, the bin)',
      measured: help?.failure ? 'FAILED' : ms(median(help)),
      against: help?.failure ?? `node -e 0 ${ms(floorMs)} = ${ratio(median(help) / floorMs)}`,
      target: `<= ${HELP_TARGET_RATIO}x node -e 0`,
      pass: help?.failure ? false : median(help) <= HELP_TARGET_RATIO * floorMs,
    });
    checks.push({
      what: 'npm run -s tension -- --help (npm + the staleness look)',
      measured: npm?.failure ? 'FAILED' : ms(median(npm)),
      against: npm?.failure ?? `node -e 0 ${ms(floorMs)} = ${ratio(median(npm) / floorMs)}`,
      target: '- (informational)',
      pass: npm?.failure ? false : undefined,
    });

    // 2. chart list on a folder of listCharts charts: a peer's file, then after one CLI write.
    const listDir = path.join(root, `list-${config.listCharts}`, '.coaia');
    const listFile = writeChartFile(path.join(listDir, 'charts.jsonl'), config.listCharts);
    const listCommand: Command = { label: `node out/cli/tension.mjs chart list --data DIR`, file: node, args: [cliEntry, 'chart', 'list', '--data', listDir], cwd: repoRoot };
    for (const state of ['peer', 'written'] as const) {
      const stateLabel = state === 'peer' ? "a peer's file (never written by us)" : 'after one CLI write';
      const data = `${config.listCharts} charts (${mb(listFile.bytes)}), ${stateLabel}`;
      const adopted = state === 'written' ? adoptingWrite(node, cliEntry, listDir, repoRoot, stdoutFile, config.listCharts) : undefined;
      if (adopted) notes.push(adopted.note);
      const folderBefore = folderState(listDir);
      const warm = runOnce(listCommand, stdoutFile);
      const printed = warm.failure ? 0 : fs.readFileSync(stdoutFile, 'utf8').split('\n').filter((l) => l.trim() !== '').length;
      const wrote = folderState(listDir) !== folderBefore;
      notes.push(
        `chart list, ${stateLabel}: one warm-up call first (not timed): ${warm.failure ?? `${ms(warm.ms)}, printed ${printed} lines for ${config.listCharts} charts; it ${wrote ? `changed the folder (now: ${fileNames(listDir)})` : `wrote nothing (the folder holds ${fileNames(listDir)})`}`}`,
      );
      const group = timeInTurns(
        [
          { command: floorCommand, data: '-' },
          { command: listCommand, data },
        ],
        `chart list, ${state === 'peer' ? "peer's file" : 'after a write'}`,
        runs,
        stdoutFile,
      );
      timings.push(...group);
      const [listFloor, list] = group;
      const failure = adopted?.failure ?? warm.failure ?? list?.failure;
      checks.push({
        what: `chart list, ${config.listCharts} charts, ${stateLabel}`,
        measured: failure ? 'FAILED' : ms(median(list)),
        against: failure ?? `node -e 0 ${ms(median(listFloor))} (same run) = ${ratio(median(list) / median(listFloor))}`,
        target: `< ${ms(LIST_TARGET_MS)}`,
        pass: failure ? false : median(list) < LIST_TARGET_MS,
      });
    }
    fs.rmSync(path.dirname(listDir), { recursive: true, force: true });

    // 3. graph --json on graphCharts charts, beside reading and parsing the same file.
    const graphDir = path.join(root, `graph-${config.graphCharts}`, '.coaia');
    const graphFile: GeneratedFile = writeChartFile(path.join(graphDir, 'charts.jsonl'), config.graphCharts);
    const contextFile = path.join(graphDir, 'charts.jsonl');
    const parseFloor: Command = { label: 'node -e: read + JSON.parse each line (floor)', file: node, args: ['-e', PARSE_FLOOR, contextFile], cwd: repoRoot };
    const printFloor: Command = { label: 'node -e: read + JSON.parse each line + print the graph', file: node, args: ['-e', PRINT_FLOOR, contextFile], cwd: repoRoot };
    const graphCommand: Command = { label: 'node out/cli/tension.mjs graph --json --data DIR', file: node, args: [cliEntry, 'graph', '--json', '--data', graphDir], cwd: repoRoot };
    for (const state of ['peer', 'written'] as const) {
      const stateLabel = state === 'peer' ? "a peer's file (never written by us)" : 'after one CLI write';
      const data = `${config.graphCharts} charts (${mb(graphFile.bytes)}), ${stateLabel}`;
      const adopted = state === 'written' ? adoptingWrite(node, cliEntry, graphDir, repoRoot, stdoutFile, config.graphCharts) : undefined;
      if (adopted) notes.push(adopted.note);
      const expected = graphFile.lines + (state === 'written' ? 1 : 0);
      const warm = runOnce(graphCommand, stdoutFile);
      let seen = '';
      if (!warm.failure) {
        try {
          const document = JSON.parse(fs.readFileSync(stdoutFile, 'utf8')) as { entities: unknown[]; relations: unknown[] };
          const records = document.entities.length + document.relations.length;
          seen = `printed ${mb(warm.stdoutBytes)} of JSON, ${records} records (${records === expected ? 'all of them' : `expected ${expected}`})`;
        } catch (error) {
          seen = `printed output that is not one JSON document (${(error as Error).message.slice(0, 100)})`;
        }
      }
      notes.push(`graph --json, ${stateLabel}: one warm-up call first (not timed): ${warm.failure ?? `${ms(warm.ms)}, ${seen}`}`);
      const group = timeInTurns(
        [
          { command: parseFloor, data },
          { command: printFloor, data },
          { command: graphCommand, data },
        ],
        `graph --json, ${state === 'peer' ? "peer's file" : 'after a write'}`,
        runs,
        stdoutFile,
      );
      timings.push(...group);
      const [parse, print, graph] = group;
      const failure = adopted?.failure ?? warm.failure ?? graph?.failure ?? parse?.failure;
      checks.push({
        what: `graph --json, ${config.graphCharts} charts, ${stateLabel}`,
        measured: failure ? 'FAILED' : ms(median(graph)),
        against:
          failure ??
          `read+parse floor ${ms(median(parse))} = ${ratio(median(graph) / median(parse))}; floor + print ${ms(median(print))} = ${ratio(median(graph) / median(print))}`,
        target: '- (informational; issue 15 names no figure)',
        pass: failure ? false : undefined,
      });
    }

    // 4. A write on writeCharts charts, in a folder we have written (journal and checkpoint there).
    for (const charts of config.writeCharts) {
      const dir = path.join(root, `write-${charts}`, '.coaia');
      const written = writeChartFile(path.join(dir, 'charts.jsonl'), charts);
      // The first write to the peer's file (it starts the journal), timed as the lock's holding is below.
      const lockDir = path.join(dir, '.tension.lock');
      const adopting: Command = { label: 'entity set (the first write)', file: node, args: [cliEntry, 'entity', 'set', '--name', 'bench_cli_marker', '--type', 'note', '--obs', 'cli bench marker', '--data', dir], cwd: repoRoot };
      const adoptHeld = await lockHeldDuring(adopting, lockDir, 1);
      const adopted = { failure: adoptHeld.failure === undefined ? undefined : `the adopting write failed: ${adoptHeld.failure}` };
      notes.push(
        adoptHeld.failure === undefined
          ? `the adopting write at ${charts} charts (entity set of a note; adopts the file, journals, rewrites the file): ${ms(adoptHeld.wallMs)}; the folder then holds ${fileNames(dir)}`
          : `the adopting write at ${charts} charts failed: ${adoptHeld.failure}`,
      );
      checks.push({
        what: `the first write to a peer's file of ${charts} charts (entity set): the data folder's lock held`,
        measured: adoptHeld.failure ? 'FAILED' : `${ms(adoptHeld.heldMs)} in ${adoptHeld.spans} holds`,
        against: adoptHeld.failure ?? `the whole command ${ms(adoptHeld.wallMs)} = ${ratio(adoptHeld.heldMs / adoptHeld.wallMs)} of it (one run)`,
        target: '- (informational)',
        pass: adoptHeld.failure ? false : undefined,
      });
      const data = `${charts} charts (${mb(written.bytes)}), after one CLI write`;
      const rewriteFloor: Command = {
        label: 'node -e: read + JSON.parse each line + write them back (fsync, rename) (floor)',
        file: node,
        args: ['-e', REWRITE_FLOOR, path.join(dir, 'charts.jsonl'), path.join(root, 'floor-copy.jsonl')],
        cwd: repoRoot,
      };
      const create: Command = { label: 'node out/cli/tension.mjs chart create --data DIR', file: node, args: [cliEntry, 'chart', 'create', '--data', dir, '--outcome', 'Bench outcome', '--reality', 'Bench reality'], cwd: repoRoot };
      const group = timeInTurns(
        [
          { command: rewriteFloor, data },
          { command: create, data },
        ],
        `chart create, ${charts} charts`,
        Math.min(runs, 3),
        stdoutFile,
      );
      timings.push(...group);
      const [floorOfWrite, write] = group;
      const failure = adopted.failure ?? write?.failure ?? floorOfWrite?.failure;
      checks.push({
        what: `chart create, ${charts} charts (a write: the file rewritten)`,
        measured: failure ? 'FAILED' : ms(median(write)),
        against: failure ?? `read+parse+write-back floor ${ms(median(floorOfWrite))} = ${ratio(median(write) / median(floorOfWrite))}`,
        target: '- (informational; issue 15 names no figure)',
        pass: failure ? false : undefined,
      });
      // How long of such a write the data folder's lock is held, which every other process's
      // read or write (the app's window, an MCP server) waits for.
      const held = await lockHeldDuring(create, lockDir, Math.min(runs, 3));
      checks.push({
        what: `chart create, ${charts} charts: the data folder's lock held`,
        measured: held.failure ? 'FAILED' : `${ms(held.heldMs)} in ${held.spans} holds`,
        against: held.failure ?? `the whole command ${ms(held.wallMs)} = ${ratio(held.heldMs / held.wallMs)} of it (medians of ${Math.min(runs, 3)} runs)`,
        target: '- (informational; issue 15: the rewrite outside the lock, only the rename under it)',
        pass: held.failure ? false : undefined,
      });
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  if (bundleMtime(cliEntry) !== built) {
    notes.push('the bundle was rebuilt during the run (a source changed, and npm run tension rebuilt it): some npm figures include that build, and later figures time the new bundle');
  }

  const detail = table(
    ['group', 'command', 'data', 'runs', 'median', 'min', 'max', 'median / floor'],
    timings.map((t) => {
      const floorOfGroup = timings.find((f) => f.group === t.group);
      const isFloor = floorOfGroup === t;
      return [
        t.group,
        t.command.label,
        t.data,
        String(t.samples.length),
        t.failure ? `FAILED: ${t.failure}` : ms(median(t)),
        t.failure ? '' : ms(Math.min(...t.samples)),
        t.failure ? '' : ms(Math.max(...t.samples)),
        isFloor || t.failure ? (isFloor ? '(floor)' : '') : `${ratio(median(t) / median(floorOfGroup))} ${floorName(floorOfGroup)}`,
      ];
    }),
  );
  notes.unshift(
    `each figure is the median of ${runs} timed runs (wall time of a spawnSync, stdout to a file); within a group the commands take turns, round by round, after one untimed warm-up call of each`,
    `children run with this process's environment minus the npm_* variables \`npm run bench\` sets, as from a plain shell`,
    `npm run -s tension walks electron/ and shared/ for a newer source (build/runTension.mjs) before importing the bundle; package.json has no trivial script to time npm alone, so its ratio to node -e 0 is informational`,
    `a reading command (chart list, graph) opens the data folder read-only: no lock, no journal started; in a folder that is ours already (.history there) chart list saves its list (.history/charts.summaries.cache.json), and a later chart list of the unchanged file reads it without parsing the file (Engine.savedWithoutLoading): the warm-up call saves it, the timed calls read it; in a peer's folder nothing is written, so every call parses; "after one CLI write" is the folder after one \`entity set\` of a note (not a chart): the file adopted into the journal, .history written`,
    `the graph floors run in a fresh \`node -e\` on the same context file: read it, JSON.parse every line keeping them; the second also prints the graph as one JSON document, as graph --json does`,
  );
  return { title, detail, notes, checks };
}

/**
 * Runs `command` `runs` times (a process of its own each, not waited for in a blocking call)
 * while this process looks every 2 ms whether the lock folder is there: the medians of the time
 * it was there and of the command's wall time, and how many times it was taken in the last run.
 * The look costs a stat; a hold shorter than the look's interval may be missed.
 */
async function lockHeldDuring(command: Command, lockDir: string, runs: number): Promise<{ heldMs: number; wallMs: number; spans: number; failure?: string }> {
  const held: number[] = [];
  const walls: number[] = [];
  let spans = 0;
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const child = spawn(command.file, command.args, { cwd: command.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let since: number | undefined;
    let total = 0;
    let count = 0;
    const look = () => {
      const there = fs.existsSync(lockDir);
      const now = performance.now();
      if (there && since === undefined) since = now;
      else if (!there && since !== undefined) {
        total += now - since;
        count += 1;
        since = undefined;
      }
    };
    const timer = setInterval(look, 2);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearInterval(timer);
    look();
    if (since !== undefined) total += performance.now() - since;
    if (code !== 0) return { heldMs: 0, wallMs: 0, spans: 0, failure: `exit ${code}: ${stderr.slice(0, 200)}` };
    walls.push(performance.now() - started);
    held.push(total);
    spans = count;
  }
  return { heldMs: percentile(held, 50), wallMs: percentile(walls, 50), spans };
}

function floorName(floor: Timing | undefined): string {
  const label = floor?.command.label ?? '';
  if (label.startsWith('node -e 0')) return 'node -e 0';
  return label.includes('write them back') ? 'read+parse+write' : 'read+parse';
}

/** One writing command (an `entity set` of a note, not a chart): Tension Desk adopts the file into its journal. */
function adoptingWrite(node: string, cliEntry: string, dataDir: string, cwd: string, stdoutFile: string, charts: number): { note: string; failure: string | undefined } {
  const write = runOnce(
    { label: 'entity set', file: node, args: [cliEntry, 'entity', 'set', '--name', 'bench_cli_marker', '--type', 'note', '--obs', 'cli bench marker', '--data', dataDir], cwd },
    stdoutFile,
  );
  if (write.failure) return { note: `the adopting write at ${charts} charts failed: ${write.failure}`, failure: `the adopting write failed: ${write.failure}` };
  return {
    note: `the adopting write at ${charts} charts (entity set of a note; adopts the file, journals, rewrites the file): ${ms(write.ms)}; the folder then holds ${fileNames(dataDir)}`,
    failure: undefined,
  };
}
