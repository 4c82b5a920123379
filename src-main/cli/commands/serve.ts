/** `spamops serve`: the engines and the local API under plain Node, until Ctrl-C. */
import { Command, InvalidArgumentError } from 'commander';
import { GROUPS } from '../groups';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { appRoot, streamServers, type AppConfig } from '../../config';
import { buildApp, listen } from '../../api';
import { startEngines } from '../../setup';
import { configOf, integer } from '../context';
import { installProcessPolicy } from '../../platform';

export const serveCommand = new Command('serve')
  .helpGroup(GROUPS.serving)
  .description('the local API (and the built console) until Ctrl-C')
  .option('--host <host>', 'address to listen on (env SPAMOPS_HOST; beyond loopback a token is required)')
  .option('--port <port>', 'port (env SPAMOPS_PORT; default 8000; 0 picks a free one)', integer('--port', 0, 65535))
  .option('--compat-ports', "also listen on the seed story's ports 8111, 8222, 6566, 8999")
  .option('--console <dir>', 'the built console to serve at / (default out/renderer)')
  .option('--auto-bootstrap', 'run bootstrap first when the data dir is empty')
  .option('--dataset <file>', 'the dataset --auto-bootstrap imports (env SPAMOPS_DATASET)')
  .option('--exit-with-stdin', 'stop when standard input closes (the desktop app runs the engines so)')
  .option(
    '--stream <url>',
    'ingest through NATS JetStream at this URL, e.g. nats://127.0.0.1:4222 (env SPAMOPS_STREAM_URL; default: the embedded change log)',
    (raw: string) => {
      try {
        streamServers(raw, '--stream');
      } catch (e) {
        throw new InvalidArgumentError((e as Error).message);
      }
      return raw;
    },
  )
  .action(
    async (
      o: {
        host?: string;
        port?: number;
        compatPorts?: boolean;
        console?: string;
        autoBootstrap?: boolean;
        dataset?: string;
        exitWithStdin?: boolean;
        stream?: string;
      },
      cmd: Command,
    ) =>
      serve(configOf(cmd, { host: o.host, port: o.port, compatPorts: o.compatPorts, datasetPath: o.dataset, streamUrl: o.stream }), {
        consoleDir: o.console,
        autoBootstrap: o.autoBootstrap,
        exitWithStdin: o.exitWithStdin,
      }),
  );

/**
 * `exitWithStdin`: stop when standard input closes, i.e. when the parent that holds its other
 * end is gone, however it ended (the desktop app's engine process; see electron/engine-process.ts).
 */
export async function serve(config: AppConfig, opts: { consoleDir?: string; autoBootstrap?: boolean; exitWithStdin?: boolean } = {}): Promise<void> {
  // an error nobody caught is logged and the server keeps serving what still works (F2, F3)
  installProcessPolicy();
  const engines = await startEngines(config, { autoBootstrap: opts.autoBootstrap ?? false, log: (s) => process.stderr.write(`${s}\n`) });
  const consoleDir = opts.consoleDir ?? join(appRoot(), 'out', 'renderer');
  const app = await buildApp(engines, { consoleDir, logger: true });
  const l = await listen(app, config.server).catch(async (e: unknown) => {
    // the data dir released before saying why (its lock, its helper threads)
    await app.close().catch(() => undefined);
    await engines.close().catch(() => undefined);
    throw e;
  });
  process.stdout.write(`SpamOps API listening on ${l.urls.join(', ')} (data dir ${config.dataDir}, storage ${engines.storage.backend})\n`);
  if (existsSync(join(consoleDir, 'index.html'))) process.stdout.write(`Console: ${l.urls[0]}/\n`);
  process.stdout.write(`API docs: ${l.urls[0]}/docs\n`);
  const h = engines.ingestion.health();
  process.stdout.write(
    h.mode === 'embedded'
      ? 'Ingestion: embedded change log (no outside service)\n'
      : `Ingestion: NATS JetStream at ${config.stream?.servers.join(',')}, subject ${config.stream?.subject}: ${h.stream === 'connected' ? 'connected' : `unavailable (${h.reason}); retrying in the background`}\n`,
  );
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
  // work that does not stop in time (an offline rebuild, a materialization) is cut short: it is
  // safe to (kill -9 is tested at every step) and the next start cleans up; a second signal exits now
  const force = (why: string) => {
    process.stderr.write(`spamops serve: ${why}: exiting now; the next start marks unfinished work interrupted and removes what it left\n`);
    process.exit(1);
  };
  setTimeout(() => force(`still busy ${SHUTDOWN_GRACE_MS / 1000} s after the stop signal`), SHUTDOWN_GRACE_MS).unref();
  process.once('SIGINT', () => force('second stop signal'));
  process.once('SIGTERM', () => force('second stop signal'));
  await l.close();
  await engines.close();
}

/** how long a stopping server may take to finish what it does before it exits anyway */
const SHUTDOWN_GRACE_MS = 10_000;
