// The chart list of the context chosen (or of all contexts, or the search hits): sorted by
// due date or last change, filtered open/complete, virtualized. Arrow keys move, Enter opens.
import { useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import type { ChartSummary } from '../../shared/domain.ts';
import { visibleCharts, type ChartFilter, type ChartSort } from '../model/visibleCharts.ts';
import { formatDay, isOverdue } from '../model/dates.ts';
import { useStores } from './StoresProvider.tsx';
import { VirtualList } from './VirtualList.tsx';

export const ROW_HEIGHT = 52;

export function ChartList() {
  const { charts, selection } = useStores();
  const summaries = useStore(charts, (s) => s.summaries);
  const hits = useStore(charts, (s) => s.hits);
  const sort = useStore(charts, (s) => s.sort);
  const filter = useStore(charts, (s) => s.filter);
  const loaded = useStore(charts, (s) => s.loaded);
  const scope = useStore(charts, (s) => s.scope);
  const open = useStore(selection, (s) => s.open);
  const items = visibleCharts({ summaries, hits, sort, filter });
  const [active, setActive] = useState(0);

  const openChart = (c: ChartSummary) => void selection.getState().select({ context: c.context, id: c.id });

  function onKey(event: KeyboardEvent<HTMLDivElement>) {
    if (event.target !== event.currentTarget) return;
    if (event.key === 'ArrowDown') setActive((i) => Math.min(items.length - 1, i + 1));
    else if (event.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
    else if (event.key === 'Home') setActive(0);
    else if (event.key === 'End') setActive(items.length - 1);
    else if (event.key === 'Enter' && items[active]) openChart(items[active]);
    else return;
    event.preventDefault();
  }

  const current = Math.min(active, items.length - 1);
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
        <span className="list-count" data-testid="list-count">
          {hits ? `${items.length} found in all contexts` : `${items.length} ${scope === null ? 'in all contexts' : `in ${scope}`}`}
        </span>
      </div>
      {!loaded && summaries.length === 0 && !hits ? <p className="muted list-empty">Loading charts…</p> : null}
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
              onClick={() => {
                setActive(index);
                openChart(c);
              }}
            >
              <span className="row-title">
                {c.complete ? '✓ ' : ''}
                {c.level > 0 ? '↳ ' : ''}
                {c.desiredOutcome}
              </span>
              <span className="row-meta">
                <span className="row-context">{c.context}</span>
                <span className={isOverdue(c.dueDate, c.complete) ? 'overdue' : ''}>{formatDay(c.dueDate)}</span>
                <span>
                  {c.stepsDone}/{c.stepsTotal} steps
                </span>
              </span>
            </button>
          )}
        />
      </div>
    </section>
  );
}
