/** `spamops serve`: the engines and the local API under plain Node, until Ctrl-C. */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { AppConfig } from '../config';
import { appRoot } from '../config';
import { ensureInstallToken } from '../platform/install-token';
import { openEngines } from '../engines';
import { buildApp, listen } from '../api';
import { bootstrap, needsBootstrap, queueMissingModels } from '../pipeline/bootstrap';

export async function serve(config: AppConfig, opts: { consoleDir?: string; autoBootstrap?: boolean } = {}): Promise<void> {
  const engines = await openEngines(config);
  if (opts.autoBootstrap && (await needsBootstrap(engines))) {
    process.stderr.write(`First start on ${config.dataDir}: running bootstrap\n`);
    await bootstrap(engines, { datasetPath: config.datasetPath, trainingIdsPath: config.trainingIdsPath, log: (s) => process.stderr.write(`${s}\n`) });
  }
  await engines.runs.init();
  await engines.inbox.start();
  engines.serving.watch();
  ensureInstallToken(config);
  if (opts.autoBootstrap) {
    const queued = await queueMissingModels(engines);
    if (queued.length) process.stderr.write(`Training in the background: ${queued.map((r) => `${r.model} (${r.id})`).join(', ')}\n`);
  }
  const consoleDir = opts.consoleDir ?? join(appRoot(), 'out', 'renderer');
  const app = await buildApp(engines, { consoleDir, logger: true });
  const l = await listen(app, config.server);
  process.stdout.write(`SpamOps API listening on ${l.urls.join(', ')} (data dir ${config.dataDir}, storage ${engines.storage.backend})\n`);
  if (existsSync(join(consoleDir, 'index.html'))) process.stdout.write(`Console: ${l.urls[0]}/\n`);
  process.stdout.write(`API docs: ${l.urls[0]}/docs\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await l.close();
  await engines.close();
}
