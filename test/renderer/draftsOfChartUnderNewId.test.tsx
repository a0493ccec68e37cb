// @vitest-environment happy-dom
// A peer (or an older tool) moves a chart to another context under a new id: it removes the
// chart's lines from one file and writes them, renamed, into another. Nothing tells the window
// for sure that the new chart is the one the person was typing in, so it says what it can: the
// chart is no longer in its context, and a chart with the same desired outcome is in the other
// one, maybe the same. The text typed stays listed apart, beside a way to open that chart;
// whether the chart was open or not when it went.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { contextPaths, type DataLayout } from '../../electron/core/dataRoot.ts';
import { smallChartRecords, writeContextFile } from '../helpers/contextFiles.ts';
import { realHarness, type Harness } from './realTransport.ts';
import { liveWindow } from './liveWindow.ts';

afterEach(() => {
  cleanup();
  removeTempDirs();
});

const TYPED = 'Ship billing to all 400 customers by June';
const NEW_ID = 'chart_1799999999999';
/** Long enough for the watcher's poll to see the peer's change, however loaded the machine. */
const SEEN = { timeout: 20_000 };

const ID = 'chart_1764000000001';
const OTHER = 'chart_1764000000002';

/**
 * The charts as a peer wrote them an hour ago: a peer's file written just after another version
 * may be one that never saw that version's records (fileVersions.ts), and its deletions are
 * then not taken for deletions.
 */
function peerWroteLongAgo(layout: DataLayout) {
  writeContextFile(layout, 'work', [...smallChartRecords(ID, 'work', 'Ship billing'), ...smallChartRecords(OTHER, 'work', 'Hire a designer')]);
  writeContextFile(layout, 'clients', smallChartRecords('chart_1764000000003', 'clients', 'Keep Acme'));
  const anHourAgo = new Date(Date.now() - 3_600_000);
  for (const context of ['work', 'clients']) fs.utimesSync(contextPaths(layout, context).file, anHourAgo, anHourAgo);
}

/** What the peer does now: the chart's lines taken out of one context file (a whole new file put in place), and added to another under a new id. */
function peerMovesUnderNewId(layout: DataLayout, from: string, to: string, id: string) {
  const source = contextPaths(layout, from).file;
  const lines = fs.readFileSync(source, 'utf8').split('\n').filter((line) => line !== '');
  const moving = lines.filter((line) => line.includes(id));
  fs.writeFileSync(`${source}.peer-tmp`, `${lines.filter((line) => !line.includes(id)).join('\n')}\n`);
  fs.renameSync(`${source}.peer-tmp`, source);
  const renamed = moving.map((line) => line.split(id).join(NEW_ID).split(`"context":"${from}"`).join(`"context":"${to}"`));
  fs.appendFileSync(contextPaths(layout, to).file, `${renamed.join('\n')}\n`);
}

/** Ship billing (typed into its desired outcome) in work, another chart there, and the context clients. */
async function typedIn(leaveOpen: boolean) {
  const h = await realHarness();
  peerWroteLongAgo(h.engine.layout);
  const [id, other] = [ID, OTHER];
  const stop = await liveWindow(h);
  await act(() => h.stores.selection.getState().select({ context: 'work', id }));
  fireEvent.click(await screen.findByRole('button', { name: 'Edit desired outcome' }));
  fireEvent.change(screen.getByLabelText('desired outcome'), { target: { value: TYPED } });
  if (!leaveOpen) await act(() => h.stores.selection.getState().select({ context: 'work', id: other }));
  peerMovesUnderNewId(h.engine.layout, 'work', 'clients', id);
  return { ...h, id, stop };
}

/** The text is listed apart, saying where a chart of the same desired outcome is, and opens it. */
async function keptBesideTheLookalike(h: Harness) {
  const kept = await screen.findByRole('status', { name: 'Text kept from removed charts' }, SEEN);
  await waitFor(() => expect(kept.textContent).toMatch(/same desired outcome, “Ship billing”, is in the context “clients”: it may be the same chart, moved there under a new id/), SEEN);
  expect(kept.textContent).toContain(TYPED);
  fireEvent.click(within(kept).getByRole('button', { name: 'Open that chart' }));
  await waitFor(() => expect(h.stores.selection.getState().open).toEqual({ context: 'clients', id: NEW_ID }));
  // Not taken for that chart's own field: the text stays listed, to be copied or let go.
  expect(screen.getByRole('status', { name: 'Text kept from removed charts' }).textContent).toContain(TYPED);
}

describe('a chart another program moved to another context under a new id', () => {
  it('open, with text typed: the notice names the likely chart without claiming it, and the text stays reachable', async () => {
    const h = await typedIn(true);
    await waitFor(() => expect(h.stores.selection.getState().open).toBeNull(), SEEN);
    expect(h.stores.notifications.getState().notices.map((n) => n.title)).toEqual([
      'The chart “Ship billing” is no longer in the context “work”. A chart with the same desired outcome is in “clients”: it may be this one, moved there under a new id.',
    ]);
    await keptBesideTheLookalike(h);
    await h.stop();
  });

  it('not open, with text typed before: the text is listed apart, beside the likely chart', async () => {
    const h = await typedIn(false);
    await keptBesideTheLookalike(h);
    await h.stop();
  });
});
