/**
 * Starting the engines for a long-lived process (headless `serve` or the desktop app): open
 * them, bootstrap an empty data dir, resume queued runs, start ingestion (the change log, or the
 * stream when it is on; what a killed process left is taken up first), watch for
 * promoted models, make sure the install has its API token, queue the first model versions, and
 * load the served models in the background.
 */
import { mkdirSync } from 'node:fs';
import { installToken, type AppConfig } from '../config';
import { openEngines, type Engines } from '../engines';
import { tryLockDataDir } from '../platform';
import { removeLeftovers } from './leftovers';
import { registerReleased } from './release';
import { bootstrap, needsBootstrap, queueMissingModels } from './bootstrap';

export async function startEngines(config: AppConfig, opts: { autoBootstrap: boolean; log: (line: string) => void }): Promise<Engines> {
  // one server per data dir: two would both resume the same queued runs and replay the same outbox
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const lock = tryLockDataDir(config.dataDir);
  if (!lock.acquired)
    throw new Error(
      lock.holder.pid === 0
        ? `another SpamOps process holds ${config.dataDir} (the lock on its server.lock; its server.pid cannot be read): stop it first, or use another --data-dir`
        : `another SpamOps server (pid ${lock.holder.pid} on ${lock.holder.host}) serves ${config.dataDir}: stop it first, or use another --data-dir`,
    );
  let engines: Engines;
  try {
    engines = await openEngines(config);
  } catch (e) {
    lock.release();
    throw e;
  }
  const close = engines.close;
  engines.close = async () => {
    await close();
    lock.release();
  };

  // model records of data dirs made before folders were stored relative
  const migrated = await engines.models.migrate();
  if (migrated) opts.log(`model registry: ${migrated} version records made relative to the models dir`);
  if (opts.autoBootstrap && (await needsBootstrap(engines))) {
    opts.log(`First start on ${config.dataDir}: running bootstrap`);
    // a first start serves the released models at once: no training before the first verdict
    await bootstrap(engines, { datasetPath: config.datasetPath, trainingIdsPath: config.trainingIdsPath, log: opts.log, released: true });
  }
  await engines.runs.init({ resume: true });
  // runs a CLI trains beside the server show in the console live, as its own do
  engines.runs.followOthers();
  // staging folders of runs that no live process trains, temporary parts of killed pushes
  const active = new Set(
    engines.runs
      .list()
      .filter((r) => r.status === 'queued' || r.status === 'running')
      .map((r) => r.id),
  );
  const left = removeLeftovers(config, active);
  if (left.length) opts.log(`removed what killed processes left: ${left.join(', ')}`);
  const replayed = await engines.inbox.start();
  if (replayed.replayed) opts.log(`Stored ${replayed.replayed} messages an earlier version's outbox held; the feature step takes them from the change log`);
  await engines.ingestion.start(opts.log);
  engines.serving.watch();
  // feature definitions another process applies (`spamops apply` beside this server) are served from the next lookup on
  engines.features.registry.watch((s) => opts.log(`feature registry version ${s.version} (stage ${s.stage}) applied by another process: serving it`));
  // answers an earlier version cached under a model id alone: never read now, so not kept (in
  // the background: nothing waits for them)
  void engines.serving.dropUnpinnedAnswers().catch((e: unknown) => opts.log(`could not clear the old cache entries: ${(e as Error).message}`));
  await engines.monitor.loadSettings();
  engines.monitor.schedule();
  installToken(config);
  if (opts.autoBootstrap) {
    // models still without a version get the released one, else (no release shipped) a training run
    await registerReleased(engines, { tokenizer: false, log: opts.log });
    const queued = await queueMissingModels(engines);
    if (queued.length) opts.log(`Training in the background: ${queued.map((r) => `${r.model} (${r.id})`).join(', ')}`);
  }
  void engines.serving.warm().then(() => engines.features.warm());
  return engines;
}
