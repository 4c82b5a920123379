/**
 * Data imports over HTTP: a file uploaded as multipart/form-data (seed CSV, UCI SMS TSV, UCI
 * YouTube CSV or a UCI zip; at most server.uploadLimitBytes, else 413; another type, 415) or the
 * UCI download, each a job whose steps stream as Server-Sent Events.
 */
import type { FastifyPluginAsync } from 'fastify';
import multipart, { type MultipartFile } from '@fastify/multipart';
import { mkdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import type { Engines } from '../engines';
import { DataImports } from '../setup';
import { sniffDataset } from '../dataset';
import { DATASETS_ACCEPTED, type ImportEvent } from '../../src-shared/data';
import { data as routes } from '../../src-shared/routes/data';
import { serve } from './declare';
import { HttpError } from './errors';
import type { EventStreams } from './event-stream';

const ACCEPTED = DATASETS_ACCEPTED;

/** what @fastify/multipart and busboy throw, as answers that say what to send */
function multipartError(e: unknown): unknown {
  if (e instanceof HttpError) return e;
  const err = e as { code?: string; message?: string; statusCode?: number };
  if (err.code === 'FST_FILES_LIMIT')
    return new HttpError(400, 'validation_error', 'one file per import: send the others in imports of their own', { field: 'file' });
  if (err.code === 'FST_FIELDS_LIMIT' || err.code === 'FST_PARTS_LIMIT')
    return new HttpError(400, 'validation_error', 'too many form fields: send the dataset alone, in the field "file"', { field: 'file' });
  if (err.code === 'FST_REQ_FILE_TOO_LARGE' || (err.statusCode !== undefined && err.statusCode < 500)) return e;
  // a body that is not well-formed multipart (no boundary, cut short): the client's, not ours
  return new HttpError(
    400,
    'bad_request',
    `the body is not a well-formed multipart/form-data upload (${err.message ?? String(e)}): send the file in the field "file"`,
  );
}

export const dataRoutes: FastifyPluginAsync<{ engines: Engines; streams: EventStreams }> = async (app, { engines, streams }) => {
  const imports = new DataImports(engines);
  // the imports an earlier process left unfinished: said so, and their rows brought into the feature store
  const recovered = await imports.recover().catch((e: Error) => {
    app.log.warn({ err: e }, `the imports left unfinished could not be looked at: ${e.message}`);
    return [];
  });
  if (recovered.length > 0)
    app.log.warn(`${recovered.length} import(s) left unfinished by an earlier process: marked failed (${recovered.map((j) => j.id).join(', ')})`);
  const limit = engines.config.server.uploadLimitBytes;
  await app.register(multipart, { limits: { fileSize: limit, files: 1, fields: 4, parts: 5 } });

  serve(app, routes.summary, async () => {
    const labels = await engines.storage.labelled.countByLabel();
    return { labelled: Object.values(labels).reduce((a, b) => a + b, 0), labels, upload_limit_bytes: limit };
  });

  serve(app, routes.upload, async (req, reply) => {
    if (!req.isMultipart()) throw new HttpError(415, 'unsupported_media_type', `send the file as multipart/form-data (field "file"): ${ACCEPTED}`);
    const dir = join(engines.config.dataDir, 'imports');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${Date.now()}-${randomBytes(4).toString('hex')}.upload`);
    try {
      let file: MultipartFile | undefined;
      try {
        // every part is read: a second file or a field of another name is refused, not ignored
        for await (const part of req.parts()) {
          if (part.type !== 'file') continue;
          if (part.fieldname !== 'file')
            throw new HttpError(400, 'validation_error', `the file came in the field "${part.fieldname}": send it in the field "file"`, { field: 'file' });
          if (file) throw new HttpError(400, 'validation_error', 'one file per import: send the others in imports of their own', { field: 'file' });
          file = part;
          // a file over the limit ends the stream with 413 (FST_REQ_FILE_TOO_LARGE): nothing kept
          await pipeline(part.file, createWriteStream(path));
        }
      } catch (e) {
        throw multipartError(e);
      }
      if (!file) throw new HttpError(400, 'validation_error', 'no file in the form: send it in the field "file"', { field: 'file' });
      if (file.file.truncated)
        throw new HttpError(
          413,
          'payload_too_large',
          `${file.filename}: the file is larger than the upload limit (${limit} bytes, server.uploadLimitBytes in config.json); nothing was kept`,
        );
      const kind = sniffDataset(path);
      if (kind?.kind === 'utf16')
        throw new HttpError(
          415,
          'unsupported_media_type',
          `${file.filename} is UTF-16 text: save it as UTF-8 (in a spreadsheet: "CSV UTF-8") and upload it again`,
        );
      if (!kind) throw new HttpError(415, 'unsupported_media_type', `${file.filename}: not a dataset SpamOps reads; expected ${ACCEPTED}`);
      const size = file.file.bytesRead;
      const name = basename(file.filename || 'upload');
      reply.status(202);
      return imports.start(kind.kind === 'file' ? { kind: 'file', path, name, format: kind.format, size } : { kind: 'archive', path, name, size });
    } catch (e) {
      rmSync(path, { force: true });
      throw e;
    }
  });

  serve(app, routes.uci, async (req, reply) => {
    reply.status(202);
    return imports.start({ kind: 'uci', which: req.body.which });
  });

  serve(app, routes.imports, async () => imports.list());
  serve(app, routes.import, async (req) => {
    const job = await imports.get(req.params.id);
    if (!job) throw new HttpError(404, 'not_found', `no import ${req.params.id}`);
    return job;
  });

  const events = streams.fanout<ImportEvent>((on) => {
    imports.on('event', on);
    return () => imports.off('event', on);
  });
  serve(app, routes.events, async (req, reply) => {
    const job = await imports.get(req.params.id);
    if (!job) throw new HttpError(404, 'not_found', `no import ${req.params.id}`);
    const first: ImportEvent[] = [{ type: job.status === 'running' ? 'job' : 'done', job }];
    events.serve(req, reply, { filter: (e) => e.job.id === job.id, first, endOn: (e) => e.type === 'done' });
    return reply;
  });
  app.addHook('onClose', async () => imports.stop());
};
