// The product's domain as both sides see it: structural tension charts (Robert Fritz) read
// from the knowledge-graph records the COAIA servers write. Pure TypeScript: no Node, no DOM.

export interface ActionStep {
  /** Entity name, e.g. `chart_1771269081608_action_2` (also `_action2` from coaia-spiral). */
  readonly name: string;
  /** The number in the name (`_action_<n>`). */
  readonly number: number;
  readonly title: string;
  /** Observations after the title. */
  readonly notes: readonly string[];
  readonly dueDate?: string;
  readonly completed: boolean;
  /** Position among the chart's steps when someone ordered them by hand. */
  readonly position?: number;
  /** The sub-chart this step was telescoped into, if any. */
  readonly telescopedInto?: string;
  /** The step's version as read (charts.tree): an edit naming it is refused if the step changed since. */
  readonly version?: string;
}

/**
 * Versions of a chart's parts as read (charts.tree): the CRC-32 of their exact lines. An edit
 * sent with `ifVersion` is refused (CONFLICT, nothing changed) when its part changed since.
 */
export interface ChartVersions {
  /** Every record of the chart itself: for the due date, a new step, a move, removing the chart. */
  readonly chart: string;
  readonly outcome: string;
  readonly reality: string;
}

export interface Chart {
  readonly id: string;
  readonly context: string;
  readonly desiredOutcome: string;
  readonly currentReality: readonly string[];
  /** Observations of the `_chart` entity (creation note, dated due-date notes…). */
  readonly notes: readonly string[];
  readonly dueDate?: string;
  readonly level: number;
  readonly parentChart?: string;
  readonly parentActionStep?: string;
  /** Steps in display order: by position when set, else by number. */
  readonly steps: readonly ActionStep[];
  /** The desired outcome itself is marked complete. */
  readonly outcomeCompleted: boolean;
  /** Complete only when the desired outcome is, or every step is (and there is one). */
  readonly complete: boolean;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  /** Present when read for editing (charts.tree, chart show); absent for a past version. */
  readonly versions?: ChartVersions;
}

export interface ChartSummary {
  readonly id: string;
  readonly context: string;
  readonly desiredOutcome: string;
  readonly dueDate?: string;
  readonly level: number;
  readonly parentChart?: string;
  readonly complete: boolean;
  readonly stepsDone: number;
  readonly stepsTotal: number;
  readonly updatedAt?: string;
}

export interface ChartTree {
  readonly chart: Chart;
  /** Sub-charts, each under the step it was telescoped from. */
  readonly children: readonly ChartTree[];
}

export interface NewChart {
  readonly outcome: string;
  readonly reality: string | readonly string[];
  readonly dueDate?: string;
  readonly steps?: readonly (string | { readonly title: string; readonly dueDate?: string })[];
}

export type ChartOrigin = 'app' | 'cli' | 'mcp' | 'external' | 'import' | 'recover' | 'restore' | 'upgrade';

/** What one version changed in a record: observations added and removed, fields set or removed. */
export interface RecordChange {
  readonly observationsAdded?: readonly unknown[];
  readonly observationsRemoved?: readonly unknown[];
  /** Top-level fields and `metadata.<key>` entries now set to these values. */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Top-level fields and `metadata.<key>` entries removed. */
  readonly removed?: readonly string[];
}

/** One change to one part of a chart, from the journal. */
export interface ChartHistoryEntry {
  readonly seq: number;
  readonly ts: string;
  readonly origin: ChartOrigin;
  readonly tx: string;
  readonly note?: string;
  /** The part's entity name or relation ("A -[type]-> B"). */
  readonly part: string;
  readonly action: 'set' | 'delete';
  /** The part as it was from this version on (absent for a removal, and for a part over 64 KB). */
  readonly value?: Record<string, unknown>;
  /** What this version changed in the part (absent when it made or removed it). */
  readonly changed?: RecordChange;
  /** Another program's change seen in the context file but not yet saved in the journal (a reader cannot write). */
  readonly pending?: true;
  /** The context this version was in, when the chart was moved since (its `seq` is then below 1: earlier than every version in its current context). */
  readonly context?: string;
}

export const STRUCTURAL_TENSION_CHART = 'structural_tension_chart';
export const DESIRED_OUTCOME = 'desired_outcome';
export const CURRENT_REALITY = 'current_reality';
export const ACTION_STEP = 'action_step';

/** The prefix "Completed: " a completed step leaves in its chart's current reality. */
export const completedNote = (stepTitle: string) => `Completed: ${stepTitle}`;
