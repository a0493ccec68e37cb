// A writer in coaia-spiral's manner (no lock, whole-file rewrite in place): it reads the context
// file, keeps every entity and relation as it is (metadata included), adds one entity, and
// writes the file back with a `# COAIA Charts for <context> context` comment on top and no
// final newline. One JSON line per acknowledged write. Stops on "stop" from stdin.
import fs from 'node:fs/promises';
import readline from 'node:readline';

interface SpiralConfig {
  readonly file: string;
  readonly context: string;
  readonly prefix: string;
  readonly intervalMs: number;
}

const config = JSON.parse(process.env.RACE_SPIRAL ?? '{}') as SpiralConfig;
const say = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function load(): Promise<Record<string, unknown>[]> {
  let text = '';
  try {
    text = await fs.readFile(config.file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const items: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const item = JSON.parse(trimmed) as Record<string, unknown>;
    if (item.type === 'entity' || item.type === 'relation') items.push(item);
  }
  return items;
}

async function main(): Promise<void> {
  let stopping = false;
  const commands = readline.createInterface({ input: process.stdin });
  commands.on('line', (line) => {
    if (line.trim() === 'stop') stopping = true;
  });
  say({ t: 'ready' });
  for (let i = 1; !stopping; i += 1) {
    try {
      const items = await load();
      const name = `${config.prefix}_${i}`;
      items.push({ type: 'entity', name, entityType: 'concept', observations: [`written by the spiral-style writer, ${i}`], metadata: { context: config.context, createdAt: new Date().toISOString() } });
      const entities = items.filter((item) => item.type === 'entity');
      const relations = items.filter((item) => item.type === 'relation');
      const lines = [`# COAIA Charts for ${config.context} context`, ...[...entities, ...relations].map((item) => JSON.stringify(item))];
      await fs.writeFile(config.file, lines.join('\n'));
      say({ t: 'ack', name });
    } catch (error) {
      // A file read while another writer was half-way through its write: what the real tool does too.
      say({ t: 'error', message: String(error) });
    }
    await sleep(config.intervalMs);
  }
  // stdin would keep the process alive.
  commands.close();
  process.stdin.destroy();
  say({ t: 'closed' });
}

main().catch((error: unknown) => {
  say({ t: 'fatal', message: String(error) });
  process.exitCode = 1;
});
