/**
 * Starting the engines for a long-lived process (headless `serve` or the desktop app): open
 * them, bootstrap an empty data dir, resume queued runs and the inbox outbox, watch for
 * promoted models, make sure the install has its API token, queue the first model versions.
 */
import { installToken, type AppConfig } from '../config';
import { openEngines, type Engines } from '../engines';
import { bootstrap, needsBootstrap, queueMissingModels } from './bootstrap';

export async function startEngines(config: AppConfig, opts: { autoBootstrap: boolean; log: (line: string) => void }): Promise<Engines> {
  const engines = await openEngines(config);
  // model records of data dirs made before folders were stored relative
  const migrated = await engines.models.migrate();
  if (migrated) opts.log(`model registry: ${migrated} version records made relative to the models dir`);
  if (opts.autoBootstrap && (await needsBootstrap(engines))) {
    opts.log(`First start on ${config.dataDir}: running bootstrap`);
    await bootstrap(engines, { datasetPath: config.datasetPath, trainingIdsPath: config.trainingIdsPath, log: opts.log });
  }
  await engines.runs.init();
  await engines.inbox.start();
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
