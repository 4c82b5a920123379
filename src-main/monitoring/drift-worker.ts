/** The drift worker thread: opens its own connection to the storage layer and computes windows on request. */
import { parentPort, workerData } from 'node:worker_threads';
import { openStorage, type Storage, type StorageSettings } from '../storage';
import { ArtifactError } from '../platform';
import { computeWindow, type DriftWindow } from './drift-window';

const { storage: settings } = workerData as { storage: StorageSettings };
let storage: Promise<Storage> | undefined;

parentPort!.on('message', async (m: { id: number; window: DriftWindow }) => {
  try {
    storage ??= openStorage(settings);
    const report = await computeWindow(await storage, m.window);
    parentPort!.postMessage({ id: m.id, report });
  } catch (e) {
    const err = e as Error;
    const artifact = e instanceof ArtifactError ? { file: e.file, problem: e.problem, remedy: e.remedy } : {};
    parentPort!.postMessage({ id: m.id, error: { message: err?.message ?? String(e), ...artifact } });
  }
});
