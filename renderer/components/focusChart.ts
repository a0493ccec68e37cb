// After a chart is created (or opened on purpose), focus goes to it, so the keyboard carries on
// where the person's attention is. Waits a frame for the chart to be drawn.

export function focusChart(id: string): void {
  const attempt = (left: number) => {
    const card = document.querySelector<HTMLElement>(`.chart-view article[data-chart="${CSS.escape(id)}"]`);
    if (card) card.focus();
    else if (left > 0) requestAnimationFrame(() => attempt(left - 1));
  };
  requestAnimationFrame(() => attempt(30));
}
