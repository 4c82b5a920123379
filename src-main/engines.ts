/**
 * The composition root: the engines of one data dir, built in one order, each given only what it
 * needs. Only the shells (the CLI, the API, the set-up workflows of `serve` and the desktop app,
 * tests and the bench) import this file; no engine does.
 */
import { existsSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { AppConfig } from './config';
import { backendsByConcern, openStorage, type Storage } from './storage';
import { FeatureStore } from './featurestore';
import { TokenizerStore } from './features';
import { ModelRegistry, TrainingRuns, type TrainJobDeps } from './training';
import { OffThreadPredictor, ServedModels, VersionEvaluations, parseServedNames } from './serving';
import { EmbeddedIngestion, FeatureStep, InboxPipeline, offlineFollower, STREAM_RELAY_CURSOR, V2Backfill, type Ingestion } from './inbox';
import { DriftRunner, FeedbackLog, InboxVerdicts, Monitor, Retrainer, Simulator } from './monitoring';

export interface Engines {
  config: AppConfig;
  storage: Storage;
  features: FeatureStore;
  /** the data dir's fitted v2 tokenizer */
  tokenizers: TokenizerStore;
  /** model versions and aliases */
  models: ModelRegistry;
  /** training runs; `runs.init()` before use (serve and train do), so other commands never start queued runs */
  runs: TrainingRuns;
  /** what a training job reads, for jobs run in this thread (the bench, tests); runs use worker threads */
  training: TrainJobDeps;
  /** the versions answering on /model/{v}/… (SPAM_MODEL_VERSIONS) */
  serving: ServedModels;
  /** every version scored on the shared evaluation set: curves, thresholds, comparisons */
  evaluations: VersionEvaluations;
  /** champion/challenger retraining */
  retrainer: Retrainer;
  /** recorded predictions, drift reports, alerts */
  monitor: Monitor;
  /** which model's verdict on each inbox message is recorded */
  verdicts: InboxVerdicts;
  /** the helper thread of serving's micro-batches (config.batching.offThread) */
  servingThread: OffThreadPredictor;
  /** v2 features of every stored message, from the change log or the change stream */
  featureStep: FeatureStep;
  /** how stored messages reach the feature step: the embedded change log, or NATS JetStream (`config.stream`) */
  ingestion: Ingestion;
  /** the Inbox API: store, then answer once the features are pushed; `inbox.start()` replays an old outbox */
  inbox: InboxPipeline;
  /** v2 features for inbox messages that lack them */
  backfill: V2Backfill;
  /** operators' true labels */
  feedback: FeedbackLog;
  /** the seed's mock caller and labeler */
  simulator: Simulator;
  close(): Promise<void>;
}

/**
 * The model registry's SQLite file missing where the data dir shows it had one (a version was
 * registered: `models/<name>/.last-version`) is refused, as is a database path in a folder that
 * does not exist: either silently started an empty install beside the data (every model listed with
 * no version, /health ok; `/nonexistent/dir` created for a mistyped SPAMOPS_SQLITE_PATH).
 */
function refuseLostDatabase(config: AppConfig): void {
  const registry = backendsByConcern(config.storage).models;
  if (registry.backend !== 'sqlite' || registry.path === ':memory:' || existsSync(registry.path)) return;
  const dir = dirname(registry.path);
  if (!existsSync(dir) && resolve(dir) !== resolve(config.dataDir))
    throw new Error(
      `the SQLite database ${registry.path} is in a folder that does not exist (SPAMOPS_SQLITE_PATH or storage.path in config.json): create ${dir}, or name a path in a folder that exists`,
    );
  const registered = existsSync(config.modelsDir) ? readdirSync(config.modelsDir).filter((m) => existsSync(join(config.modelsDir, m, '.last-version'))) : [];
  if (registered.length)
    throw new Error(
      `the SQLite database ${registry.path} is missing, but ${config.modelsDir} holds versions of ${registered.join(', ')} it recorded: restore the database file (or point SPAMOPS_SQLITE_PATH at it); to start this data dir over instead, move ${config.modelsDir} and ${config.offlineDir} away first`,
    );
}

export async function openEngines(config: AppConfig): Promise<Engines> {
  refuseLostDatabase(config);
  const storage = await openStorage(config.storage);
  const features = new FeatureStore(storage, config.offlineDir, config.offlineEngine);
  const tokenizers = TokenizerStore.inModelsDir(config.modelsDir);
  const models = new ModelRegistry(storage.models, config.modelsDir);
  const runs = new TrainingRuns({
    runs: storage.runs,
    registry: models,
    imports: storage.imports,
    code: config.code,
    featureServices: () => {
      const d = features.registry.cachedDefinitions();
      if (!d) return undefined;
      // whether a service's views hold token ids (a list field): what the LSTMs train on, not the forest
      const lists = new Set(d.featureViews.filter((v) => v.schema.some((f) => f.dtype.startsWith('Array('))).map((v) => v.name));
      return d.featureServices.map((s) => ({ name: s.name, tokens: s.features.some((f) => lists.has(f.view)) }));
    },
    worker: {
      storage: config.storage,
      offlineDir: config.offlineDir,
      offlineEngine: config.offlineEngine,
      modelsDir: config.modelsDir,
      trainingIdsPath: config.trainingIdsPath,
      lstm: config.training,
    },
  });
  const serving = new ServedModels({ models, cache: storage.cache, tokenizers }, parseServedNames(config.servedModels));
  const evaluations = new VersionEvaluations({ labelled: storage.labelled, tokenizers });
  const training: TrainJobDeps = {
    features,
    labelled: storage.labelled,
    tokenizers,
    modelsDir: config.modelsDir,
    trainingIdsPath: config.trainingIdsPath,
    lstm: config.training,
  };
  const retrainer = new Retrainer({ models, runs, decisions: storage.decisions, feedback: storage.feedback, evaluations });
  const drift = new DriftRunner(config.storage, storage);
  const monitor = new Monitor({
    documents: storage.documents,
    reports: storage.reports,
    alerts: storage.alerts,
    predictions: storage.predictions,
    models,
    servedNames: serving.names,
    retrainer,
    drift,
    defaults: config.monitoring,
  });
  const predictor = new OffThreadPredictor();
  // serving's micro-batches get a thread of their own: a burst of inbox verdicts never delays them
  const servingThread = new OffThreadPredictor();
  const verdicts = new InboxVerdicts({ models: serving, recorder: monitor.recorder, predictor }, config.inboxModel);
  // the step pushes online; the offline rows are group-committed behind it (offline-follower.ts),
  // embedded behind the step's cursor, with the stream on behind the relay's
  const featureStep = new FeatureStep({
    features,
    online: storage.online,
    tokenizers,
    onPushed: (messages, encoded) => verdicts.record(messages, encoded),
    to: 'online',
  });
  // the stream's engine (and the NATS client) is loaded only when the stream is on
  const ingestion: Ingestion = config.stream
    ? await (await import('./streaming')).openStreamIngestion(config.stream, {
        users: storage.users,
        step: featureStep,
        meta: storage.registry,
        where: `${storage.location} on ${hostname()}`,
        offline: offlineFollower({ changes: storage.users, features, tokenizers, follows: STREAM_RELAY_CURSOR }),
      })
    : new EmbeddedIngestion({ changes: storage.users, step: featureStep, offline: offlineFollower({ changes: storage.users, features, tokenizers }) });
  const inbox = new InboxPipeline({ users: storage.users, step: featureStep, legacyOutbox: storage.documents });
  const backfill = new V2Backfill({ users: storage.users, online: storage.online, features, tokenizers });
  const feedback = new FeedbackLog({ feedback: storage.feedback, features });
  // the simulator's replay ends once its messages' verdicts are recorded too
  const recorded = {
    flush: async () => {
      await verdicts.settled();
      await monitor.recorder.flush();
    },
  };
  const simulator = new Simulator({ labelled: storage.labelled, inbox, feedback, recorder: recorded });
  return {
    config,
    storage,
    features,
    tokenizers,
    models,
    runs,
    training,
    serving,
    evaluations,
    retrainer,
    monitor,
    verdicts,
    servingThread,
    featureStep,
    ingestion,
    inbox,
    backfill,
    feedback,
    simulator,
    close: async () => {
      serving.stop();
      features.registry.unwatch();
      await ingestion.stop();
      predictor.close();
      servingThread.close();
      monitor.stop();
      await monitor.recorder.flush();
      await runs.close();
      features.close();
      await storage.close();
    },
  };
}
