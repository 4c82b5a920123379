/**
 * Training runs and the model registry over HTTP, with live progress as Server-Sent Events.
 * `/models` also answers the seed's model-management service (GET, POST with force_update, DELETE).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { MODEL_NAMES, type ModelName, type ModelVersion, type RunEvent, type RunRecord, type VersionRun } from '../../src-shared/training';
import { models as modelRoutes, runs as runRoutes } from '../../src-shared/routes/training';
import { HttpError } from './errors';
import { pageLimit } from '../../src-shared/paging';
import type { EventStreams } from './event-stream';
import { serve } from './declare';
import { compareRegistered, promote, describeEvaluation, metricOf, pickThreshold, promotionCheck, thresholdRule } from '../serving';
import { InputError } from '../platform';

/** a run as lists show it: the per-batch history counted, not sent */
const summary = (r: RunRecord): RunRecord => ({
  ...r,
  history: { epochs: r.history.epochs, batches: [], batchCount: r.history.batches.length },
});

export const trainingRoutes: FastifyPluginAsync<{ engines: Engines; streams: EventStreams }> = async (app, { engines, streams }) => {
  const runs = engines.runs;
  const models = engines.models;

  /** is this version what serving answers with for its model (alias production, else newest)? */
  const served = async (name: ModelName) => (await models.resolve(name))?.version;
  /** the run a version came from, with its name and tags as they are now */
  const runOf = (v: ModelVersion): VersionRun | undefined => {
    const r = runs.find(v.runId);
    return r && { id: r.id, ...(r.name ? { name: r.name } : {}), tags: r.tags ?? [] };
  };
  const withRun = (v: ModelVersion): ModelVersion => {
    const run = runOf(v);
    return run ? { ...v, run } : v;
  };
  /** the version an alias points at now (not the newest-version fallback) */
  const holderOf = async (name: string, alias: string) => (await models.list(name)).find((v) => v.aliases.includes(alias));

  serve(app, runRoutes.list, async (req) =>
    runs
      .list()
      .slice(0, pageLimit(req.query.limit, 200))
      .map((r) => (req.query.full === 'true' ? r : summary(r))),
  );
  serve(app, runRoutes.get, async (req) => runs.get(req.params.id));
  serve(app, runRoutes.start, async (req, reply) => {
    reply.status(202);
    return runs.start(req.body);
  });
  serve(app, runRoutes.labels, async (req) => summary(await runs.label(req.params.id, req.body)));
  serve(app, runRoutes.cancel, async (req) => summary(await runs.cancel(req.params.id)));
  serve(app, runRoutes.rerun, async (req, reply) => {
    const r = await runs.rerun(req.params.id);
    reply.status(202);
    return r;
  });

  // one listener on the run queue, however many consoles and tools follow runs
  const runEvents = streams.fanout<RunEvent>((on) => {
    runs.on('event', on);
    return () => runs.off('event', on);
  });
  const ended = (e: RunEvent) => e.type === 'done';

  serve(app, runRoutes.events, async (req, reply) => {
    const r = await runs.get(req.params.id);
    const first: RunEvent[] = [{ type: 'snapshot', runId: r.id, record: r }];
    if (['succeeded', 'failed', 'cancelled'].includes(r.status)) first.push({ type: 'done', runId: r.id, record: r });
    runEvents.serve(req, reply, { filter: (e) => e.runId === r.id, first, endOn: ended });
    return reply;
  });
  serve(app, runRoutes.allEvents, async (req, reply) => {
    runEvents.serve(req, reply, { filter: () => true });
    return reply;
  });

  /* ---------- model registry ---------- */

  serve(app, modelRoutes.list, async () => {
    const all = await models.list();
    const names = [...new Set([...MODEL_NAMES, ...(await models.names())])];
    return Promise.all(
      names.map(async (name) => ({
        id: name,
        base: all.find((v) => v.name === name)?.base ?? name,
        served_version: (await served(name)) ?? null,
        versions: all.filter((v) => v.name === name).map(withRun),
        latest_run: runs.list().find((r) => r.model === name) ?? null,
      })),
    );
  });
  serve(app, modelRoutes.train, async (req, reply) => {
    const id = req.body.model ?? req.body.id;
    if (!id) throw new HttpError(400, 'validation_error', 'body.id is required: the model to train (v1, v2 or v3)', { field: 'body.id' });
    const name: ModelName = id;
    const force = req.body.force_update === true || req.body.force_update === 'True' || req.body.force_update === 'true';
    if (!force && (await models.list(name)).length > 0)
      throw new HttpError(409, 'conflict', `model ${name} exists already: send "force_update": true to train a new version`);
    // nor while its first run is on its way (the same request sent again, at once: five runs, a hostile probe);
    // checked and queued with no wait between, so two such requests cannot both pass
    const inFlight = force ? undefined : runs.list().find((r) => r.model === name && (r.status === 'queued' || r.status === 'running'));
    if (inFlight)
      throw new HttpError(
        409,
        'conflict',
        `model ${name} is being trained already (run ${inFlight.id}, ${inFlight.status}): wait for it, or send "force_update": true to train another version`,
      );
    const run = await runs.start({ model: name, base: req.body.base, params: req.body.params, alias: req.body.alias });
    reply.status(202);
    return { status: 'queued' as const, model_id: name, run_id: run.id, job_id: run.id, events: `/runs/${run.id}/events` };
  });
  serve(app, modelRoutes.versions, async (req) => (await models.list(req.params.name)).map(withRun));
  serve(app, modelRoutes.version, async (req) => withRun(await models.get(req.params.name, req.params.version)));
  serve(app, modelRoutes.search, async (req) => {
    const { model, alias, tag, metric, min } = req.query;
    if (min !== undefined && !metric)
      throw new InputError('querystring.metric', 'metric: required with min (accuracy, precision, recall, f1, averagePrecision or rocAuc)');
    const found = (await models.list(model)).map(withRun).filter((v) => (!alias || v.aliases.includes(alias)) && (!tag || v.run?.tags.includes(tag)));
    if (!metric) return found;
    const floor = min === undefined ? 0 : Number(min);
    const hits = [];
    for (const v of found) {
      const e = await engines.evaluations.evaluate(v);
      const value = metricOf(v, e, metric);
      if (value >= floor) hits.push({ ...v, evaluated: { metric, value, set: e.set, messages: e.curves.n } });
    }
    return hits;
  });
  serve(app, modelRoutes.compare, async (req) =>
    compareRegistered({ models, evaluations: engines.evaluations, runs }, req.params.name, req.query.versions.split(',')),
  );
  serve(app, modelRoutes.delete, async (req) => {
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
  });
  serve(app, modelRoutes.deleteVersion, async (req) => {
    const name = req.params.name;
    const s = await served(name);
    await models.delete(name, req.params.version, { force: req.query.force === 'true', isServed: (v) => v.version === s });
    return { deleted: [`${name}/${req.params.version}`] };
  });
  serve(app, modelRoutes.evaluation, async (req) => {
    const v = await models.get(req.params.name, req.params.version);
    return describeEvaluation(v, await engines.evaluations.evaluate(v));
  });
  serve(app, modelRoutes.setThreshold, async (req) => {
    const rule = thresholdRule(req.body);
    const v = await models.get(req.params.name, req.params.version);
    const t = pickThreshold(await engines.evaluations.evaluate(v), rule, req.body.note);
    return models.setThreshold(req.params.name, v.version, t);
  });
  serve(app, modelRoutes.promotionCheck, async (req) => {
    const alias = req.query.alias ?? 'production';
    const candidate = await models.get(req.params.name, req.params.version);
    return promotionCheck(engines.evaluations, candidate, await holderOf(req.params.name, alias), alias, req.query.metric ?? 'f1');
  });
  serve(app, modelRoutes.aliasHistory, async (req) => models.aliasHistory(req.params.name, req.query.alias));
  serve(app, modelRoutes.rollback, async (req) => models.rollback(req.params.name, req.params.alias, req.body.note));
  serve(app, modelRoutes.setAlias, async (req) => {
    const { alias, version, note, guard, confirm } = req.body;
    return (await promote(models, engines.evaluations, req.params.name, alias, version, { guard, confirm, note })).version;
  });
  serve(app, modelRoutes.removeAlias, async (req) => {
    await models.removeAlias(req.params.name, req.params.alias, { force: req.query.force === 'true' });
    return { removed: req.params.alias };
  });
};
