// The facts a reader needs to weigh the figures: Node, CPU, memory, load, and the disk the
// benchmark wrote to (every figure in one run is measured on that same disk).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export function machineFacts(workDir: string): string[] {
  const cpus = os.cpus();
  const facts = [
    `node ${process.version} (${process.platform} ${os.release()}, ${process.arch})`,
    `cpu: ${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown'}; memory ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  ];
  try {
    const lines = execFileSync('df', ['-PT', workDir], { encoding: 'utf8' }).trim().split('\n');
    const [device, type, blocks, , available, , mount] = (lines[1] ?? '').split(/\s+/);
    facts.push(
      `disk: ${workDir} on ${device} (${type}, mounted at ${mount}, ${(Number(blocks) / 2 ** 20).toFixed(0)} GiB, ${(Number(available) / 2 ** 20).toFixed(0)} GiB free)`,
    );
  } catch (error) {
    facts.push(`disk: df failed (${(error as Error).message})`);
  }
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: workDir, encoding: 'utf8' }).trim();
    // The pathspec is the repository's electron/ (":/"), whatever folder under it the bench writes in.
    const dirty = execFileSync('git', ['status', '--porcelain', '--', ':/electron'], { cwd: workDir, encoding: 'utf8' }).trim();
    const changed = dirty === '' ? 0 : dirty.split('\n').length;
    facts.push(`engine measured: commit ${head}${changed > 0 ? ` plus uncommitted changes to ${changed} files under electron/` : ', electron/ unchanged'}`);
  } catch {
    facts.push('engine measured: not a git work tree');
  }
  const sameDisk = fs.statSync(workDir).dev === fs.statSync(os.tmpdir()).dev;
  facts.push(`os.tmpdir() ${os.tmpdir()} is ${sameDisk ? 'on the same' : 'on a different'} device; every figure below is measured in ${workDir}`);
  return facts;
}
