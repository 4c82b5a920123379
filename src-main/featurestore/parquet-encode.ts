/**
 * Parquet bytes of a pushed part, encoded on a helper thread (parquet-encode-worker.mjs): the
 * serving thread hands the rows over and goes on answering. Where the thread cannot start or
 * fails, the part is encoded here, as before; an encoding error (a value the schema refuses) is
 * the caller's either way.
 */
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import parquet, { type FieldSpec } from 'parquetjs-lite';
import { ThreadCallError, ThreadCalls } from '../platform';
import { encodeRows } from './parquet-encode-core.mjs';

const SCRIPT = new URL('./parquet-encode-worker.mjs', import.meta.url);

interface EncodeRequest {
  spec: Record<string, FieldSpec>;
  rowGroupSize: number;
  rows: Record<string, unknown>[];
}

export class ParquetEncoder {
  private readonly calls: ThreadCalls<EncodeRequest, Uint8Array>;

  /** `start`: the encoding thread (tests give one that fails) */
  constructor(start: () => Worker = () => new Worker(SCRIPT)) {
    this.calls = new ThreadCalls(start, 'the Parquet encoding thread');
  }

  async encode(spec: Record<string, FieldSpec>, rowGroupSize: number, rows: Record<string, unknown>[]): Promise<Buffer> {
    if (this.calls.usable) {
      try {
        const bytes = await this.calls.call({ spec, rowGroupSize, rows });
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (e) {
        if (e instanceof ThreadCallError) throw new Error(e.message);
        // the thread is gone: this one encodes from now on
      }
    }
    return encodeRows(parquet, Writable, spec, rowGroupSize, rows);
  }

  close(): void {
    this.calls.close();
  }
}
