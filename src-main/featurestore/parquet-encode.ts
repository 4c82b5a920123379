/**
 * Parquet bytes of a pushed part, encoded on a helper thread (parquet-encode-worker.mjs): the
 * serving thread hands the rows over and goes on answering. Where the thread cannot start or
 * fails, the part is encoded here, as before; an encoding error (a value the schema refuses) is
 * the caller's either way.
 */
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import parquet, { type FieldSpec } from 'parquetjs-lite';
import { encodeRows } from './parquet-encode-core.mjs';

const SCRIPT = new URL('./parquet-encode-worker.mjs', import.meta.url);

type Reply = { id: number; bytes: Uint8Array } | { id: number; error: string };

/** an encoding the row's values failed (not the thread): thrown to the caller as it is */
class EncodeError extends Error {}

export class ParquetEncoder {
  private worker: Worker | undefined;
  private broken = false;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();

  async encode(spec: Record<string, FieldSpec>, rowGroupSize: number, rows: Record<string, unknown>[]): Promise<Buffer> {
    if (!this.broken) {
      try {
        return await new Promise<Buffer>((resolve, reject) => {
          const id = this.nextId++;
          this.waiting.set(id, { resolve, reject });
          this.thread().postMessage({ id, spec, rowGroupSize, rows });
        });
      } catch (e) {
        if (e instanceof EncodeError) throw new Error(e.message);
        // the thread is gone: this one encodes from now on
      }
    }
    return encodeRows(parquet, Writable, spec, rowGroupSize, rows);
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(SCRIPT);
    w.unref();
    w.on('message', (r: Reply) => {
      const p = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      if ('bytes' in r) p?.resolve(Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength));
      else p?.reject(new EncodeError(r.error));
    });
    const fail = (e: Error) => {
      this.broken = true;
      this.worker = undefined;
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => {
      if (this.worker === w) fail(new Error(`the Parquet encoding thread exited (${code})`));
    });
    this.worker = w;
    return w;
  }
}
