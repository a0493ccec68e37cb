// The window's first screen (the sidebar's contexts and the first rows of the chart list of
// every context), saved at the app's close for its next start (firstScreenStamp.ts reads it,
// electron/app/firstScreenFromSave.ts gives it). At 100k charts loading the context file takes
// 4-5 s and the window's first chart list waited for it; the answers are a few kB, and most
// starts find the files as the last close left them.
//
// Never trusted for data: it is only shown, and once the contexts are loaded the real answers
// are compared with it (firstScreenFromSave.ts), a difference told to the windows.
import type { Engine } from './engine.ts';
import { derivedCacheOf, writeDerivedFile } from './derivedCache.ts';
import type { FirstScreenAnswers } from '../../shared/firstScreen.ts';
import { firstScreenTag, savedFirstScreenFile, stampOfData } from './firstScreenStamp.ts';

/**
 * Saves `answers` when nothing moved while they were made: the data folder's stamp is the same
 * before and after, and every context is loaded and its state is exactly its file (written out,
 * no change pending: DerivedCache.tagNow), of the size stamped. Call it after a flush, at the
 * close, with nothing else writing through this engine. Returns whether it was saved.
 */
export async function saveFirstScreen(engine: Engine, version: string, makeAnswers: () => Promise<FirstScreenAnswers>): Promise<boolean> {
  if (engine.readOnly) return false;
  const before = stampOfData(engine.layout, engine.fs);
  if (before === undefined || !everyContextIsItsFile(engine)) return false;
  const answers = await makeAnswers();
  const after = stampOfData(engine.layout, engine.fs);
  if (after !== before || !everyContextIsItsFile(engine)) return false;
  writeDerivedFile(engine.fs, savedFirstScreenFile(engine.layout), firstScreenTag(version, after), JSON.stringify(answers));
  return true;
}

/** Every context is loaded, and its state is exactly the file on disk now (not only the file it last wrote). */
function everyContextIsItsFile(engine: Engine): boolean {
  for (const name of engine.listContextNames()) {
    const store = engine.loadedStore(name);
    const tag = store === undefined ? undefined : derivedCacheOf(store.state)?.tagNow();
    if (store === undefined || tag === undefined) return false;
    let size: number;
    try {
      size = Number(engine.fs.statSync(store.paths.file, { bigint: true }).size);
    } catch {
      return false;
    }
    if (size !== Number(tag.slice(0, tag.indexOf(':')))) return false;
  }
  return true;
}
