// A title short enough for a button or a breadcrumb: a 300-character outcome must not push
// the controls off the screen. The whole text stays available (title attribute, the chart).

export function shortTitle(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}
