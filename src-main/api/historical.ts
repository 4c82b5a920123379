/**
 * POST /get-historical-features: the offline store's point-in-time join over HTTP, streamed as it
 * is computed (NDJSON or CSV, chunk by chunk, with the socket's backpressure), or a Parquet file
 * written by DuckDB and sent once whole. Bad input answers 4xx before the first byte; a failure
 * after it ends the stream early (the client sees a truncated body, never a wrong one).
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FeatureValue, GetHistoricalFeaturesRequest } from '../../src-shared/featurestore';
import { FeatureInputError, isoUtc, parseTimestamp, type EntitySpec, type FeatureStore, type HistoricalChunk } from '../featurestore';
import { csvCell } from '../platform';

function entitySpec(body: GetHistoricalFeaturesRequest, joinKey: string): EntitySpec {
  const at = body.at === undefined ? undefined : parseTimestamp(body.at, 'at');
  if (body.entities === 'all') return { kind: 'all', at: at ?? Date.now() };
  const cols = body.entities;
  for (const name of Object.keys(cols))
    if (name !== joinKey && name !== 'event_timestamp')
      throw new FeatureInputError(`entities.${name}`, `entities: unknown column "${name}"; expected "${joinKey}" and "event_timestamp"`);
  const keys = cols[joinKey];
  if (!keys) throw new FeatureInputError('entities', `entities: expected the join key "${joinKey}" (a list of ids), or "all"`);
  const times = cols.event_timestamp;
  if (!times && at === undefined)
    throw new FeatureInputError('entities.event_timestamp', 'entities: give "event_timestamp" (one per id) or "at" (the time of every row)');
  // both: "at" was ignored without a word (the rows' own times were used)
  if (times && at !== undefined)
    throw new FeatureInputError('at', 'at: give either "at" (the time of every row) or entities.event_timestamp (one per id), not both');
  if (times && times.length !== keys.length)
    throw new FeatureInputError('entities.event_timestamp', `entities.event_timestamp: has ${times.length} values, "${joinKey}" has ${keys.length}`);
  return {
    kind: 'rows',
    keys,
    timestamps: times ? times.map((t, i) => parseTimestamp(t, `entities.event_timestamp[${i}]`)) : keys.map(() => at as number),
  };
}

/** a value as a CSV cell (platform/csv-cell: formulas escaped unless `raw`) */
function csvField(v: FeatureValue, raw: boolean): string {
  if (v === null || v === undefined) return '';
  return csvCell(Array.isArray(v) ? `[${v.join(', ')}]` : typeof v === 'number' ? v : String(v), { raw });
}

function* lines(chunk: HistoricalChunk, format: 'ndjson' | 'csv', raw: boolean): Generator<string> {
  const out: string[] = [];
  for (let i = 0; i < chunk.rows; i++) {
    const values = chunk.read.map((r) => r(i));
    values[1] = isoUtc(values[1] as number);
    if (format === 'csv') out.push(values.map((v) => csvField(v, raw)).join(','));
    else out.push(JSON.stringify(Object.fromEntries(chunk.columns.map((c, j) => [c, values[j]]))));
  }
  if (out.length) yield `${out.join('\n')}\n`;
}

export async function streamHistorical(fs: FeatureStore, body: GetHistoricalFeaturesRequest, reply: FastifyReply): Promise<FastifyReply> {
  const refs = await fs.resolveRefs(body);
  const joinKey = await fs.joinKey(refs[0].view);
  const entities = entitySpec(body, joinKey);
  const full = body.full_feature_names ?? false;
  const format = body.format ?? 'ndjson';
  const raw = body.raw ?? false;

  if (format === 'parquet') {
    const dir = mkdtempSync(join(tmpdir(), 'spamops-historical-'));
    const file = join(dir, 'historical.parquet');
    try {
      await fs.exportHistorical(entities, refs, { file, format: 'parquet' }, { fullFeatureNames: full });
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    const stream = createReadStream(file);
    stream.on('close', () => rmSync(dir, { recursive: true, force: true }));
    return reply.type('application/vnd.apache.parquet').header('content-disposition', 'attachment; filename="historical.parquet"').send(stream);
  }

  const text: 'ndjson' | 'csv' = format;
  // the first chunk is read before answering: bad input and a broken source answer 4xx/503
  const chunks = fs.historicalChunks(entities, refs, { fullFeatureNames: full });
  const first = await chunks.next();
  async function* body_(): AsyncGenerator<string> {
    try {
      if (first.done) {
        if (format === 'csv')
          yield `${[joinKey, 'event_timestamp', ...refs.map((r) => (full ? `${r.view.name}__${r.field.name}` : r.field.name))].join(',')}\n`;
        return;
      }
      if (format === 'csv') yield `${first.value.columns.map((c) => csvField(c, raw)).join(',')}\n`;
      yield* lines(first.value, text, raw);
      for await (const chunk of chunks) yield* lines(chunk, text, raw);
    } finally {
      await chunks.return(undefined);
    }
  }
  const stream = Readable.from(body_());
  // a client gone before the body started never runs body_'s finally: release the query here too
  stream.on('close', () => void chunks.return(undefined));
  return reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson').send(stream);
}
