/** Monitoring over HTTP: drift reports (current and over time), alerts, recorded predictions, the simulator. */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Engines } from '../engines';
import { HttpError } from './errors';

const ModelQuery = Type.Object(
  { model: Type.Optional(Type.String({ maxLength: 40 })), size: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' })), hours: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })) },
  { additionalProperties: false },
);
const CheckBody = Type.Object(
  { model: Type.String({ minLength: 1, maxLength: 40 }), size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })), hours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100000 })) },
  { additionalProperties: false },
);
const SimulateBody = Type.Object(
  {
    idPattern: Type.String({ minLength: 1, maxLength: 200 }),
    count: Type.Integer({ minimum: 1, maximum: 100000 }),
    rate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10000 })),
    labelDelayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })),
    recipient: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    labelShare: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);
const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const monitoringRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  const mon = engines.monitor;
  const sim = engines.simulator;
  const tags = ['monitoring'];
  const modelOf = (m?: string) => {
    const model = m ?? 'v3';
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/.test(model)) throw new HttpError(400, 'validation_error', `model: expected a model id, got "${model.slice(0, 50)}"`, { field: 'model' });
    return model;
  };
  const checked = async <T>(model: string, fn: () => Promise<T>): Promise<T> => {
    if (!(await engines.models.resolve(model))) throw new HttpError(404, 'not_found', `model ${model} has no trained version to monitor`, { known: await engines.models.names() });
    return fn();
  };

  app.get<{ Querystring: Static<typeof ModelQuery> }>('/monitoring/drift', { schema: { tags, summary: 'Drift of the latest window against the training reference (not stored)', querystring: ModelQuery } }, async (req) => {
    const model = modelOf(req.query.model);
    return checked(model, () => mon.check(model, { size: req.query.size ? Number(req.query.size) : undefined, hours: req.query.hours ? Number(req.query.hours) : undefined }, false));
  });
  app.post<{ Body: Static<typeof CheckBody> }>('/monitoring/check', { schema: { tags, summary: 'Compute, store and alert on a drift report', body: CheckBody } }, async (req) => {
    const model = modelOf(req.body.model);
    return checked(model, () => mon.check(model, { size: req.body.size, hours: req.body.hours }));
  });
  app.get<{ Querystring: Static<typeof ModelQuery> }>('/monitoring/drift/history', { schema: { tags, summary: 'Stored drift reports, oldest first (the time series)', querystring: ModelQuery } }, async (req) =>
    (await mon.history(req.query.model)).map((r) => ({ ...r, features: r.features.map(({ bins, reference, current, ...f }) => f) })),
  );
  app.get('/monitoring/alerts', { schema: { tags, summary: 'Alerts, newest first' } }, async () => mon.alerts());
  app.post<{ Params: Static<typeof IdParam> }>('/monitoring/alerts/:id/ack', { schema: { tags, params: IdParam } }, async (req) => {
    const a = await mon.acknowledge(req.params.id);
    if (!a) throw new HttpError(404, 'not_found', `no alert ${req.params.id}`);
    return a;
  });
  app.get<{ Querystring: Static<typeof ModelQuery> }>('/monitoring/predictions', { schema: { tags, summary: 'Recorded predictions of a model, newest first', querystring: ModelQuery } }, async (req) => {
    await mon.recorder.flush();
    return engines.storage.predictions.recent(modelOf(req.query.model), Date.now() - Number(req.query.hours ?? 24) * 3_600_000, Number(req.query.size ?? 100));
  });
  app.post<{ Body: Static<typeof SimulateBody> }>('/monitoring/simulate', { schema: { tags, summary: 'Replay warehouse messages through the inbox, then label them (mock caller + labeler)', body: SimulateBody } }, async (req, reply) => {
    try {
      new RegExp(req.body.idPattern);
    } catch (e) {
      throw new HttpError(400, 'validation_error', `idPattern: not a regular expression: ${(e as Error).message}`, { field: 'body.idPattern' });
    }
    const { simulation } = sim.start({ rate: 50, labelDelayMs: 2000, recipient: 'simulated', labelShare: 1, ...req.body });
    reply.status(202);
    return simulation;
  });
  app.get('/monitoring/simulations', { schema: { tags } }, async () => sim.list());

  const RetrainBody = Type.Object({ model: Type.String({ minLength: 1, maxLength: 40 }), margin: Type.Optional(Type.Number({ minimum: -1, maximum: 1 })) }, { additionalProperties: false });
  app.post<{ Body: Static<typeof RetrainBody> }>(
    '/monitoring/retrain',
    { schema: { tags, summary: 'Train a challenger on the training set plus feedback labels; promote it if it beats the champion by the margin', body: RetrainBody } },
    async (req, reply) => {
      const model = modelOf(req.body.model);
      const { run } = await checked(model, () => engines.retrainer.start(model, { margin: req.body.margin ?? mon.settings.retrainMargin, trigger: 'manual' }));
      reply.status(202);
      return { model, challenger_run: run.id, decisions: '/monitoring/retrain' };
    },
  );
  const SettingsBody = Type.Object(
    {
      windowSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
      windowHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100000 })),
      qualityThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      minLabelled: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
      webhookUrl: Type.Optional(Type.Union([Type.String({ pattern: '^https?://', maxLength: 500 }), Type.Null()])),
      drift: Type.Optional(
        Type.Object(
          {
            thresholds: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Number({ minimum: 0, maximum: 10 }))),
            datasetDriftShare: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
          },
          { additionalProperties: false },
        ),
      ),
      retrainOnAlert: Type.Optional(Type.Boolean()),
      retrainEveryHours: Type.Optional(Type.Number({ minimum: 0, maximum: 10000 })),
      retrainMargin: Type.Optional(Type.Number({ minimum: -1, maximum: 1 })),
    },
    { additionalProperties: false },
  );
  app.get('/monitoring/settings', { schema: { tags, summary: 'Window, thresholds (per feature), webhook and retraining settings' } }, async () => mon.settings);
  app.put<{ Body: Static<typeof SettingsBody> }>('/monitoring/settings', { schema: { tags, summary: 'Change monitoring settings (kept in the storage layer)', body: SettingsBody } }, async (req) => {
    const { webhookUrl, ...rest } = req.body;
    return mon.saveSettings({ ...rest, ...(webhookUrl !== undefined ? { webhookUrl: webhookUrl ?? undefined } : {}) });
  });

  app.get('/monitoring/retrain', { schema: { tags, summary: 'Retraining decisions with their numbers, newest first' } }, async () => engines.retrainer.decisions());
};
