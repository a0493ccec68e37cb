// A list that keeps only the rows on screen in the DOM (plus OVERSCAN_ROWS either side), so
// 100k rows scroll as smoothly as 100. Rows have one fixed height; the spacer gives the
// scrollbar its full length.
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { flushSync } from 'react-dom';

interface Props<T> {
  readonly items: readonly T[];
  readonly rowHeight: number;
  readonly renderRow: (item: T, index: number) => ReactNode;
  readonly rowKey: (item: T) => string;
  readonly label: string;
  /** Index to keep in view (the keyboard's current row). */
  readonly activeIndex?: number;
  readonly overscan?: number;
}

/**
 * Rows kept in the DOM beyond each edge of the screen. The scroll handler renders at once
 * (flushSync), inside the frame that scrolled, so the main thread paints each scroll with its
 * rows however busy the machine is. (Left to React's scheduler, a scroll's rows came in a task
 * after the frame, and under load a frame or two later: CI saw a 200 px scroll painted past the
 * rows.) The compositor may still scroll on its own before the main thread's frame, so the rows
 * past the edge cover one frame's scroll: 4 rows (208 px) hold two mouse-wheel notches (up to
 * 100 px each), a fast spin. More rows only add DOM nodes (issue 15 bounds them).
 */
export const OVERSCAN_ROWS = 4;

export function VirtualList<T>({ items, rowHeight, renderRow, rowKey, label, activeIndex, overscan = OVERSCAN_ROWS }: Props<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setHeight(element.clientHeight || 600);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || activeIndex === undefined || activeIndex < 0) return;
    const top = activeIndex * rowHeight;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + rowHeight > element.scrollTop + element.clientHeight) element.scrollTop = top + rowHeight - element.clientHeight;
  }, [activeIndex, rowHeight]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i += 1) {
    const item = items[i] as T;
    rows.push(
      <div key={rowKey(item)} role="listitem" className="virtual-row" style={{ top: i * rowHeight, height: rowHeight }}>
        {renderRow(item, i)}
      </div>,
    );
  }
  return (
    <div ref={ref} className="virtual-list" role="list" aria-label={label} aria-rowcount={items.length} onScroll={(e) => {
        const top = e.currentTarget.scrollTop;
        flushSync(() => setScrollTop(top));
      }}>
      <div className="virtual-spacer" style={{ height: items.length * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
