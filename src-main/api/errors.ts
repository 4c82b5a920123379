/**
 * One error handler for the whole API: every failure becomes `{error, detail, field?, known?}`
 * with a 4xx for bad input, and a 5xx only for what the server itself could not do.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ApiErrorBody } from '../../src-shared/errors';
import { OfflineEngineError, OfflineMemoryError, OfflineSourceError, RegistryEmptyError, UnknownNameError } from '../featurestore';
import { ArtifactError, InputError, isDiskFullError, noteDiskFull } from '../platform';
import { IngestionError } from '../inbox';
import { StorageBusyError } from '../storage';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Partial<ApiErrorBody> = {},
  ) {
    super(message);
  }
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    const send = (status: number, body: ApiErrorBody) => reply.status(status).send(body);
    if (err instanceof HttpError) return send(err.statusCode, { error: err.code, detail: err.message, ...err.extra });
    if (err instanceof UnknownNameError) return send(404, { error: 'not_found', detail: err.message, known: err.known });
    if (err instanceof InputError) return send(400, { error: 'bad_request', detail: err.message, field: err.field });
    if (err instanceof RegistryEmptyError) return send(409, { error: 'registry_empty', detail: err.message });
    if (err instanceof OfflineSourceError) return send(503, { error: 'offline_source_unavailable', detail: err.message });
    if (err instanceof OfflineEngineError) return send(503, { error: 'offline_engine_unavailable', detail: err.message });
    if (err instanceof OfflineMemoryError) return send(503, { error: 'offline_engine_out_of_memory', detail: err.message });
    // a missing or broken model file or tokenizer: this route cannot answer, the others can
    if (err instanceof ArtifactError) return send(503, { error: 'artifact_unavailable', detail: err.message, file: err.file });
    // another program holds the database's lock: nothing was written, and it passes
    if (err instanceof StorageBusyError) {
      reply.header('retry-after', String(err.retryAfterSeconds));
      return send(503, { error: 'storage_busy', detail: err.message });
    }
    if (err instanceof IngestionError)
      return send(err.code === 'not_found' ? 404 : err.code === 'stream_off' ? 409 : 503, { error: err.code, detail: err.message });
    const fe = err as FastifyError;
    if (fe.validation) {
      const v = fe.validation[0];
      const where = fe.validationContext ?? 'body';
      const path = v?.instancePath ? v.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
      const missing = (v?.params as { missingProperty?: string } | undefined)?.missingProperty;
      const extraProp = (v?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
      const field = [where, path, missing ?? extraProp].filter(Boolean).join('.');
      const what = missing ? 'is required' : extraProp ? 'is not an accepted field' : (v?.message ?? 'is invalid');
      // a schema with a description says what it expects in words ("a TimeUUID"), not as a pattern
      const expected = v?.keyword === 'pattern' ? (v as { parentSchema?: { description?: string } } | undefined)?.parentSchema?.description : undefined;
      return send(400, { error: 'validation_error', detail: expected ? `${field}: expected ${expected}` : `${field} ${what}`, field });
    }
    const status = fe.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const detail =
        fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? `unsupported content type "${req.headers['content-type'] ?? ''}": send application/json`
          : fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
            ? 'request body too large'
            : fe.code === 'FST_REQ_FILE_TOO_LARGE'
              ? 'the file is larger than the upload limit (server.uploadLimitBytes in config.json); nothing was kept'
              : fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
                ? `malformed JSON: ${err.message}`
                : err.message;
      return send(status, { error: fe.code ?? 'bad_request', detail });
    }
    if (isDiskFullError(err)) {
      noteDiskFull(err);
      return send(507, {
        error: 'insufficient_storage',
        detail: `the disk is full: ${err.message}; this request was not carried out — free space on the disk holding the data dir, then retry`,
      });
    }
    req.log.error(err);
    return send(500, { error: 'internal_error', detail: `the server failed on this request: ${err.message}` });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: 'not_found', detail: `no route ${req.method} ${req.url.split('?')[0].slice(0, 200)}` } satisfies ApiErrorBody);
  });
}
