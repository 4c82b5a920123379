/**
 * Module hooks, registered after tsx's in each thread that registers tsx (the CLI's main thread,
 * every worker of tsxWorker), that end tsx's esbuild service once no module is loading.
 *
 * Why: tsx transforms TypeScript with esbuild's service, a child process started by the thread
 * that runs tsx's hooks (one per registering thread) on its first transform that misses tsx's
 * cache, and kept idle for as long as that thread lives. A server held one per long-lived worker
 * (drift, off-thread verdicts) besides its own, and a worker that ended (a training run) left its
 * child defunct for good: libuv reaps a child only in the event loop that started it, and that
 * loop was gone. Here the service is stopped each time the loads in flight drop to none, and the
 * last load waits until the child has exited and been reaped: by the time an `import()` resolves,
 * no helper of this thread is left. A later import that misses the cache starts one again, and it
 * ends the same way. Whether the thread is busy (loading, or a helper not yet reaped) is posted on
 * the BroadcastChannel named by `data.channel`: tsxWorker waits until it is not before it
 * terminates a worker.
 *
 * Plain JavaScript: it must load before anything can be transformed.
 */
import childProcess from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * the esbuild instance tsx's hooks use in this thread: tsx's own dependency, resolved from tsx's
 * folder (a module is loaded once per thread; import.meta.resolve is not offered to hooks in Node 20)
 */
let esbuild;
try {
  const here = createRequire(import.meta.url);
  esbuild = createRequire(here.resolve('tsx/esm/api'))('esbuild');
} catch {
  esbuild = undefined;
}

/** esbuild helpers started in this thread and not yet reaped */
const live = new Set();
let channel;
let busy = false;

function setBusy(b) {
  if (b === busy) return;
  busy = b;
  channel?.postMessage({ busy });
}

// esbuild does not hand out its child: note each one as it is spawned
const spawn = childProcess.spawn;
childProcess.spawn = function spawnNoted(command, ...rest) {
  const child = spawn.call(this, command, ...rest);
  if (/esbuild/.test(String(command)) && rest.some((a) => Array.isArray(a) && a.some((x) => String(x).startsWith('--service')))) {
    live.add(child);
    child.once('exit', () => live.delete(child));
  }
  return child;
};

export function initialize(data) {
  if (data?.channel) {
    channel = new BroadcastChannel(data.channel);
    channel.unref?.();
  }
}

let loading = 0;

/** a bound on the wait for a helper to exit once told to (it takes milliseconds) */
const EXIT_WAIT_MS = 10_000;

/** stops the service and waits until each helper has exited (its exit event comes once reaped) */
async function stopService() {
  if (live.size === 0 || !esbuild) return;
  const exited = [...live].map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r))));
  await esbuild.stop();
  // never hold a load for good: were tsx ever to use another esbuild than this one, stop() would not reach its helper
  let timer;
  await Promise.race([Promise.all(exited), new Promise((r) => (timer = setTimeout(r, EXIT_WAIT_MS)))]);
  clearTimeout(timer);
}

export async function load(url, context, nextLoad) {
  loading += 1;
  setBusy(true);
  try {
    return await nextLoad(url, context);
  } finally {
    loading -= 1;
    if (loading === 0) {
      await stopService();
      if (loading === 0) setBusy(false);
    }
  }
}
