/** Monitoring over HTTP: drift reports (current and over time), alerts, recorded predictions, the simulator. */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { TESTS, applicable, driftReportHtml, type CheckWindow } from '../monitoring';
import { FEATURES_V1 } from '../features';

/** the kind of a monitored feature (forest: FEATURES_V1; LSTM: token_ids, length, oov_rate) */
function featureKind(feature: string): 'numeric' | 'binary' | 'tokens' | undefined {
  if (feature === 'token_ids') return 'tokens';
  if (feature.startsWith('cw_scores_') && FEATURES_V1.includes(feature)) return 'binary';
  if (FEATURES_V1.includes(feature) || feature === 'length' || feature === 'oov_rate') return 'numeric';
  return undefined;
}
import { HttpError } from './errors';
import { compileUserPattern } from '../platform';
import { pageLimit } from '../../src-shared/paging';
import { monitoring as routes } from '../../src-shared/routes/monitoring';
import type { ModelQuery } from '../../src-shared/monitoring';
import { serve } from './declare';
import { instantMs } from '../featurestore';

/** an instant of the API (epoch ms or ISO 8601) as epoch ms; a clear 400 naming the field otherwise */
function instant(v: string | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = instantMs(v);
  if (ms === undefined) throw new HttpError(400, 'validation_error', `${field} is not a time: expected epoch milliseconds or an ISO 8601 date/time`, { field });
  return ms;
}

function windowChoice(w: { from?: string; to?: string }, where: 'query' | 'body'): CheckWindow {
  const fromMs = instant(w.from, `${where}.from`);
  const toMs = instant(w.to, `${where}.to`);
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs)
    throw new HttpError(400, 'validation_error', `${where}.to must be after ${where}.from`, { field: `${where}.to` });
  return { fromMs, toMs };
}

function referenceChoice(
  w: { reference?: 'training' | 'window'; referenceFrom?: string; referenceTo?: string; referenceSize?: number },
  where: 'query' | 'body',
): CheckWindow {
  const window = w.referenceFrom !== undefined || w.referenceTo !== undefined || w.referenceSize !== undefined;
  if (w.reference !== 'window') {
    if (window)
      throw new HttpError(400, 'validation_error', `${where}.referenceFrom/referenceTo/referenceSize need ${where}.reference=window`, {
        field: `${where}.reference`,
      });
    return {};
  }
  const fromMs = instant(w.referenceFrom, `${where}.referenceFrom`);
  const toMs = instant(w.referenceTo, `${where}.referenceTo`);
  if (fromMs === undefined && toMs === undefined)
    throw new HttpError(400, 'validation_error', `reference=window needs ${where}.referenceFrom or ${where}.referenceTo (the earlier window of live traffic)`, {
      field: `${where}.referenceTo`,
    });
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs)
    throw new HttpError(400, 'validation_error', `${where}.referenceTo must be after ${where}.referenceFrom`, { field: `${where}.referenceTo` });
  return { reference: { fromMs, toMs, size: w.referenceSize } };
}

export const monitoringRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  const mon = engines.monitor;
  const sim = engines.simulator;
  const modelOf = (m?: string) => m ?? 'v3';
  const checked = async <T>(model: string, fn: () => Promise<T>): Promise<T> => {
    if (!(await engines.models.resolve(model)))
      throw new HttpError(404, 'not_found', `model ${model} has no trained version to monitor`, { known: await engines.models.names() });
    return fn();
  };

  /** GET /monitoring/drift's report (not stored): the window and reference of the query */
  const reportOf = (q: ModelQuery) => {
    const model = modelOf(q.model);
    return checked(model, () =>
      mon.check(
        model,
        {
          ...windowChoice(q, 'query'),
          size: q.size ? Number(q.size) : undefined,
          hours: q.hours ? Number(q.hours) : undefined,
          ...referenceChoice({ ...q, referenceSize: q.referenceSize ? Number(q.referenceSize) : undefined }, 'query'),
        },
        false,
      ),
    );
  };
  serve(app, routes.drift, async (req) => reportOf(req.query));
  serve(app, routes.driftReportFile, async (req, reply) => {
    const { format = 'html', ...q } = req.query;
    const r = await reportOf(q);
    const name = `drift-${r.model}-v${r.version}-${r.at.replace(/[:.]/g, '-')}`;
    if (format === 'json')
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.json"`)
        .send(`${JSON.stringify(r, null, 2)}\n`);
    return reply.type('text/html; charset=utf-8').header('content-disposition', `attachment; filename="${name}.html"`).send(driftReportHtml(r));
  });
  serve(app, routes.check, async (req) => {
    const model = modelOf(req.body.model);
    const b = req.body;
    return checked(model, () => mon.check(model, { size: b.size, hours: b.hours, ...windowChoice(b, 'body'), ...referenceChoice(b, 'body') }));
  });
  serve(app, routes.history, async (req) =>
    (await mon.history(req.query.model, pageLimit(req.query.limit))).map((r) => ({
      ...r,
      features: r.features.map(({ bins, reference, current, gained, lost, ...f }) => f),
    })),
  );
  serve(app, routes.histograms, async (req) =>
    checked(req.params.model, () => mon.featureHistograms(req.params.model, req.params.feature, req.query.windows ? Number(req.query.windows) : undefined)),
  );
  serve(app, routes.alerts, async (req) => mon.alerts({ limit: pageLimit(req.query.limit), before: req.query.before }));
  serve(app, routes.ack, async (req) => {
    const a = await mon.acknowledge(req.params.id, req.body?.note);
    if (!a) throw new HttpError(404, 'not_found', `no alert ${req.params.id}`);
    return a;
  });
  serve(app, routes.testWebhook, async () => {
    const r = await mon.testWebhook();
    if (!r)
      throw new HttpError(409, 'no_webhook', 'no webhook is configured: set webhookUrl in the monitoring settings (PUT /monitoring/settings)', {
        field: 'webhookUrl',
      });
    return r;
  });
  serve(app, routes.predictions, async (req) => {
    // an unknown model is a 404, as for its drift (a list of nothing said nothing of the typo)
    const model = modelOf(req.query.model);
    if (!engines.serving.names.includes(model as never) && !(await engines.models.names()).includes(model as never))
      throw new HttpError(404, 'not_found', `no model ${model} is served or registered`, { field: 'query.model', known: await engines.models.names() });
    if (req.query.before_id !== undefined && req.query.before === undefined)
      throw new HttpError(400, 'validation_error', "query.before_id: give it with query.before (the last record's at and id)", { field: 'query.before_id' });
    await mon.recorder.flush();
    const since = Date.now() - Number(req.query.hours ?? 24) * 3_600_000;
    return engines.storage.predictions.recent(
      modelOf(req.query.model),
      since,
      pageLimit(req.query.size),
      req.query.before ? Number(req.query.before) : undefined,
      req.query.before_id,
    );
  });
  serve(app, routes.simulate, async (req, reply) => {
    compileUserPattern(req.body.idPattern, 'body.idPattern'); // refused here, by name, rather than in the background
    const { simulation } = sim.start({ rate: 50, labelDelayMs: 2000, recipient: 'simulated', labelShare: 1, ...req.body });
    reply.status(202);
    return simulation;
  });
  serve(app, routes.simulations, async () => sim.list());
  serve(app, routes.stopSimulation, async (req) => {
    const s = sim.stop(req.params.id);
    if (!s) throw new HttpError(404, 'not_found', `no simulation ${req.params.id}`, { known: sim.list().map((x) => x.id) });
    return s;
  });

  serve(app, routes.retrain, async (req, reply) => {
    const model = modelOf(req.body.model);
    const alertId = req.body.alertId;
    if (alertId !== undefined) {
      const alert = await mon.alertById(alertId);
      if (!alert) throw new HttpError(404, 'not_found', `no alert ${alertId}`, { field: 'body.alertId' });
      if (alert.model !== model)
        throw new HttpError(400, 'validation_error', `body.alertId: alert ${alertId} is about model ${alert.model}, not ${model}`, { field: 'body.alertId' });
      const r = await checked(model, () => mon.retrainFromAlert(alertId, req.body.margin));
      reply.status(202);
      return { model, challenger_run: r!.runId, decisions: '/monitoring/retrain' };
    }
    const { run } = await checked(model, () => engines.retrainer.start(model, { margin: req.body.margin ?? mon.settings.retrainMargin, trigger: 'manual' }));
    reply.status(202);
    return { model, challenger_run: run.id, decisions: '/monitoring/retrain' };
  });
  serve(app, routes.settings, async () => mon.settings);
  serve(app, routes.saveSettings, async (req) => {
    for (const [feature, test] of Object.entries(req.body.drift?.tests ?? {})) {
      const kind = featureKind(feature);
      if (!kind)
        throw new HttpError(400, 'validation_error', `body.drift.tests: no feature ${feature}`, {
          field: `body.drift.tests.${feature}`,
          known: [...FEATURES_V1, 'token_ids', 'length', 'oov_rate'],
        });
      if (test && !applicable(test, kind))
        throw new HttpError(
          400,
          'validation_error',
          `body.drift.tests.${feature}: ${test} does not apply to a ${kind} feature (it applies to ${TESTS[test].appliesTo.join(', ')})`,
          { field: `body.drift.tests.${feature}` },
        );
    }
    for (const feature of Object.keys(req.body.drift?.thresholds ?? {}))
      if (!featureKind(feature))
        throw new HttpError(400, 'validation_error', `body.drift.thresholds: no feature ${feature}`, {
          field: `body.drift.thresholds.${feature}`,
          known: [...FEATURES_V1, 'token_ids', 'length', 'oov_rate'],
        });
    const byModel = Object.keys(req.body.drift?.minWindowByModel ?? {});
    if (byModel.length > 0) {
      const known = [...new Set([...engines.serving.names, ...(await engines.models.names())])];
      for (const model of byModel)
        if (!known.includes(model))
          throw new HttpError(400, 'validation_error', `body.drift.minWindowByModel: no model ${model}`, {
            field: `body.drift.minWindowByModel.${model}`,
            known,
          });
    }
    const { webhookUrl, ...rest } = req.body;
    if (webhookUrl && !URL.canParse(webhookUrl))
      throw new HttpError(400, 'validation_error', `body.webhookUrl: "${webhookUrl}" is not a URL; expected e.g. http://127.0.0.1:9000/alerts`, {
        field: 'body.webhookUrl',
      });
    if (webhookUrl && new URL(webhookUrl).hostname === '')
      throw new HttpError(400, 'validation_error', `body.webhookUrl: "${webhookUrl}" names no host`, { field: 'body.webhookUrl' });
    return mon.saveSettings({ ...rest, ...(webhookUrl !== undefined ? { webhookUrl: webhookUrl ?? undefined } : {}) });
  });
  serve(app, routes.decisions, async (req) => engines.retrainer.decisions({ limit: pageLimit(req.query.limit), before: req.query.before }));
};
