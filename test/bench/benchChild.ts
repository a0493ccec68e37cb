// Runs one measurement in a fresh Node process (tsx loads the script) and reads back the one
// line it prints, `BENCH_RESULT {json}`: each figure then holds only that process's own work.
import { spawn } from 'node:child_process';

export function runBenchChild<T>(script: string, task: unknown, options: { cwd: string; nodeArgs?: readonly string[]; timeoutMs?: number }): Promise<{ result?: T; failure?: string }> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script, JSON.stringify(task)], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15 * 60_000);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code === 0 && line) resolve({ result: JSON.parse(line.slice('BENCH_RESULT '.length)) as T });
      else {
        const tail = stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(-3).join(' | ');
        resolve({ failure: `child ${signal ? `killed by ${signal}` : `exited ${code}`}: ${tail.slice(0, 300)}` });
      }
    });
  });
}
