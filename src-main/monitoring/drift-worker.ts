/** The drift worker thread: opens its own connection to the storage layer and computes windows on request. */
import { parentPort, workerData } from 'node:worker_threads';
import { openStorage, type Storage, type StorageSettings } from '../storage';
import { ArtifactError } from '../platform';
import { computeHistograms, computeWindow, type DriftJob } from './drift-window';
import { UnknownFeatureError } from './histograms';

const { storage: settings } = workerData as { storage: StorageSettings };
let storage: Promise<Storage> | undefined;

parentPort!.on('message', async (m: { id: number } & DriftJob) => {
  try {
    storage ??= openStorage(settings);
    if ('histograms' in m) parentPort!.postMessage({ id: m.id, histograms: await computeHistograms(await storage, m.histograms) });
    else parentPort!.postMessage({ id: m.id, report: await computeWindow(await storage, m.window) });
  } catch (e) {
    const err = e as Error;
    const artifact = e instanceof ArtifactError ? { file: e.file, problem: e.problem, remedy: e.remedy } : {};
    const feature = e instanceof UnknownFeatureError ? { feature: e.feature, known: e.known } : {};
    parentPort!.postMessage({ id: m.id, error: { message: err?.message ?? String(e), ...artifact, ...feature } });
  }
});
