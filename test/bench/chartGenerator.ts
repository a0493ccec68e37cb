// Realistic context files for the benchmark: charts in the COAIA shape (PEERS.md), the same
// bytes for the same seed so two runs measure the same data. A chart is its `_chart`,
// `_desired_outcome`, `_current_reality` and 3-5 `_action_<n>` entities with metadata, tied by
// `contains`, `creates_tension_with` and `advances_toward` relations (about 2 KB a chart, as
// the 10k-chart file of 20.6 MB in PEERS.md); about one chart in ten
// is telescoped from an earlier chart's step. Observations are sentences over a vocabulary
// drawn with a Zipf-like skew, so some words are common and most are rare, as in real notes.
import fs from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../helpers/seededRandom.ts';

/** The same seed gives the same file. */
export const prng = seededRandom;

const VERBS = (
  'automate write ship draft review publish migrate refactor document outline test measure interview prototype schedule ' +
  'negotiate hire train plan design record edit launch fix deploy archive analyse summarise estimate budget invoice ' +
  'onboard audit compare prepare clean organise sketch benchmark validate release announce update call email visit ' +
  'practise read study rehearse paint build repair order install configure simplify translate'
).split(' ');

const NOUNS = (
  'invoice billing service customer report chapter guide garden kitchen website newsletter podcast album course ' +
  'workshop budget roadmap backlog release database dashboard pipeline contract proposal portfolio manuscript ' +
  'exhibition studio workflow onboarding documentation tests api schema migration deployment server cluster ' +
  'savings mortgage pension marathon training diet sleep meditation journal habit routine family holiday wedding ' +
  'garage bicycle piano guitar novel essay thesis lecture seminar grant application interview resume network ' +
  'community volunteer fundraiser campaign brand logo pricing subscription retention churn feedback survey research ' +
  'prototype sketchbook recipe harvest compost greenhouse beehive orchard library archive inventory warehouse supplier ' +
  'shipment forecast quarter objective milestone sprint review retrospective architecture security backup recovery ' +
  'accessibility translation localisation support ticket escalation policy handbook mentoring coaching'
).split(' ');

const ADJECTIVES = (
  'first new weekly monthly quarterly final shared public private automated manual reliable simple complete ' +
  'detailed small large remote local early late steady calm clear honest realistic ambitious'
).split(' ');

const PEOPLE = 'Ana Ben Chen Dara Eli Fatima Gus Hana Ivan Jo Kai Lena Mo Nia Omar Pia Raj Sol Tess Uma Vik Wen Yara Zoe'.split(' ');

const CONTEXT_WORDS = 'work personal home studio team family health money writing music garden research'.split(' ');

/** Zipf-like pick: index i with weight 1/(i+1). */
function zipf(list: readonly string[], random: () => number): string {
  const n = list.length;
  // Inverse of the continuous approximation of the harmonic CDF.
  const index = Math.floor(Math.exp(random() * Math.log(n + 1))) - 1;
  return list[Math.min(Math.max(index, 0), n - 1)] as string;
}

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)] as T;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const START = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;

export interface GeneratedFile {
  readonly charts: number;
  readonly bytes: number;
  readonly lines: number;
  /** Chart ids in file order (for queries and lookups). */
  readonly sampleIds: string[];
}

class Writer {
  private chunk = '';
  bytes = 0;
  lines = 0;
  constructor(private readonly fd: number) {}
  line(value: Record<string, unknown>): void {
    const text = `${JSON.stringify(value)}\n`;
    this.chunk += text;
    this.lines += 1;
    if (this.chunk.length > 1 << 20) this.drain();
  }
  drain(): void {
    if (this.chunk.length === 0) return;
    const data = Buffer.from(this.chunk, 'utf8');
    let offset = 0;
    while (offset < data.length) offset += fs.writeSync(this.fd, data, offset, data.length - offset);
    this.bytes += data.length;
    this.chunk = '';
  }
}

/** Writes `charts` charts to `file` (replacing it). Deterministic for a given seed. */
export function writeChartFile(file: string, charts: number, seed = 20250916): GeneratedFile {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const random = prng(seed);
  const fd = fs.openSync(file, 'w');
  const out = new Writer(fd);
  const sampleIds: string[] = [];
  const recentSteps: { chartId: string; step: string }[] = [];
  let clock = Date.UTC(2025, 8, 16, 8, 10);
  try {
    for (let c = 0; c < charts; c += 1) {
      clock += 1 + Math.floor(random() * 600_000);
      const roll = random();
      const chartId =
        roll < 0.7
          ? `chart_${clock}`
          : roll < 0.85
            ? `chart_${pick(CONTEXT_WORDS, random)}_${zipf(NOUNS, random)}_${c.toString(36)}`
            : `chart_${Math.floor(random() * 0xffffffff).toString(16).padStart(8, '0')}${c.toString(16)}`;
      if (c % Math.max(1, Math.floor(charts / 64)) === 0) sampleIds.push(chartId);
      writeChart(out, random, chartId, clock, recentSteps);
    }
    out.drain();
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { charts, bytes: out.bytes, lines: out.lines, sampleIds };
}

function sentence(random: () => number, words: number): string {
  const parts = [zipf(VERBS, random)];
  for (let i = 1; i < words; i += 1) {
    const r = random();
    parts.push(r < 0.25 ? pick(ADJECTIVES, random) : r < 0.3 ? pick(PEOPLE, random) : zipf(NOUNS, random));
  }
  return capitalise(parts.join(' '));
}

function writeChart(out: Writer, random: () => number, chartId: string, clock: number, recentSteps: { chartId: string; step: string }[]): void {
  const createdAt = new Date(clock).toISOString();
  const updatedAt = new Date(clock + Math.floor(random() * 30 * DAY)).toISOString();
  const due = START + Math.floor(random() * 730) * DAY;
  const dueDate = random() < 0.5 ? isoDay(due) : new Date(due + Math.floor(random() * DAY)).toISOString();
  const parent = recentSteps.length > 0 && random() < 0.1 ? pick(recentSteps, random) : undefined;
  const chartMeta: Record<string, unknown> = { chartId, dueDate, level: parent ? 1 : 0, createdAt, updatedAt };
  if (parent) {
    chartMeta.parentChart = parent.chartId;
    chartMeta.parentActionStep = parent.step;
  }
  const outcome = `${sentence(random, 3 + Math.floor(random() * 4))} by ${isoDay(due)}`;
  out.line({ type: 'entity', name: `${chartId}_chart`, entityType: 'structural_tension_chart', observations: [`Chart created on ${createdAt}`], metadata: chartMeta });
  out.line({ type: 'entity', name: `${chartId}_desired_outcome`, entityType: 'desired_outcome', observations: [outcome], metadata: { chartId, dueDate } });

  const stepCount = 3 + Math.floor(random() * 3);
  const steps: { name: string; text: string; done: boolean }[] = [];
  for (let n = 1; n <= stepCount; n += 1) {
    steps.push({ name: `${chartId}_action_${n}`, text: sentence(random, 2 + Math.floor(random() * 3)), done: random() < 0.3 });
  }
  const reality = [sentence(random, 4 + Math.floor(random() * 4))];
  if (random() < 0.3) reality.push(`${pick(PEOPLE, random)} has ${zipf(NOUNS, random)} notes only`);
  for (const step of steps) if (step.done) reality.push(`Completed: ${step.text}`);
  out.line({ type: 'entity', name: `${chartId}_current_reality`, entityType: 'current_reality', observations: reality, metadata: { chartId } });

  for (const step of steps) {
    const stepDue = isoDay(clock + Math.floor(random() * 90 * DAY));
    const observations = [step.text];
    if (!step.done && random() < 0.2) observations.push(random() < 0.5 ? 'Actively updating' : `Waiting on ${pick(PEOPLE, random)}`);
    out.line({ type: 'entity', name: step.name, entityType: 'action_step', observations, metadata: { chartId, dueDate: stepDue, completionStatus: step.done } });
    recentSteps.push({ chartId, step: step.name });
    if (recentSteps.length > 50) recentSteps.shift();
  }
  const relationMeta = { createdAt };
  out.line({ type: 'relation', from: `${chartId}_chart`, to: `${chartId}_desired_outcome`, relationType: 'contains', metadata: relationMeta });
  out.line({ type: 'relation', from: `${chartId}_current_reality`, to: `${chartId}_desired_outcome`, relationType: 'creates_tension_with', metadata: relationMeta });
  for (const step of steps) {
    out.line({ type: 'relation', from: step.name, to: `${chartId}_desired_outcome`, relationType: 'advances_toward' });
  }
}

/** The words a user would type: a common and a rarer observation word, two words, a chart-name prefix. */
export const QUERY_VOCABULARY = { VERBS, NOUNS, ADJECTIVES, PEOPLE, CONTEXT_WORDS };
