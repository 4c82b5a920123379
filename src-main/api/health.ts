/** `/health` (200 once the engines answer: ok, or degraded with what does not work) and `/local/info`. */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import type { HealthProblem } from '../../src-shared/health';
import { health as routes } from '../../src-shared/routes/health';
import { serve } from './declare';
import { damagedRemedy, databaseDamage, diskStatus, internalErrors } from '../platform';
import { isLoopbackAddress } from './security';
import { HttpError } from './errors';
import { familyRuntimes } from '../models';
import type { ModelName } from '../../src-shared/training';

/** what does not work right now, each with what to do */
async function problems(engines: Engines): Promise<HealthProblem[]> {
  const out: HealthProblem[] = [];
  const tok = engines.tokenizers.problem();
  if (tok)
    out.push({
      component: 'tokenizer',
      detail: `${tok.problem}: the inbox cannot compute features v2 (messages are stored and wait in the change log)`,
      remedy: tok.remedy,
      file: tok.file,
    });
  // a served id whose version was never loaded is loaded once here, so a broken file shows at once
  for (const name of engines.serving.names) {
    if (engines.serving.current(name)) continue;
    try {
      await engines.serving.get(name);
    } catch {
      // no version yet (503 model_not_trained on its routes) or broken (listed below)
    }
  }
  for (const p of engines.serving.problems())
    out.push({ component: `model ${p.model}`, detail: `version ${p.version} cannot answer: ${p.problem}`, remedy: p.remedy, file: p.file });
  const busy = engines.storage.busy?.();
  if (busy)
    out.push({
      component: 'storage',
      detail: `storage_busy: ${busy.location} has been locked by another connection since ${new Date(busy.since).toISOString()} (another program's transaction on the file): writes answer 503 with Retry-After, nothing is lost; stream messages are delivered again until they are stored`,
      remedy: "end the other program's transaction (a sqlite3 shell inside BEGIN: COMMIT or ROLLBACK, or quit it); SpamOps stores what waits by itself",
      file: busy.location,
    });
  const disk = diskStatus(engines.config.dataDir);
  if (disk.problem)
    out.push({
      component: 'disk',
      detail: disk.problem,
      remedy: 'free space on that disk; nothing acknowledged was lost, writes refused meanwhile answered 507',
    });
  const ing = engines.ingestion.health();
  if (ing.stream === 'unavailable')
    out.push({
      component: 'stream',
      detail: `NATS unavailable (${ing.reason ?? 'no reason given'}): messages are stored and wait in the change log`,
      remedy:
        'what the reason says: NATS down or without JetStream, start nats-server -js at the configured URL; a stream deleted, nothing (SpamOps creates it again); another store holding the consumers, subjects of its own for this data dir; a stream SpamOps cannot use or a subject another stream takes, the change the reason names. Once that is done SpamOps sets up and catches up by itself',
    });
  if (ing.featuresFailing)
    out.push({
      component: 'inbox features',
      detail: `the feature step failed ${ing.featuresFailing.attempts} times in a row: ${ing.featuresFailing.error}. Messages are stored and wait in the change log; they get no features and no verdicts until it succeeds`,
      remedy: /unknown (push source|feature view)/.test(ing.featuresFailing.error)
        ? 'the applied feature definitions lack what the inbox pushes to: apply the latest stage (spamops apply); the waiting messages are featured then'
        : 'what the error says; the step retries by itself and takes the waiting messages in order',
    });
  // a served model with no version yet is told on its own routes (503 model_not_trained) and above;
  // an inbox model serving does not know (a typo in SPAMOPS_INBOX_MODEL), or one whose every version
  // was deleted (verdicts stopped while /health said ok: a hostile probe), only here
  const verdicts = engines.verdicts.failing;
  const model = engines.verdicts.model;
  const served = engines.serving.names.includes(model);
  if (verdicts && (!served || (await engines.models.everRegistered(model as ModelName))))
    out.push({
      component: 'inbox verdicts',
      detail: `${verdicts.messages} inbox message(s) since ${verdicts.since} got no verdict of ${model} (SPAMOPS_INBOX_MODEL): ${verdicts.error}. Monitoring does not see them`,
      remedy: served
        ? `every version of ${model} was deleted: train ${model} again (the Training pane, POST /runs or spamops train ${model}), or set SPAMOPS_INBOX_MODEL to a model with a version and restart; the next message's verdict clears this`
        : `train ${model}, or set SPAMOPS_INBOX_MODEL to a model with a version (${engines.serving.names.join(', ')}) and restart; the next message's verdict clears this`,
    });
  const damaged = databaseDamage();
  if (damaged && engines.storage.backend === 'sqlite')
    out.push({
      component: 'storage',
      detail: `the database file ${engines.storage.location} is damaged (met ${Math.round((Date.now() - damaged.at) / 1000)} s ago: ${damaged.message}): what reads its damaged pages answers 503 storage_damaged`,
      remedy: damagedRemedy(engines.storage.location),
      file: engines.storage.location,
    });
  for (const p of engines.storage.problems()) out.push({ component: p.component, detail: p.detail, remedy: p.remedy });
  const errs = internalErrors();
  if (errs.length) {
    const last = errs[errs.length - 1];
    out.push({
      component: 'process',
      detail: `${errs.length} internal error(s) caught and logged, the last at ${last.at}: ${last.message}`,
      remedy: 'see the server log; the server kept serving',
    });
  }
  return out;
}

export const healthRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  serve(app, routes.health, async () => {
    const snap = await engines.features.registry.current();
    const found = await problems(engines);
    const disk = diskStatus(engines.config.dataDir);
    return {
      status: found.length ? ('degraded' as const) : ('ok' as const),
      problems: found,
      disk: { dir: disk.dir, free_bytes: disk.freeBytes ?? null },
      storage: {
        backend: engines.storage.backend,
        location: engines.storage.location,
        state: found.some((p) => p.component === 'storage') ? ('storage_busy' as const) : ('ok' as const),
      },
      registry_version: snap?.version ?? 0,
      bootstrapped: snap !== undefined,
      // the stream's state: SpamOps serves while NATS is down, and says so here
      ingestion: engines.ingestion.health(),
      runtimes: familyRuntimes(),
    };
  });

  // What the console shows about this install; the token only to local callers.
  serve(app, routes.localInfo, async (req) => {
    // local means local at both ends: the socket, and the client a trusted proxy names
    const socket = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    const client = req.ip.replace(/^::ffff:/, '');
    if (!isLoopbackAddress(socket) || !isLoopbackAddress(client)) throw new HttpError(403, 'forbidden', 'only local callers may read this');
    const c = engines.config;
    return { data_dir: c.dataDir, storage: engines.storage.location, token: c.server.token ?? null, listening: { host: c.server.host, port: c.server.port } };
  });
};
