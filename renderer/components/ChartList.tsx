// The chart list of the context chosen (or of all contexts, or the search hits): sorted by
// due date or last change, filtered open/complete, virtualized. Arrow keys move, Enter opens.
// A search says how many charts matched in all, and offers more. A sub-chart's row names the
// chart it belongs to (nine "↳" rows for one tree say nothing). Before the whole list is read,
// its first rows show (charts.firstRows), with the whole list's count.
import { useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import type { ChartSummary } from '../../shared/domain.ts';
import { SEARCH_LIMIT_MAX } from '../stores/chartsStore.ts';
import { visibleCharts, type ChartFilter, type ChartSort } from '../model/visibleCharts.ts';
import { parentOutcomes } from '../model/parentOutcomes.ts';
import { formatDay, isOverdue } from '../model/dates.ts';
import { shortTitle } from '../model/shortTitle.ts';
import { useStores } from './StoresProvider.tsx';
import { VirtualList } from './VirtualList.tsx';
import { useChartRowActions } from './useChartRowActions.tsx';

const count = (n: number) => n.toLocaleString('en');

export const ROW_HEIGHT = 52;

export function ChartList() {
  const { charts, selection } = useStores();
  const summaries = useStore(charts, (s) => s.summaries);
  const hits = useStore(charts, (s) => s.hits);
  const found = useStore(charts, (s) => s.found);
  const searchLimit = useStore(charts, (s) => s.searchLimit);
  const sort = useStore(charts, (s) => s.sort);
  const filter = useStore(charts, (s) => s.filter);
  const loaded = useStore(charts, (s) => s.loaded);
  const scope = useStore(charts, (s) => s.scope);
  const firstRows = useStore(charts, (s) => s.firstRows);
  const open = useStore(selection, (s) => s.open);
  // Until the whole list is here, its first rows when they are of the sort and filter shown.
  const first = !loaded && !hits && firstRows?.sort === sort && firstRows.filter === filter ? firstRows : null;
  const items = first ? first.rows : visibleCharts({ summaries, hits, sort, filter });
  const [active, setActive] = useState(0);
  // Each chart's desired outcome by context and id, for a sub-chart's row to name its parent.
  const outcomes = parentOutcomes(summaries);
  const parentOf = (c: ChartSummary) => (c.parentChart ? (first?.parents.get(c) ?? outcomes.get(c.context)?.get(c.parentChart)) : undefined);

  const openChart = (c: ChartSummary) => void selection.getState().select({ context: c.context, id: c.id });
  // Picking several (Ctrl/Shift), dragging onto a context, the context menu (issue 12).
  const rows = useChartRowActions(items);

  function onKey(event: KeyboardEvent<HTMLDivElement>) {
    if (event.target !== event.currentTarget) return;
    if (event.key === 'ArrowDown') setActive((i) => Math.min(items.length - 1, i + 1));
    else if (event.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
    else if (event.key === 'Home') setActive(0);
    else if (event.key === 'End') setActive(items.length - 1);
    else if (event.key === 'Enter' && items[active]) openChart(items[active]);
    else if ((event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey)) && items[active]) rows.openMenu(items[active], 200, 160);
    else return;
    event.preventDefault();
  }

  const current = Math.min(active, items.length - 1);
  // Nothing is counted before the list (or its first rows) is read: "0 in all contexts" would
  // say the charts are gone while a large file is still being read.
  let countText = '';
  if (hits && found) {
    countText = hits.length < found.total ? `${count(hits.length)} of ${count(found.total)} shown: refine the search, or show more` : `${count(found.total)} found in all contexts`;
  } else if (loaded || first) {
    const rest = first && first.total > items.length ? `, the first ${count(items.length)} shown ${first.restFailed ? '(the rest could not be read)' : 'while the rest is read'}` : '';
    countText = `${count(first ? first.total : items.length)} ${scope === null ? 'in all contexts' : `in ${scope}`}${rest}`;
  }
  return (
    <section className="chart-list" aria-label="Charts">
      <div className="list-toolbar">
        <label>
          Sort
          <select value={sort} onChange={(e) => charts.getState().setSort(e.target.value as ChartSort)} disabled={hits !== null}>
            <option value="due">by due date</option>
            <option value="updated">by last change</option>
          </select>
        </label>
        <label>
          Show
          <select value={filter} onChange={(e) => charts.getState().setFilter(e.target.value as ChartFilter)}>
            <option value="open">open</option>
            <option value="complete">complete</option>
            <option value="all">all</option>
          </select>
        </label>
        <span className="list-count" data-testid="list-count" aria-live="polite">
          {countText}
        </span>
        {hits && found && hits.length < found.total && searchLimit < SEARCH_LIMIT_MAX && (
          <button type="button" className="link" onClick={() => void charts.getState().showMore()}>
            Show more
          </button>
        )}
      </div>
      {!loaded && items.length === 0 && !hits ? <p className="muted list-empty">Loading charts…</p> : null}
      {loaded && items.length === 0 ? <p className="muted list-empty">{hits ? 'Nothing matches.' : 'No charts here yet. Press N to create one.'}</p> : null}
      <div className="list-focus" tabIndex={0} onKeyDown={onKey} aria-activedescendant={items[current] ? `row-${items[current].context}-${items[current].id}` : undefined} data-testid="chart-list">
        <VirtualList
          items={items}
          rowHeight={ROW_HEIGHT}
          label="Chart list"
          activeIndex={current}
          rowKey={(c) => `${c.context}/${c.id}`}
          renderRow={(c, index) => (
            <button
              type="button"
              tabIndex={-1}
              id={`row-${c.context}-${c.id}`}
              className={`chart-row${index === current ? ' active' : ''}${open?.id === c.id && open.context === c.context ? ' selected' : ''}`}
              {...rows.props(c)}
              onClick={(event) => {
                setActive(index);
                if (!rows.click(event, c, index)) openChart(c);
              }}
              aria-label={`${c.desiredOutcome}${c.level > 0 ? `, sub-chart of ${parentOf(c) ?? c.parentChart ?? 'another chart'}` : ''}, in ${c.context}, due ${formatDay(c.dueDate)}, ${c.stepsDone} of ${c.stepsTotal} steps done${c.complete ? ', complete' : ''}`}
            >
              <span className="row-title" dir="auto">
                {c.complete ? '✓ ' : ''}
                {c.level > 0 ? '↳ ' : ''}
                {c.desiredOutcome}
              </span>
              {/* The context and the steps are bare text: in the flex line each run of text is
                  a box of its own, set apart by the gap like a span, so a row keeps its look with
                  two elements fewer (every row on screen is in the DOM). The date's span keeps the
                  two runs apart, and colours an overdue date. */}
              <span className="row-meta">
                {c.level > 0 && (
                  <span className="row-parent" dir="auto">
                    in {shortTitle(parentOf(c) ?? c.parentChart ?? '', 28)}
                  </span>
                )}
                {c.context}
                <span className={isOverdue(c.dueDate, c.complete) ? 'overdue' : undefined}>{formatDay(c.dueDate)}</span>
                {`${c.stepsDone}/${c.stepsTotal} steps`}
              </span>
            </button>
          )}
        />
      </div>
      {rows.menuElement}
    </section>
  );
}
