// A peer's lost race judged by a process that did not see it happen: each of our writes is a
// fresh `tension` CLI process (as a person or a script runs it), the peers are the real
// reference server and a writer that rewrites the file from a copy it read earlier. The
// judgement must come from the journal, not from any one process's memory (issue 7).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';
import { MemoryServer } from './memoryServerClient.ts';
import { entityLine, peerText, peerWriteAndRename } from './peerFiles.ts';

const servers: MemoryServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  removeTempDirs();
});

function cli(data: string, ...args: string[]) {
  const run = runCli([...args, '--data', data]);
  expect(run.status, run.stderr).toBe(0);
  return run;
}

const names = (data: string) => (JSON.parse(cli(data, 'graph', '--json').stdout) as { entities: { name: string }[] }).entities.map((e) => e.name).sort();

describe("a peer's lost race, judged by fresh CLI processes", () => {
  it('a peer that read the file before our last rewrite does not delete what it added, though the reference server stripped all metadata in between', async () => {
    const data = path.join(tempDir('tension-lostrace-'), '.coaia');
    fs.mkdirSync(data);
    const file = path.join(data, 'charts.jsonl');
    cli(data, 'entity', 'set', '--name', 'A', '--type', 'concept', '--obs', 'ours', '--meta', '{"chartId":"chart_a"}');

    // The reference server adds X (and writes every record back without metadata).
    const server = await MemoryServer.start(file);
    servers.push(server);
    await server.createEntities([{ name: 'X', entityType: 'concept', observations: ['the server'] }]);
    const peerCopy = fs.readFileSync(file, 'utf8');

    // Our next write (a new process): it takes in X, puts A's metadata back, adds K.
    cli(data, 'entity', 'set', '--name', 'K', '--type', 'concept', '--obs', 'ours, after the server wrote');
    expect(fs.readFileSync(file, 'utf8')).toContain('"K"');

    // A peer that read the file before that rewrite now writes its copy plus Y: it never saw K.
    peerWriteAndRename(file, peerText([...peerCopy.split('\n'), entityLine('Y', 'concept', ['the late peer'])]));

    // Yet another fresh process writes; then a reader looks.
    cli(data, 'entity', 'set', '--name', 'B', '--type', 'concept', '--obs', 'ours, later');
    expect(names(data)).toEqual(['A', 'B', 'K', 'X', 'Y']);
    // A's metadata survived the server's rewrite.
    const graph = JSON.parse(fs.readFileSync(file, 'utf8').split('\n').find((line) => line.includes('"name":"A"')) as string) as { metadata: unknown };
    expect(graph.metadata).toEqual({ chartId: 'chart_a' });
  });

  it('the same peer deleting a record it had seen long before is honoured, in a fresh process too', async () => {
    const data = path.join(tempDir('tension-lostrace-'), '.coaia');
    fs.mkdirSync(data);
    const file = path.join(data, 'charts.jsonl');
    cli(data, 'entity', 'set', '--name', 'A', '--type', 'concept', '--obs', 'ours');
    const server = await MemoryServer.start(file);
    servers.push(server);
    await server.createEntities([{ name: 'X', entityType: 'concept', observations: ['the server'] }]);
    cli(data, 'entity', 'set', '--name', 'K', '--type', 'concept', '--obs', 'ours');
    await server.createEntities([{ name: 'Z', entityType: 'concept', observations: ['the server, later'] }]);
    // The server saw A, X, K and Z; it deletes A (ours) and X (its own, written long before).
    await server.deleteEntities(['A', 'X']);
    expect(names(data)).toEqual(['K', 'Z']);
  });

  it("reading commands show another program's change they may not journal: graph as a writer would, history as pending", async () => {
    const data = path.join(tempDir('tension-lostrace-'), '.coaia');
    fs.mkdirSync(data);
    const file = path.join(data, 'charts.jsonl');
    cli(data, 'entity', 'set', '--name', 'A', '--type', 'concept', '--obs', 'ours', '--meta', '{"chartId":"chart_a"}');
    const server = await MemoryServer.start(file);
    servers.push(server);
    await server.addObservations([{ entityName: 'A', contents: ['added by the server'] }]);
    const journal = path.join(data, '.history', 'charts.journal.jsonl');
    const journalBefore = fs.readFileSync(journal);

    const history = JSON.parse(cli(data, 'history', '--name', 'A', '--json').stdout) as { versions: { origin: string; pending?: boolean; value?: { observations: string[]; metadata?: unknown } }[] };
    const last = history.versions.at(-1);
    expect(last).toMatchObject({ origin: 'external', pending: true });
    // As a writer would make it: the server's observation, our metadata kept.
    expect(last?.value).toMatchObject({ observations: ['ours', 'added by the server'], metadata: { chartId: 'chart_a' } });
    const graph = JSON.parse(cli(data, 'graph', '--json').stdout) as { entities: { name: string; observations: string[] }[] };
    expect(graph.entities.find((e) => e.name === 'A')?.observations).toEqual(['ours', 'added by the server']);
    // Reading wrote nothing.
    expect(fs.readFileSync(journal).equals(journalBefore)).toBe(true);

    // The next writer journals it; history then shows it as saved, once.
    cli(data, 'entity', 'set', '--name', 'B', '--type', 'concept');
    const after = JSON.parse(cli(data, 'history', '--name', 'A', '--json').stdout) as { versions: { origin: string; pending?: boolean }[] };
    expect(after.versions.filter((v) => v.origin === 'external')).toHaveLength(1);
    expect(after.versions.some((v) => v.pending)).toBe(false);
  });
});
