// Issue 8, item 13: a title of only zero-width spaces is refused like an empty one, by the
// contract the renderer is held to and by the engine behind it.
import { describe, expect, it } from 'vitest';
import { hasVisibleText } from '../../shared/visibleText.ts';
import { channels } from '../../shared/contract.ts';
import { createChart } from '../../electron/core/charts/chartEdits.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { RecordSet } from '../../electron/core/recordSet.ts';

const INVISIBLE = ['', '   ', '\u200b\u200b', '\u200c\u200d', '\ufeff', '\u2060', ' \u200b\t\u00a0', '\u3164', '\u00ad'];

describe('a text with nothing visible is refused like an empty one', () => {
  it('knows visible from invisible', () => {
    for (const text of INVISIBLE) expect(hasVisibleText(text), JSON.stringify(text)).toBe(false);
    for (const text of ['a', ' a ', '\u200bx', '漢', '🙂', '.', 'e\u0301']) expect(hasVisibleText(text), JSON.stringify(text)).toBe(true);
  });

  it('the contract refuses a chart, a step, an observation and an outcome of zero-width spaces', () => {
    const zw = '\u200b\u200b\u200b';
    expect(channels['charts.create'].input.safeParse({ context: 'work', outcome: zw, reality: ['Now'] }).success).toBe(false);
    expect(channels['charts.create'].input.safeParse({ context: 'work', outcome: 'Ship', reality: [zw] }).success).toBe(false);
    expect(channels['charts.create'].input.safeParse({ context: 'work', outcome: 'Ship', reality: ['Now'], steps: [{ title: zw }] }).success).toBe(false);
    expect(channels['steps.add'].input.safeParse({ context: 'work', chartId: 'chart_1', title: zw }).success).toBe(false);
    expect(channels['reality.add'].input.safeParse({ context: 'work', chartId: 'chart_1', text: zw }).success).toBe(false);
    expect(channels['outcome.set'].input.safeParse({ context: 'work', chartId: 'chart_1', text: zw }).success).toBe(false);
    expect(channels['charts.create'].input.safeParse({ context: 'work', outcome: 'Ship', reality: ['Now'] }).success).toBe(true);
  });

  it('the engine refuses them too (the CLI and any other caller)', () => {
    const state = new RecordSet();
    expect(() => createChart(state, { outcome: '\u200b', reality: ['Now'] }, new Date())).toThrow(/desired outcome is required.*zero-width/);
    expect(() => createChart(state, { outcome: 'Ship', reality: ['Now'], steps: ['\u200b\u200d'] }, new Date())).toThrow(/step title is required/);
    expect(() => setEntity(state, { name: '\ufeff', entityType: 't' })).toThrow(/name is required/);
  });
});
