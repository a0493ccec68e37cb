// The figures of the insights view as they cross the IPC contract and as `tension insights
// --json` prints them: plain JSON. Made by electron/core/insights/ (contextFigures.ts,
// chartFigures.ts); drawn by the renderer (renderer/components/InsightsView.tsx, ChartProgress.tsx).

/** One point of a time series: a UTC calendar day (for a weekly series, the week's Monday). */
export interface Point {
  readonly date: string;
  readonly value: number;
}

export interface StalledChart {
  readonly id: string;
  readonly context: string;
  readonly lastChange: string;
  readonly quietDays: number;
}

export interface StepTimes {
  /** Median days from a step's creation to its completion, over the weeks shown (null: none completed). */
  readonly medianDays: number | null;
  /** Completions with a known creation time, over the weeks shown. */
  readonly completions: number;
  /** The median per week, for weeks with completions. */
  readonly medianDaysPerWeek: readonly Point[];
}

export interface ContextInsights {
  /** The contexts these figures add up. */
  readonly contexts: readonly string[];
  readonly asOf: string;
  /** Weeks run from Monday, days are UTC calendar days. */
  readonly weeks: { readonly from: string; readonly to: string };
  readonly charts: { readonly live: number; readonly open: number; readonly complete: number };
  readonly steps: { readonly open: number; readonly done: number };
  readonly createdPerWeek: readonly Point[];
  readonly completedPerWeek: readonly Point[];
  /** Charts created by telescoping a step. */
  readonly telescopedPerWeek: readonly Point[];
  readonly stepsCompletedPerWeek: readonly Point[];
  readonly stepTimeToComplete: StepTimes;
  /** Steps past their due date and not done, at the end of each week (this week: today). */
  readonly overdueSteps: { readonly now: number; readonly perWeek: readonly Point[] };
  readonly stalled: { readonly days: number; readonly count: number; readonly charts: readonly StalledChart[] };
  readonly telescoping: { readonly maxDepth: number; readonly byDepth: readonly { readonly depth: number; readonly charts: number }[]; readonly deepest?: { readonly id: string; readonly context: string; readonly depth: number } };
  /** Edits whose effect could not be told (their line was not at hand): when not 0, some figures may be off by that much. */
  readonly unresolvedEdits: number;
}

export interface ChartInsights {
  readonly id: string;
  /** Where it is now (undefined: removed). */
  readonly context: string | undefined;
  /** Every context its history is in. */
  readonly contexts: readonly string[];
  readonly asOf: string;
  readonly created?: string;
  readonly lastChange?: string;
  readonly complete: boolean;
  /** Steps done and steps in all, at the end of each day they changed (and today). */
  readonly progress: { readonly done: readonly Point[]; readonly total: readonly Point[] };
  readonly realityUpdated: readonly string[];
  readonly dueDateMoves: readonly { readonly at: string; readonly from: string | null; readonly to: string | null }[];
  readonly completions: readonly { readonly at: string; readonly complete: boolean }[];
  readonly moves: readonly { readonly at: string; readonly from: string | null; readonly to: string | null }[];
  /** The chart with every chart telescoped from it, at any depth. */
  readonly subtree: {
    readonly charts: number;
    /** How many levels of sub-charts are below it (0: none). */
    readonly depth: number;
    readonly stepsCompletedPerWeek: readonly Point[];
    readonly stepTimeToComplete: StepTimes;
    readonly overdueSteps: { readonly now: number; readonly perWeek: readonly Point[] };
    readonly stalled: { readonly days: number; readonly count: number; readonly charts: readonly StalledChart[] };
  };
}
