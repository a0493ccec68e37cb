// The backup schedule, the retention policy, restores, recently deleted and the recovery wizard
// on the command line, as a person (or the app's timer) runs them: `--now` moves the clock.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

// Periods are counted by the local clock: the tests pin it to UTC.
const env = { TZ: 'UTC' };
const tension = (args: string[]) => runCli(args, { env });

interface Listed {
  id: string;
  created: string;
  kind: string;
  kinds: string[];
  contexts: string[];
  bytes: number;
  newBytes: number;
  sharedBytes: number;
  verified: boolean | null;
}

function newRoot(): { data: string; base: string[] } {
  const data = path.join(tempDir(), '.coaia');
  return { data, base: ['--data', data] };
}

describe('tension backup due / list / policy', () => {
  it('takes each slot once per period, catches a missed one up once, lists kind, contexts, bytes and verification, and keeps what the policy says', () => {
    const { data, base } = newRoot();
    expect(tension(['chart', 'create', ...base, '--context', 'work', '--outcome', 'Ship billing', '--reality', '3 pilots', '--step', 'Automate']).status).toBe(0);
    const due = (now: string) => {
      const run = tension(['backup', 'due', ...base, '--now', now, '--json']);
      expect(run.status, run.stderr).toBe(0);
      return run.json<{ due: string[]; taken: Listed | null; pruned: string[] }>();
    };
    // Monday 2 March 2026: the first check takes every slot at once.
    expect(due('2026-03-02T09:00:00Z')).toMatchObject({ due: ['daily', 'weekly', 'monthly'], taken: { kind: 'monthly', kinds: ['daily', 'weekly', 'monthly'], contexts: ['work'], verified: true } });
    expect(due('2026-03-02T18:00:00Z')).toMatchObject({ due: [], taken: null });
    expect(due('2026-03-03T08:00:00Z')).toMatchObject({ due: ['daily'], taken: { kind: 'daily' } });
    // Off for nearly three weeks: one backup for every missed slot kind, not one per missed day.
    const caughtUp = due('2026-03-23T10:00:00Z');
    expect(caughtUp).toMatchObject({ due: ['daily', 'weekly'], taken: { kinds: ['daily', 'weekly'] } });
    expect(due('2026-03-23T11:00:00Z').taken).toBeNull();

    const list = tension(['backup', 'list', ...base, '--json']).json<{ backups: Listed[] }>().backups;
    expect(list.map((b) => [b.created, b.kind])).toEqual([
      ['2026-03-23T10:00:00.000Z', 'weekly'],
      ['2026-03-03T08:00:00.000Z', 'daily'],
      ['2026-03-02T09:00:00.000Z', 'monthly'],
    ]);
    for (const b of list) {
      expect(b.verified).toBe(true);
      expect(b.bytes).toBe(b.newBytes + b.sharedBytes);
    }
    // Nothing changed between the two March 2 backups' data and the next: what did not change is shared.
    expect(list[1]!.sharedBytes).toBeGreaterThan(0);
    // The plain copies under the specification's names, readable by any tool.
    const daily = fs.readFileSync(path.join(data, '.backup', 'charts-work-backup-daily.jsonl'), 'utf8');
    expect(daily).toBe(fs.readFileSync(path.join(data, 'charts-work.jsonl'), 'utf8'));
    expect(fs.existsSync(path.join(data, '.backup', 'charts-work-backup-weekly.jsonl'))).toBe(true);

    // A tighter policy: previewed first (nothing saved, nothing removed), then saved; the next check removes.
    const preview = tension(['backup', 'policy', ...base, '--keep-daily', '1', '--keep-weekly', '0', '--keep-monthly', '0', '--dry-run', '--now', '2026-03-23T12:00:00Z', '--json']);
    expect(preview.json()).toMatchObject({ saved: false, keep: 1, remove: 2, policy: { keepDaily: 1, keepWeekly: 0, keepMonthly: 0 } });
    expect(tension(['backup', 'list', ...base, '--json']).json<{ backups: Listed[] }>().backups).toHaveLength(3);
    expect(tension(['backup', 'policy', ...base, '--keep-daily', '1', '--keep-weekly', '0', '--keep-monthly', '0', '--json']).json()).toMatchObject({ saved: true });
    expect(tension(['backup', 'policy', ...base, '--json']).json()).toMatchObject({ policy: { keepDaily: 1, keepWeekly: 0, keepMonthly: 0 } });
    expect(due('2026-03-23T13:00:00Z')).toMatchObject({ taken: null, pruned: [list[1]!.id, list[2]!.id] });
    expect(tension(['backup', 'list', ...base, '--json']).json<{ backups: Listed[] }>().backups.map((b) => b.id)).toEqual([list[0]!.id]);

    const bad = tension(['backup', 'policy', ...base, '--keep-daily', 'seven']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--keep-daily must be a whole number/);
    expect(tension(['backup', 'due', ...base, '--now', 'tomorrow']).status).toBe(2);
  });
});

describe('tension backup preview / restore --chart, deleted / restore-deleted', () => {
  it('previews a chart beside today, restores it alone after a safety backup; lists what was deleted and puts it back', () => {
    const { base } = newRoot();
    const work = [...base, '--context', 'work'];
    const id = tension(['chart', 'create', ...work, '--outcome', 'Ship billing', '--reality', '3 pilots', '--step', 'Automate', '--step', 'Migrate']).stdout.trim();
    const other = tension(['chart', 'create', ...work, '--outcome', 'Hire a designer', '--reality', 'Nobody yet']).stdout.trim();
    const backup = tension(['backup', 'create', ...base, '--json']).json<{ id: string }>().id;
    expect(tension(['step', 'remove', `${id}_action_2`, ...work]).status).toBe(0);
    expect(tension(['outcome', 'set', other, ...work, '--text', 'Hire two designers']).status).toBe(0);

    const preview = tension(['backup', 'preview', backup, ...work, '--chart', id, '--json']).json<{ records: { added: number }; inBackup: { chart: { steps: unknown[] } }; today: { chart: { steps: unknown[] } } }>();
    expect(preview.records.added).toBeGreaterThan(0);
    expect([preview.inBackup.chart.steps.length, preview.today.chart.steps.length]).toEqual([2, 1]);
    const restored = tension(['backup', 'restore', backup, ...work, '--chart', id, '--json']);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.json<{ safetyBackup: string }>().safetyBackup).toMatch(/^\d{4}-/);
    const shown = (chart: string) => tension(['chart', 'show', chart, ...work, '--json']).json<{ chart: { desiredOutcome: string; steps: unknown[] } }>().chart;
    expect(shown(id).steps).toHaveLength(2);
    // The other chart was not touched by restoring this one.
    expect(shown(other).desiredOutcome).toBe('Hire two designers');

    expect(tension(['step', 'remove', `${id}_action_1`, ...work]).status).toBe(0);
    const deleted = tension(['deleted', ...base, '--json']).json<{ deleted: { id: string; kind: string; name: string; by: string; chart: { chart: { steps: unknown[] } } }[] }>().deleted;
    expect(deleted.map((d) => [d.kind, d.name, d.by])).toEqual([['step', `${id}_action_1`, 'the tension command']]);
    expect(deleted[0]!.chart.chart.steps).toHaveLength(2);
    const back = tension(['restore-deleted', deleted[0]!.id, ...base, '--json']);
    expect(back.status, back.stderr).toBe(0);
    expect(shown(id).steps).toHaveLength(2);
    expect(tension(['deleted', ...base, '--json']).json<{ deleted: unknown[] }>().deleted).toEqual([]);
    expect(tension(['restore-deleted', deleted[0]!.id, ...base]).status).toBe(3);
  });
});

describe('a backup whose manifest is damaged', () => {
  it('is reported by verify and backup verify (exit 1), not left out unseen', () => {
    const { data, base } = newRoot();
    expect(tension(['entity', 'set', ...base, '--name', 'A', '--type', 'note']).status).toBe(0);
    const first = tension(['backup', 'create', ...base, '--json']).json<{ id: string }>().id;
    expect(tension(['backup', 'create', ...base]).status).toBe(0);
    const manifest = path.join(data, '.backup', first, 'manifest.json');
    fs.writeFileSync(manifest, `x${fs.readFileSync(manifest, 'utf8').slice(1)}`);
    for (const command of [['verify'], ['backup', 'verify']]) {
      const run = tension([...command, ...base]);
      expect(run.status, command.join(' ')).toBe(1);
      expect(run.stdout, command.join(' ')).toContain(`${first}: its manifest.json is missing or damaged`);
    }
  });
});

describe('pruning relies on the newest verified backup', () => {
  it('verified again first: damaged since its check, it is not the one kept while the intact older one goes', () => {
    const { data, base } = newRoot();
    const created = () => tension(['backup', 'create', ...base, '--json']).json<{ id: string; files: { path: string; chunks: { sha256: string }[] }[] }>();
    expect(tension(['entity', 'set', ...base, '--name', 'a', '--type', 'note', '--obs', 'one']).status).toBe(0);
    const older = created();
    expect(tension(['entity', 'set', ...base, '--name', 'b', '--type', 'note', '--obs', 'two']).status).toBe(0);
    const newer = created();
    // A piece only the newer backup holds, damaged after its check said "verified".
    const piece = newer.files.find((f) => f.path === 'charts.jsonl')?.chunks[0]?.sha256 as string;
    const object = path.join(data, '.backup', 'objects', piece.slice(0, 2), piece);
    const bytes = fs.readFileSync(object);
    bytes[0] = (bytes[0] as number) ^ 0xff;
    fs.writeFileSync(object, bytes);
    expect(tension(['backup', 'policy', ...base, '--keep-daily', '1', '--keep-weekly', '0', '--keep-monthly', '0']).status).toBe(0);
    expect(tension(['health', 'free-space', ...base]).status).toBe(0);
    const left = tension(['backup', 'list', ...base, '--json']).json<{ backups: { id: string }[] }>().backups.map((b) => b.id);
    expect(left).toContain(older.id);
    expect(tension(['backup', 'verify', older.id, ...base]).status).toBe(0);
  });
});

describe('tension recover analyze / repair', () => {
  it('reports each damaged line and where its record comes from, then repairs after a backup of the damaged state', () => {
    const { data, base } = newRoot();
    const work = [...base, '--context', 'work'];
    expect(tension(['entity', 'set', ...work, '--name', 'A', '--type', 'note', '--obs', 'kept']).status).toBe(0);
    expect(tension(['entity', 'set', ...work, '--name', 'B', '--type', 'note', '--obs', 'also kept']).status).toBe(0);
    const file = path.join(data, 'charts-work.jsonl');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"also kept"', '"also \u0000kept'));
    const analysis = tension(['recover', 'analyze', ...work, '--json']);
    expect(analysis.status).toBe(1);
    const [found] = analysis.json<{ contexts: { needsChoice: boolean; damagedLines: { offset: number; text: string; affected: { label: string; source: { from: string } }[] }[] }[] }>().contexts;
    expect(found!.needsChoice).toBe(false);
    expect(found!.damagedLines[0]).toMatchObject({ text: expect.stringContaining('\\u0000'), affected: [{ label: 'B', source: { from: 'journal' } }] });
    const repair = tension(['recover', 'repair', ...work, '--json']);
    expect(repair.status, repair.stderr).toBe(0);
    expect(repair.json()).toMatchObject({ ok: true, action: 'repair', matchesPreview: true, verified: { ok: true }, safetyBackup: expect.any(String) });
    expect(tension(['recover', 'analyze', ...work]).status).toBe(0);
    expect(tension(['graph', ...work, '--json']).json<{ entities: { name: string }[] }>().entities.map((e) => e.name)).toEqual(['A', 'B']);
  });

  it('a damaged line naming a record the journal lacks is not taken for one it holds, when another record is missing from the file', () => {
    const { data, base } = newRoot();
    const work = [...base, '--context', 'work'];
    for (const name of ['A', 'B', 'C']) expect(tension(['entity', 'set', ...work, '--name', name, '--type', 'note', '--obs', `${name} kept`]).status).toBe(0);
    // Another program drops C and appends a record of its own, with a byte that is not UTF-8.
    const file = path.join(data, 'charts-work.jsonl');
    const kept = fs.readFileSync(file, 'utf8').split('\n').filter((line) => line !== '' && !line.includes('"name":"C"'));
    fs.writeFileSync(file, Buffer.concat([Buffer.from(`${kept.join('\n')}\n{"type":"entity","name":"peerX","entityType":"note","observations":["theirs `), Buffer.from([0xff]), Buffer.from('"]}\n')]));
    const analysis = tension(['recover', 'analyze', ...work, '--json']).json<{ contexts: { needsChoice: boolean; damagedLines: { affected: { label: string; source: { from: string } }[] }[] }[] }>().contexts[0];
    expect(analysis?.damagedLines[0]?.affected).toEqual([expect.objectContaining({ label: 'peerX', source: { from: 'nowhere' } })]);
    expect(analysis?.needsChoice).toBe(true);
    const repair = tension(['recover', 'repair', ...work]);
    expect(repair.status).toBe(1);
    expect(repair.stdout).toContain('NOT RECOVERED');
    expect(fs.readFileSync(path.join(data, '.recovery', 'found-in-damaged-lines.jsonl'), 'utf8')).toContain('peerX');
  });

  it("a damaged journal entry's record the context file lacks comes back from a backup, or is reported NOT RECOVERED (exit 1)", () => {
    for (const withBackup of [true, false]) {
      const { data, base } = newRoot();
      const work = [...base, '--context', 'work'];
      for (const name of ['A', 'B', 'C']) expect(tension(['entity', 'set', ...work, '--name', name, '--type', 'note', '--obs', `${name} kept`]).status).toBe(0);
      if (withBackup) expect(tension(['backup', 'create', ...base]).status).toBe(0);
      // B's journal entry damaged (its checksum no longer matches), and the context file gone.
      const journal = path.join(data, '.history', 'charts-work.journal.jsonl');
      fs.writeFileSync(journal, fs.readFileSync(journal, 'utf8').replace('"B kept"', '"B kepX"'));
      fs.rmSync(path.join(data, 'charts-work.jsonl'));
      const repair = tension(['recover', 'repair', ...work]);
      const names = tension(['graph', ...work, '--json']).json<{ entities: { name: string }[] }>().entities.map((e) => e.name).sort();
      if (withBackup) {
        expect(repair.status, repair.stdout + repair.stderr).toBe(0);
        expect(names).toEqual(['A', 'B', 'C']);
      } else {
        expect(repair.status).toBe(1);
        expect(repair.stdout).toContain('NOT RECOVERED: charts-work.journal.jsonl');
        expect(repair.stdout).toContain('named B');
        expect(names).toEqual(['A', 'C']);
      }
    }
  });

  it('--leave changes nothing on disk, as its log line says (a writable open rewrote the file and moved the damaged line aside)', () => {
    const { data, base } = newRoot();
    const work = [...base, '--context', 'work'];
    expect(tension(['entity', 'set', ...work, '--name', 'A', '--type', 'note', '--obs', 'kept']).status).toBe(0);
    const file = path.join(data, 'charts-work.jsonl');
    // A line another program wrote, that nothing else holds, damaged by a byte that is not UTF-8.
    fs.appendFileSync(file, Buffer.concat([Buffer.from('{"type":"entity","name":"peerX","entityType":"note","observations":["hand-written '), Buffer.from([0xff]), Buffer.from(' important"]}\n')]));
    const before = fs.readFileSync(file);
    const left = tension(['recover', 'repair', ...work, '--leave', '--json']);
    expect(left.status, left.stderr).toBe(0);
    expect(left.json()).toMatchObject({ action: 'leave', verified: { ok: false } });
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(path.join(data, '.recovery')).filter((name) => name.endsWith('.bad'))).toEqual([]);
    expect(fs.readFileSync(path.join(data, '.recovery', fs.readdirSync(path.join(data, '.recovery')).find((name) => name.endsWith('.log')) as string), 'utf8')).toContain('left as it is by choice');
  });
});
