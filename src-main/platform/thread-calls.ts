/**
 * Calls to a helper thread that answer by id: the thread is started on the first call, its
 * answers resolve the calls in any order, and a thread that errs or exits fails every call still
 * waiting and is not started again (`usable` turns false: callers do the work themselves from then
 * on). A call the thread answers with an error rejects with ThreadCallError: that call's problem,
 * not the thread's. The thread replies `{ id, value }` or `{ id, error }` to each `{ id, ...request }`.
 */
import type { Transferable, Worker } from 'node:worker_threads';

/** the thread answered this call with an error (its input, say); the thread itself is fine */
export class ThreadCallError extends Error {}

type Reply<T> = { id: number; value: T; error?: undefined } | { id: number; error: string };

export class ThreadCalls<Req extends object, Res> {
  private worker: Worker | undefined;
  private broken = false;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (v: Res) => void; reject: (e: Error) => void }>();

  /** `start`: a new thread (unref'd here: it never keeps the process alive); `what`: its name in errors */
  constructor(
    private readonly start: () => Worker,
    private readonly what: string,
  ) {}

  get usable(): boolean {
    return !this.broken;
  }

  call(req: Req, transfer: Transferable[] = []): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve, reject });
      try {
        this.thread().postMessage({ ...req, id }, transfer);
      } catch (e) {
        this.waiting.delete(id);
        this.broken = true;
        reject(e);
      }
    });
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = this.start();
    w.unref();
    w.on('message', (r: Reply<Res>) => {
      const p = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      if (r.error !== undefined) p?.reject(new ThreadCallError(r.error));
      else p?.resolve(r.value);
    });
    const fail = (e: Error) => {
      this.broken = true;
      this.worker = undefined;
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => {
      if (this.worker === w) fail(new Error(`${this.what} exited (${code})`));
    });
    this.worker = w;
    return w;
  }
}
