// A time series plot drawn by uPlot (small, fast, canvas): one or more series of {date, value}
// points on a shared UTC day axis, in the theme's colours (read from the CSS variables, drawn
// again when the system switches between light and dark). What uPlot holds is written to the
// figure's data-plotted attribute (the browser tests compare it with `tension … --json`; the
// colours drawn are in data-colors), and
// the same values are in a table for screen readers.
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import '../styles/insights.css';
import type { Point } from '../../shared/insightFigures.ts';

export interface PlotSeries {
  readonly label: string;
  readonly points: readonly Point[];
  /** A CSS variable of the theme: --accent, --ok, --warn, --danger, --muted. */
  readonly color: string;
}

export interface TimeSeriesPlotProps {
  readonly title: string;
  readonly series: readonly PlotSeries[];
  /** Bars for counts per week or day; lines for sizes and running totals; steps for progress. */
  readonly kind?: 'bars' | 'line' | 'steps';
  readonly height?: number;
  /** How values read on the axis (bytes, days). */
  readonly format?: (value: number) => string;
  readonly id?: string;
}

const dayToSeconds = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;

/** The x values (every date of every series, in order) and each series' value at each (null: none). */
export function alignSeries(series: readonly PlotSeries[]): { xs: number[]; ys: (number | null)[][] } {
  const dates = [...new Set(series.flatMap((s) => s.points.map((p) => p.date)))].sort();
  const ys = series.map((s) => {
    const byDate = new Map(s.points.map((p) => [p.date, p.value]));
    return dates.map((d) => byDate.get(d) ?? null);
  });
  return { xs: dates.map(dayToSeconds), ys };
}

function themeColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function useColorScheme(): string {
  const query = typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  const [scheme, setScheme] = useState(query?.matches ? 'dark' : 'light');
  useEffect(() => {
    if (!query) return undefined;
    const changed = () => setScheme(query.matches ? 'dark' : 'light');
    query.addEventListener('change', changed);
    return () => query.removeEventListener('change', changed);
  }, [query]);
  return scheme;
}

export function TimeSeriesPlot({ title, series, kind = 'line', height = 180, format, id }: TimeSeriesPlotProps) {
  const holder = useRef<HTMLDivElement>(null);
  const figure = useRef<HTMLElement>(null);
  const scheme = useColorScheme();
  const { xs, ys } = alignSeries(series);

  useEffect(() => {
    const element = holder.current;
    if (!element) return undefined;
    const text = themeColor('--text');
    const muted = themeColor('--muted');
    const grid = themeColor('--line');
    const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '12px system-ui, sans-serif' };
    const paths = kind === 'bars' ? uPlot.paths.bars?.({ size: [0.6, 40] }) : kind === 'steps' ? uPlot.paths.stepped?.({ align: 1 }) : undefined;
    const options: uPlot.Options = {
      width: Math.max(240, element.clientWidth),
      height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] } },
      axes: [{ ...axis }, { ...axis, size: format ? 72 : 48, ...(format ? { values: (_u: uPlot, values: number[]) => values.map(format) } : {}) }],
      legend: { show: series.length > 1, live: false },
      cursor: { drag: { x: false, y: false } },
      series: [
        { label: 'date', value: (_u, v) => (v == null ? '' : new Date(v * 1000).toISOString().slice(0, 10)) },
        ...series.map((s) => {
          const color = themeColor(s.color);
          return { label: s.label, stroke: color, width: 2, fill: kind === 'bars' ? `${color}99` : undefined, points: { show: kind !== 'bars', size: 5, stroke: color, fill: color }, ...(paths ? { paths } : {}), ...(format ? { value: (_u: uPlot, v: number | null) => (v == null ? '' : format(v)) } : {}) };
        }),
      ],
    };
    const plot = new uPlot(options, [xs, ...ys] as uPlot.AlignedData, element);
    // What the plot holds, as dates and values (the browser tests read it).
    const held = plot.data;
    const plotted = series.map((s, i) => ({ label: s.label, points: (held[0] as number[]).flatMap((x, j) => ((held[i + 1] as (number | null)[])[j] == null ? [] : [{ date: new Date(x * 1000).toISOString().slice(0, 10), value: (held[i + 1] as number[])[j] }])) }));
    figure.current?.setAttribute('data-plotted', JSON.stringify(plotted));
    figure.current?.setAttribute('data-colors', JSON.stringify(series.map((s) => themeColor(s.color))));
    element.style.color = text;
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(240, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
    // The series are compared by value: a new array with the same points draws nothing new.
  }, [JSON.stringify(series), kind, height, scheme]);

  return (
    <figure className="plot" ref={figure} {...(id ? { id } : {})} data-title={title}>
      <figcaption>{title}</figcaption>
      <div ref={holder} className="plot-canvas" aria-hidden="true" />
      <table className="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            {series.map((s) => (
              <th key={s.label} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {xs.map((x, j) => (
            <tr key={x}>
              <th scope="row">{new Date(x * 1000).toISOString().slice(0, 10)}</th>
              {ys.map((values, i) => (
                <td key={i}>{values[j] === null ? '' : format ? format(values[j] as number) : values[j]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
