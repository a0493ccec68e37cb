// Appends every item of `items` to `target`, one by one. Not `target.push(...items)`: a spread
// passes each item as an argument, and past about 120k items (Node's and Chromium's default
// stack) it throws "Maximum call stack size exceeded". A context of 150k charts, a day of 150k
// completions or a commit of 150k deletions made lists of that size.
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
