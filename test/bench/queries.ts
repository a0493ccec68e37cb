// What a person types into the search box of a big chart list: a word they remember from a
// step or an outcome (common or rare), two such words, the start of a word while typing, and
// the start of a chart's name (as copied from a tool's output).
import { QUERY_VOCABULARY } from './chartGenerator.ts';

export type QueryKind = 'one word' | 'two words' | 'word prefix' | 'name prefix';

export interface Query {
  readonly kind: QueryKind;
  readonly query: string;
}

export function searchQueries(chartIds: readonly string[]): Query[] {
  const { NOUNS, VERBS } = QUERY_VOCABULARY;
  const noun = (rank: number) => NOUNS[Math.min(rank, NOUNS.length - 1)] as string;
  const verb = (rank: number) => VERBS[Math.min(rank, VERBS.length - 1)] as string;
  const numeric = chartIds.filter((id) => /^chart_\d+$/.test(id));
  const worded = chartIds.filter((id) => /^chart_[a-z]+_/.test(id));
  const at = (list: readonly string[], fraction: number) => list[Math.floor(fraction * (list.length - 1))] ?? 'chart_missing';
  const idA = at(numeric, 0.37);
  const idB = at(worded, 0.61);
  return [
    // Zipf ranks: rank 0 is the most common noun (about 13% of noun picks), rank 150 among the rarest.
    { kind: 'one word', query: noun(0) },
    { kind: 'one word', query: noun(12) },
    { kind: 'one word', query: noun(60) },
    { kind: 'one word', query: noun(150) },
    { kind: 'two words', query: `${verb(0)} ${noun(0)}` },
    { kind: 'two words', query: `${verb(8)} ${noun(30)}` },
    { kind: 'two words', query: `${noun(3)} ${noun(90)}` },
    { kind: 'word prefix', query: noun(2).slice(0, 3) },
    { kind: 'word prefix', query: noun(40).slice(0, 4) },
    { kind: 'word prefix', query: `${verb(1)} ${noun(20).slice(0, 3)}` },
    // A full numeric id, its first digits (a time range of charts), a worded id's start.
    { kind: 'name prefix', query: `${idA}_` },
    { kind: 'name prefix', query: idA.slice(0, 'chart_'.length + 8) },
    { kind: 'name prefix', query: idB.split('_').slice(0, 3).join('_') },
  ];
}
