// The chart a first-time user can create with one click, to see the idea at work: a desired
// outcome, an honest current reality, and the steps between them.
import type { ChannelInput } from '../../shared/contract.ts';

export function sampleChart(context: string, today = new Date()): ChannelInput<'charts.create'> {
  const inWeeks = (weeks: number) => new Date(today.getTime() + weeks * 7 * 86_400_000).toISOString().slice(0, 10);
  return {
    context,
    outcome: 'Run 10 km without stopping',
    reality: ['I can run 3 km before I have to walk', 'I run once a week, when the weather is good'],
    dueDate: inWeeks(12),
    steps: [
      { title: 'Run three times a week, whatever the weather', dueDate: inWeeks(2) },
      { title: 'Add one kilometre every week', dueDate: inWeeks(8) },
      { title: 'Run 8 km without stopping', dueDate: inWeeks(10) },
    ],
  };
}
