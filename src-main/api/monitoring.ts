/** Monitoring over HTTP: drift reports (current and over time), alerts, recorded predictions, the simulator. */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { HttpError } from './errors';
import { compileUserPattern } from '../platform';
import { pageLimit } from '../../src-shared/paging';
import { monitoring as routes } from '../../src-shared/routes/monitoring';
import { serve } from './declare';

export const monitoringRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  const mon = engines.monitor;
  const sim = engines.simulator;
  const modelOf = (m?: string) => m ?? 'v3';
  const checked = async <T>(model: string, fn: () => Promise<T>): Promise<T> => {
    if (!(await engines.models.resolve(model)))
      throw new HttpError(404, 'not_found', `model ${model} has no trained version to monitor`, { known: await engines.models.names() });
    return fn();
  };

  serve(app, routes.drift, async (req) => {
    const model = modelOf(req.query.model);
    return checked(model, () =>
      mon.check(model, { size: req.query.size ? Number(req.query.size) : undefined, hours: req.query.hours ? Number(req.query.hours) : undefined }, false),
    );
  });
  serve(app, routes.check, async (req) => {
    const model = modelOf(req.body.model);
    return checked(model, () => mon.check(model, { size: req.body.size, hours: req.body.hours }));
  });
  serve(app, routes.history, async (req) =>
    (await mon.history(req.query.model, pageLimit(req.query.limit))).map((r) => ({
      ...r,
      features: r.features.map(({ bins, reference, current, ...f }) => f),
    })),
  );
  serve(app, routes.alerts, async (req) => mon.alerts({ limit: pageLimit(req.query.limit), before: req.query.before }));
  serve(app, routes.ack, async (req) => {
    const a = await mon.acknowledge(req.params.id);
    if (!a) throw new HttpError(404, 'not_found', `no alert ${req.params.id}`);
    return a;
  });
  serve(app, routes.predictions, async (req) => {
    await mon.recorder.flush();
    const since = Date.now() - Number(req.query.hours ?? 24) * 3_600_000;
    return engines.storage.predictions.recent(
      modelOf(req.query.model),
      since,
      pageLimit(req.query.size),
      req.query.before ? Number(req.query.before) : undefined,
    );
  });
  serve(app, routes.simulate, async (req, reply) => {
    compileUserPattern(req.body.idPattern, 'body.idPattern'); // refused here, by name, rather than in the background
    const { simulation } = sim.start({ rate: 50, labelDelayMs: 2000, recipient: 'simulated', labelShare: 1, ...req.body });
    reply.status(202);
    return simulation;
  });
  serve(app, routes.simulations, async () => sim.list());

  serve(app, routes.retrain, async (req, reply) => {
    const model = modelOf(req.body.model);
    const { run } = await checked(model, () => engines.retrainer.start(model, { margin: req.body.margin ?? mon.settings.retrainMargin, trigger: 'manual' }));
    reply.status(202);
    return { model, challenger_run: run.id, decisions: '/monitoring/retrain' };
  });
  serve(app, routes.settings, async () => mon.settings);
  serve(app, routes.saveSettings, async (req) => {
    const { webhookUrl, ...rest } = req.body;
    return mon.saveSettings({ ...rest, ...(webhookUrl !== undefined ? { webhookUrl: webhookUrl ?? undefined } : {}) });
  });
  serve(app, routes.decisions, async (req) => engines.retrainer.decisions({ limit: pageLimit(req.query.limit), before: req.query.before }));
};
