/**
 * Training runs and the model registry over HTTP, with live progress as Server-Sent Events.
 * `/models` also answers the seed's model-management service (GET, POST with force_update, DELETE).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import {
  AliasBody,
  AliasParam,
  ForceQuery,
  MODEL_NAMES,
  ModelParam,
  ModelsPost,
  ModelVersionParam,
  RunIdParam,
  RunsQuery,
  StartRunRequest,
  type DeletedAnswer,
  type ModelEntry,
  type ModelName,
  type ModelsPostAnswer,
  type ModelVersion,
  type RunEvent,
  type RunRecord,
} from '../../src-shared/training';
import { RegistryError, RunNotFoundError } from '../training';
import { HttpError } from './errors';
import { pageLimit } from '../../src-shared/paging';
import type { EventStreams } from './event-stream';

const summary = (r: RunRecord) => ({
  ...r,
  history: { epochs: r.history.epochs, batches: [] as RunRecord['history']['batches'], batchCount: r.history.batches.length },
});

export const trainingRoutes: FastifyPluginAsync<{ engines: Engines; streams: EventStreams }> = async (app, { engines, streams }) => {
  const runs = engines.runs;
  const models = engines.models;
  const tags = ['training'];

  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof RunNotFoundError) throw new HttpError(404, 'not_found', e.message, { known: e.known });
      if (e instanceof RegistryError)
        throw new HttpError(
          e.status,
          e.status === 409 ? 'conflict' : e.status === 404 ? 'not_found' : 'bad_request',
          e.message,
          e.known ? { known: e.known } : {},
        );
      throw e;
    }
  };
  /** is this version what serving answers with for its model (alias production, else newest)? */
  const served = async (name: ModelName) => (await models.resolve(name))?.version;

  app.get<{ Querystring: RunsQuery }>(
    '/runs',
    { schema: { tags, summary: 'Training runs, newest first (per-batch history only with ?full=true)', querystring: RunsQuery } },
    async (req): Promise<RunRecord[]> =>
      runs
        .list()
        .slice(0, pageLimit(req.query.limit, 200))
        .map((r) => (req.query.full === 'true' ? r : summary(r))),
  );
  app.get<{ Params: RunIdParam }>(
    '/runs/:id',
    { schema: { tags, params: RunIdParam } },
    async (req): Promise<RunRecord> => wrap(async () => runs.get(req.params.id)),
  );
  app.post<{ Body: StartRunRequest }>(
    '/runs',
    { schema: { tags, summary: 'Queue a training run; answers at once with the run', body: StartRunRequest } },
    async (req, reply): Promise<RunRecord> => {
      reply.status(202);
      return runs.start(req.body);
    },
  );
  app.post<{ Params: RunIdParam }>(
    '/runs/:id/cancel',
    { schema: { tags, params: RunIdParam } },
    async (req): Promise<RunRecord> => wrap(async () => summary(await runs.cancel(req.params.id))),
  );
  app.post<{ Params: RunIdParam }>(
    '/runs/:id/rerun',
    { schema: { tags, params: RunIdParam, summary: 'Repeat a run from its record (same data, parameters, seed)' } },
    async (req, reply): Promise<RunRecord> =>
      wrap(async () => {
        reply.status(202);
        return runs.rerun(req.params.id);
      }),
  );

  // one listener on the run queue, however many consoles and tools follow runs
  const runEvents = streams.fanout<RunEvent>((on) => {
    runs.on('event', on);
    return () => runs.off('event', on);
  });
  const ended = (e: RunEvent) => e.type === 'done';

  app.get<{ Params: RunIdParam }>(
    '/runs/:id/events',
    { schema: { tags, params: RunIdParam, summary: 'Server-Sent Events of one run: its record, then progress until it ends' } },
    async (req, reply) => {
      const r = await wrap(async () => runs.get(req.params.id));
      const first: RunEvent[] = [{ type: 'snapshot', runId: r.id, record: r }];
      if (['succeeded', 'failed', 'cancelled'].includes(r.status)) first.push({ type: 'done', runId: r.id, record: r });
      runEvents.serve(req, reply, { filter: (e) => e.runId === r.id, first, endOn: ended });
    },
  );
  app.get(
    '/runs-events',
    { schema: { tags, summary: 'Server-Sent Events of every run (status, epochs; batches throttled by the client)' } },
    async (req, reply) => {
      runEvents.serve(req, reply, { filter: () => true });
    },
  );

  /* ---------- model registry ---------- */

  const rtags = ['model registry'];
  app.get(
    '/models',
    { schema: { tags: rtags, summary: 'Registered models and versions with metrics, aliases and which version is served' } },
    async (): Promise<ModelEntry[]> => {
      const all = await models.list();
      const names = [...new Set([...MODEL_NAMES, ...(await models.names())])];
      return Promise.all(
        names.map(async (name) => ({
          id: name,
          base: all.find((v) => v.name === name)?.base ?? name,
          served_version: (await served(name)) ?? null,
          versions: all.filter((v) => v.name === name),
          latest_run: runs.list().find((r) => r.model === name) ?? null,
        })),
      );
    },
  );
  app.post<{ Body: ModelsPost }>(
    '/models',
    { schema: { tags: rtags, summary: 'Train a model (id v1, v2 or v3); an existing one is retrained only with force_update', body: ModelsPost } },
    async (req, reply): Promise<ModelsPostAnswer> => {
      const id = req.body.model ?? req.body.id;
      if (!id) throw new HttpError(400, 'validation_error', 'body.id is required: the model to train (v1, v2 or v3)', { field: 'body.id' });
      const name: ModelName = id;
      const force = req.body.force_update === true || req.body.force_update === 'True' || req.body.force_update === 'true';
      if (!force && (await models.list(name)).length > 0)
        throw new HttpError(409, 'conflict', `model ${name} exists already: send "force_update": true to train a new version`);
      const run = await runs.start({ model: name, base: req.body.base, params: req.body.params, alias: req.body.alias });
      reply.status(202);
      return { status: 'queued', model_id: name, run_id: run.id, job_id: run.id, events: `/runs/${run.id}/events` };
    },
  );
  app.get<{ Params: ModelParam }>(
    '/models/:name',
    { schema: { tags: rtags, params: ModelParam } },
    async (req): Promise<ModelVersion[]> => wrap(() => models.list(req.params.name)),
  );
  app.get<{ Params: ModelVersionParam }>(
    '/models/:name/versions/:version',
    { schema: { tags: rtags, params: ModelVersionParam } },
    async (req): Promise<ModelVersion> => wrap(() => models.get(req.params.name, req.params.version)),
  );
  app.delete<{ Params: ModelParam; Querystring: ForceQuery }>(
    '/models/:name',
    {
      schema: {
        tags: rtags,
        params: ModelParam,
        querystring: ForceQuery,
        summary: 'Delete every version of a model (refused while served unless ?force=true)',
      },
    },
    async (req): Promise<DeletedAnswer> =>
      wrap(async () => {
        const name = req.params.name;
        const versions = await models.list(name);
        if (versions.length === 0)
          throw new HttpError(404, 'not_found', `model ${name} has no versions; models with versions: ${(await models.names()).join(', ') || '(none)'}`, {
            known: await models.names(),
          });
        const force = req.query.force === 'true';
        const s = await served(name);
        if (!force && s) throw new HttpError(409, 'conflict', `model ${name} is being served (version ${s}): delete with ?force=true`);
        for (const v of versions) await models.delete(name, v.version, { force: true });
        return { deleted: versions.map((v) => `${name}/${v.version}`) };
      }),
  );
  app.delete<{ Params: ModelVersionParam; Querystring: ForceQuery }>(
    '/models/:name/versions/:version',
    { schema: { tags: rtags, params: ModelVersionParam, querystring: ForceQuery } },
    async (req): Promise<DeletedAnswer> =>
      wrap(async () => {
        const name = req.params.name;
        const s = await served(name);
        await models.delete(name, req.params.version, { force: req.query.force === 'true', isServed: (v) => v.version === s });
        return { deleted: [`${name}/${req.params.version}`] };
      }),
  );
  app.post<{ Params: ModelParam; Body: AliasBody }>(
    '/models/:name/aliases',
    { schema: { tags: rtags, params: ModelParam, body: AliasBody } },
    async (req): Promise<ModelVersion> =>
      wrap(async () => {
        const name = req.params.name;
        await models.setAlias(name, req.body.alias, req.body.version);
        return models.get(name, req.body.version);
      }),
  );
  app.delete<{ Params: AliasParam }>(
    '/models/:name/aliases/:alias',
    { schema: { tags: rtags, params: AliasParam } },
    async (req): Promise<{ removed: string }> =>
      wrap(async () => {
        await models.removeAlias(req.params.name, req.params.alias);
        return { removed: req.params.alias };
      }),
  );
};
