/**
 * Starting the engines for a long-lived process (headless `serve` or the desktop app): open
 * them, bootstrap an empty data dir, resume queued runs, start ingestion (the change log, or the
 * stream when it is on; what a killed process left is taken up first), watch for
 * promoted models, make sure the install has its API token, queue the first model versions.
 */
import { installToken, type AppConfig } from '../config';
import { openEngines, type Engines } from '../engines';
import { bootstrap, needsBootstrap, queueMissingModels } from './bootstrap';

export async function startEngines(config: AppConfig, opts: { autoBootstrap: boolean; log: (line: string) => void }): Promise<Engines> {
  const engines = await openEngines(config);
  if (opts.autoBootstrap && (await needsBootstrap(engines))) {
    opts.log(`First start on ${config.dataDir}: running bootstrap`);
    await bootstrap(engines, { datasetPath: config.datasetPath, trainingIdsPath: config.trainingIdsPath, log: opts.log });
  }
  await engines.runs.init();
  const replayed = await engines.inbox.start();
  if (replayed.replayed) opts.log(`Stored ${replayed.replayed} messages an earlier version's outbox held; the feature step takes them from the change log`);
  await engines.ingestion.start(opts.log);
  engines.serving.watch();
  await engines.monitor.loadSettings();
  engines.monitor.schedule();
  installToken(config);
  if (opts.autoBootstrap) {
    const queued = await queueMissingModels(engines);
    if (queued.length) opts.log(`Training in the background: ${queued.map((r) => `${r.model} (${r.id})`).join(', ')}`);
  }
  return engines;
}
