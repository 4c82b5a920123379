/**
 * A worker thread running a TypeScript module of the engines. The engines run from their
 * sources under tsx (CLI, `serve`, the desktop app's engine process, tests, bench), and a new
 * thread needs tsx registered before it imports the module.
 *
 * tsx's transforms run in an esbuild helper process that the thread's module hooks start; a
 * worker's helper outlived its use, and the helper of an ended worker stayed defunct (nothing
 * reaps it once its thread is gone). esbuild-service-hooks.mjs, registered after tsx in the
 * thread, ends the helper whenever no module is loading; `terminate()` waits for that (a worker
 * stopped in the middle of an import would leave its helper unreaped).
 */
import { randomBytes } from 'node:crypto';
import { BroadcastChannel, Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * tsx's loader, resolved from this package (not from the working directory: an eval'd worker
 * resolves bare names from the process's cwd, so `cd /tmp && spamops …` could not find it).
 */
const TSX_API = import.meta.resolve('tsx/esm/api');
/** the hooks that end tsx's esbuild helper when the thread's imports are done */
const ESBUILD_SERVICE_HOOKS = new URL('./esbuild-service-hooks.mjs', import.meta.url).href;
/** how long `terminate()` waits for an import in flight before cutting it short anyway */
const TERMINATE_WAIT_MS = 30_000;

class TsxWorker extends Worker {
  /** loading modules or ending its helper, as its hooks last said (it starts by loading) */
  private busy = true;
  private readonly quiet = new Set<() => void>();
  private readonly channel: BroadcastChannel;

  constructor(code: string, channelName: string, options: WorkerOptions) {
    super(code, { ...options, eval: true });
    this.channel = new BroadcastChannel(channelName);
    this.channel.unref();
    this.channel.onmessage = (e) => {
      this.busy = (e as { data: { busy: boolean } }).data.busy;
      if (!this.busy) this.settle();
    };
    this.once('exit', () => {
      this.channel.close();
      this.settle();
    });
  }

  private settle(): void {
    for (const f of this.quiet) f();
    this.quiet.clear();
  }

  /** stops the thread once its imports in flight are done and their esbuild helper has ended */
  override async terminate(): Promise<number> {
    if (this.busy && this.threadId >= 0)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, TERMINATE_WAIT_MS);
        this.quiet.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    return super.terminate();
  }
}

/**
 * `onLoadError`: JavaScript of a function `(e) => …` run inside the thread when the module fails
 * to load (e.g. to flag the failure in shared memory for a thread that blocks on Atomics).
 */
export function tsxWorker(module: URL, options: WorkerOptions = {}, onLoadError?: string): Worker {
  const channel = `spamops-esbuild-${randomBytes(8).toString('hex')}`;
  const hooks = `import('node:module').then((nm) => nm.register(${JSON.stringify(ESBUILD_SERVICE_HOOKS)}, { data: { channel: ${JSON.stringify(channel)} } }))`;
  const load = `import(${JSON.stringify(TSX_API)}).then((m) => { m.register(); return ${hooks}; }).then(() => import(${JSON.stringify(module.href)}))`;
  return new TsxWorker(onLoadError ? `${load}.catch(${onLoadError});` : `${load};`, channel, options);
}
