/** `spamops serve`: the engines and the local API under plain Node, until Ctrl-C. */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { AppConfig } from '../config';
import { appRoot } from '../config';
import { buildApp, listen } from '../api';
import { startEngines } from '../setup';

/**
 * `exitWithStdin`: stop when standard input closes, i.e. when the parent that holds its other
 * end is gone, however it ended (the desktop app's engine process; see electron/engine-process.ts).
 */
export async function serve(config: AppConfig, opts: { consoleDir?: string; autoBootstrap?: boolean; exitWithStdin?: boolean } = {}): Promise<void> {
  const engines = await startEngines(config, { autoBootstrap: opts.autoBootstrap ?? false, log: (s) => process.stderr.write(`${s}\n`) });
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
    if (opts.exitWithStdin) {
      process.stdin.once('end', stop);
      process.stdin.once('close', stop);
      process.stdin.resume();
    }
  });
  await l.close();
  await engines.close();
}
