/**
 * One error handler for the whole API: every failure becomes `{error, detail, field?, known?}`
 * with a 4xx for bad input, and a 5xx only for what the server itself could not do.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { HISTORICAL_MAX_ENTITIES, PUSH_MAX_ROWS } from '../../src-shared/featurestore';
import { REGISTRY_EMPTY, type ApiErrorBody } from '../../src-shared/errors';
import { OfflineEngineError, OfflineMemoryError, OfflineSourceError, RegistryEmptyError, UnknownNameError } from '../featurestore';
import { ArtifactError, InputError, isDatabaseDamaged, isDiskFullError, noteDatabaseDamaged, noteDiskFull } from '../platform';
import { IngestionError } from '../inbox';
import { AlreadyAcknowledgedError, RetrainUnderWayError, UnknownFeatureError } from '../monitoring';
import {
  FeatureVectorError,
  NoModelYetError,
  NotServedError,
  ThresholdUnreachableError,
  UnknownAliasError,
  UnknownModelError,
  WorseThanHolderError,
  FlatteredCandidateError,
} from '../serving';
import {
  InvalidAliasError,
  NothingToRollBackError,
  RunEndedError,
  RunNotFoundError,
  RunOfAnotherProcessError,
  VersionInUseError,
  VersionNotFoundError,
} from '../training';
// the registry's newer errors straight from the models module (the training module passes on only those it had)
import { AliasNotSetError, ModelNotFoundError, ServingAliasError } from '../models';
import { AliasMovedError, DuplicateKeyError, OnlineStoreUnavailableError, SmsIdTakenError, StorageBusyError } from '../storage';

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

type SchemaError = NonNullable<FastifyError['validation']>[number] & { parentSchema?: Schema };
interface Schema {
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  type?: string;
  pattern?: string;
  description?: string;
}

/** what a schema accepts, in words: the allowed values of an enum or a union of literals, else its type */
function accepted(s: Schema): string[] {
  if (s.const !== undefined) return [JSON.stringify(s.const)];
  if (s.enum) return s.enum.map((x) => JSON.stringify(x));
  const literals = (x: Schema): boolean => x.const !== undefined || !!x.enum || (!!x.anyOf && x.anyOf.every(literals));
  if (s.anyOf && (literals(s) || !s.description)) return s.anyOf.flatMap(accepted);
  if (s.description) return [s.description];
  if (s.type === 'null') return ['null'];
  if (s.type === 'string' && s.pattern) return [`a string matching ${s.pattern}`];
  if (s.type) return [s.type === 'object' || s.type === 'array' || s.type === 'integer' ? `an ${s.type}` : `a ${s.type}`];
  return [];
}

/** a failed schema check as `{error, detail, field}`: the field by its path, and what it expected */
function validationAnswer(errors: SchemaError[], where: string): ApiErrorBody {
  const pathOf = (e: SchemaError) => (e.instancePath ? e.instancePath.replace(/^\//, '').replace(/\//g, '.') : '');
  // A union (anyOf) reports each branch, then itself. When every branch failed on the value itself,
  // the answer lists what the union accepts; when a branch got deeper, its error is the useful one.
  const union = errors.findLast((e) => e.keyword === 'anyOf');
  if (union) {
    const deeper = errors.filter((e) => e.instancePath.length > union.instancePath.length && e.instancePath.startsWith(union.instancePath));
    if (deeper.length === 0 && union.parentSchema) {
      const field = [where, pathOf(union)].filter(Boolean).join('.');
      return { error: 'validation_error', detail: `${field}: expected one of ${accepted(union.parentSchema).join(', ')}`, field };
    }
    if (deeper.length) errors = [deeper.reduce((a, b) => (b.instancePath.length > a.instancePath.length ? b : a))];
  }
  const v = errors[0];
  const path = v ? pathOf(v) : '';
  const missing = (v?.params as { missingProperty?: string } | undefined)?.missingProperty;
  const extraProp = (v?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
  const field = [where, path, missing ?? extraProp].filter(Boolean).join('.');
  if (v?.keyword === 'enum' && v.parentSchema)
    return { error: 'validation_error', detail: `${field}: expected one of ${accepted(v.parentSchema).join(', ')}`, field };
  const what = missing ? 'is required' : extraProp ? 'is not an accepted field' : (v?.message ?? 'is invalid');
  // a schema with a description says what it expects in words ("a TimeUUID"), not as a pattern
  const expected = v?.keyword === 'pattern' ? v.parentSchema?.description : undefined;
  return { error: 'validation_error', detail: expected ? `${field}: expected ${expected}` : `${field} ${what}`, field };
}

/** the 413 names the limit of the route that refused the body, and where that limit comes from */
function bodyTooLarge(req: FastifyRequest): string {
  const limit = req.routeOptions.bodyLimit;
  const url = req.routeOptions.url ?? req.url.split('?')[0];
  if (limit === undefined) return 'request body too large';
  const from =
    url === '/get-historical-features'
      ? `room for ${HISTORICAL_MAX_ENTITIES.toLocaleString('en')} entity rows; send more as several requests, or entities: "all"`
      : url === '/push'
        ? `room for ${PUSH_MAX_ROWS.toLocaleString('en')} rows of features v2; send more as several pushes`
        : 'server.bodyLimitBytes in config.json';
  return `request body too large: ${req.method} ${url} takes at most ${limit.toLocaleString('en')} bytes (${from})`;
}

/** an error's answer: its status, body and headers */
export interface ErrorAnswer {
  status: number;
  body: ApiErrorBody;
  headers?: Record<string, string>;
}

/**
 * The answer of every error that is not Fastify's own (a domain error, an HttpError, a full disk);
 * undefined for the others. Fastify's error handler and the hot routes (hot-routes.ts) answer
 * through it.
 */
export function errorAnswer(err: unknown): ErrorAnswer | undefined {
  const send = (status: number, body: ApiErrorBody): ErrorAnswer => ({ status, body });
  if (err instanceof HttpError) return send(err.statusCode, { error: err.code, detail: err.message, ...err.extra });
  if (err instanceof UnknownNameError) return send(404, { error: 'not_found', detail: err.message, known: err.known });
  // training and the model registry
  if (err instanceof RunNotFoundError) return send(404, { error: 'not_found', detail: err.message, known: err.known });
  if (err instanceof VersionNotFoundError) return send(404, { error: 'not_found', detail: err.message, known: err.known });
  if (err instanceof InvalidAliasError) return send(400, { error: 'bad_request', detail: err.message });
  if (err instanceof VersionInUseError) return send(409, { error: 'conflict', detail: err.message });
  if (err instanceof ModelNotFoundError) return send(404, { error: 'not_found', detail: err.message, known: err.known, field: 'name' });
  if (err instanceof AliasNotSetError) return send(404, { error: 'not_found', detail: err.message, known: err.known, field: 'alias' });
  if (err instanceof ServingAliasError) return send(409, { error: 'alias_serving', detail: err.message, field: 'alias' });
  if (err instanceof RunOfAnotherProcessError) return send(409, { error: 'conflict', detail: err.message });
  if (err instanceof RunEndedError) return send(409, { error: 'conflict', detail: err.message });
  if (err instanceof RetrainUnderWayError) return send(409, { error: 'retrain_under_way', detail: err.message, field: 'model' });
  if (err instanceof AlreadyAcknowledgedError) return send(409, { error: 'already_acknowledged', detail: err.message, field: 'body.note' });
  // serving
  if (err instanceof NotServedError) return send(404, { error: 'not_found', detail: err.message, known: err.served });
  if (err instanceof UnknownModelError) return send(404, { error: 'not_found', detail: err.message, known: err.known });
  if (err instanceof UnknownAliasError) return send(404, { error: 'not_found', detail: err.message, known: err.known });
  if (err instanceof NoModelYetError) return send(503, { error: 'model_not_trained', detail: err.message });
  if (err instanceof FeatureVectorError) return send(422, { error: 'unprocessable_features', detail: err.message, field: 'body.features' });
  if (err instanceof WorseThanHolderError) return send(409, { error: 'worse_than_holder', detail: err.message, field: 'version', check: err.check });
  if (err instanceof FlatteredCandidateError) return send(409, { error: 'trained_on_evaluation_set', detail: err.message, field: 'version', check: err.check });
  if (err instanceof AliasMovedError) return send(409, { error: 'alias_moved', detail: err.message, field: 'alias' });
  if (err instanceof NothingToRollBackError) return send(409, { error: 'nothing_to_roll_back', detail: err.message, field: 'alias' });
  if (err instanceof ThresholdUnreachableError) return send(422, { error: 'threshold_unreachable', detail: err.message, field: err.field });
  // monitoring
  if (err instanceof UnknownFeatureError)
    return send(400, { error: 'validation_error', detail: `params.feature: ${err.message}`, field: 'params.feature', known: err.known });
  if (err instanceof InputError) return send(400, { error: 'bad_request', detail: err.message, field: err.field });
  if (err instanceof RegistryEmptyError) return send(409, { error: REGISTRY_EMPTY, detail: err.message });
  if (err instanceof OfflineSourceError) return send(503, { error: 'offline_source_unavailable', detail: err.message });
  if (err instanceof OfflineEngineError) return send(503, { error: 'offline_engine_unavailable', detail: err.message });
  if (err instanceof OfflineMemoryError) return send(503, { error: 'offline_engine_out_of_memory', detail: err.message });
  // a missing or broken model file or tokenizer: this route cannot answer, the others can
  if (err instanceof ArtifactError) return send(503, { error: 'artifact_unavailable', detail: err.message, file: err.file });
  // another program holds the database's lock: nothing was written, and it passes
  if (err instanceof StorageBusyError)
    return { status: 503, body: { error: 'storage_busy', detail: err.message }, headers: { 'retry-after': String(err.retryAfterSeconds) } };
  if (err instanceof IngestionError)
    return send(err.code === 'not_found' ? 404 : err.code === 'stream_off' || err.code === 'never_stored' ? 409 : 503, {
      error: err.code,
      detail: err.message,
    });
  if (err instanceof OnlineStoreUnavailableError)
    return send(503, { error: 'online_store_unavailable', detail: `${err.message}; start it again: SpamOps reconnects by itself` });
  if (err instanceof SmsIdTakenError) return send(409, { error: 'sms_id_taken', detail: err.message, field: 'sms_id' });
  if (err instanceof DuplicateKeyError) return send(409, { error: 'conflict', detail: err.message, field: 'sms_id' });
  if (isDatabaseDamaged(err)) {
    noteDatabaseDamaged(err);
    return send(503, {
      error: 'storage_damaged',
      detail: `the database file is damaged (${(err as Error).message}): this request was not carried out; /health names the file and how to restore or recover it`,
    });
  }
  if (isDiskFullError(err)) {
    noteDiskFull(err);
    return send(507, {
      error: 'insufficient_storage',
      detail: `the disk is full: ${(err as Error).message}; this request was not carried out — free space on the disk holding the data dir, then retry`,
    });
  }
  return undefined;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    const send = (status: number, body: ApiErrorBody) => reply.status(status).send(body);
    const known = errorAnswer(err);
    if (known) {
      if (known.headers) reply.headers(known.headers);
      return send(known.status, known.body);
    }
    const fe = err as FastifyError;
    if (fe.validation) return send(400, validationAnswer(fe.validation, fe.validationContext ?? 'body'));
    const status = fe.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const detail =
        fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? `unsupported content type "${req.headers['content-type'] ?? ''}": ${
              req.routeOptions.url === '/data/imports'
                ? 'send the file as multipart/form-data in the field "file" (curl -F file=@data.csv)'
                : 'send application/json'
            }`
          : fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
            ? 'the body is empty: send a JSON object (the content type says application/json)'
            : fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
              ? bodyTooLarge(req)
              : fe.code === 'FST_REQ_FILE_TOO_LARGE'
                ? 'the file is larger than the upload limit (server.uploadLimitBytes in config.json); nothing was kept'
                : fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
                  ? `malformed JSON: ${err.message}`
                  : err.message;
      // Fastify's codes for a body it could not read are told as the API's own
      const code = fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'bad_request' : (fe.code ?? 'bad_request');
      return send(status, { error: code, detail });
    }
    req.log.error({ reqId: req.id, err }, err.message);
    return send(500, { error: 'internal_error', detail: `the server failed on this request: ${err.message}` });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: 'not_found', detail: `no route ${req.method} ${req.url.split('?')[0].slice(0, 200)}` } satisfies ApiErrorBody);
  });
}
