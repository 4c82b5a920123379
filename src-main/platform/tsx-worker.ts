/**
 * A worker thread running a TypeScript module of the engines. The engines run from their
 * sources under tsx (CLI, `serve`, the desktop app's engine process, tests, bench), and a new
 * thread needs tsx registered before it imports the module.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * tsx's loader, resolved from this package (not from the working directory: an eval'd worker
 * resolves bare names from the process's cwd, so `cd /tmp && spamops …` could not find it).
 */
const TSX_API = import.meta.resolve('tsx/esm/api');

/**
 * `onLoadError`: JavaScript of a function `(e) => …` run inside the thread when the module fails
 * to load (e.g. to flag the failure in shared memory for a thread that blocks on Atomics).
 */
export function tsxWorker(module: URL, options: WorkerOptions = {}, onLoadError?: string): Worker {
  const load = `import(${JSON.stringify(TSX_API)}).then((m) => { m.register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(onLoadError ? `${load}.catch(${onLoadError});` : `${load};`, { ...options, eval: true });
}
