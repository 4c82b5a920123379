/**
 * The engines of one data dir, opened together: storage, feature store, tokenizer. The CLI,
 * the headless server (also the desktop app's engine process) all start from here.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { AppConfig } from './config';
import { openStorage, type Storage } from './storage';
import { FeatureStore } from './featurestore';
import { KerasTokenizer } from './features';
import { ModelRegistry, RunManager } from './training';
import { ServedModels, servedNamesFromEnv } from './serving/served';
import { InboxPipeline } from './inbox/pipeline';
import { Monitor } from './monitoring/monitor';

export interface Engines {
  config: AppConfig;
  storage: Storage;
  features: FeatureStore;
  /** model versions and aliases */
  models: ModelRegistry;
  /** training runs; `runs.init()` before use (serve and train do), so other commands never start queued runs */
  runs: RunManager;
  /** the versions answering on /model/{v}/… (SPAM_MODEL_VERSIONS) */
  serving: ServedModels;
  /** the inbox pipeline with its durable outbox; `inbox.start()` replays what is pending */
  inbox: InboxPipeline;
  /** recorded predictions, drift reports, alerts */
  monitor: Monitor;
  /** the fitted v2 tokenizer; throws with what to do when none was fitted yet */
  tokenizer(): KerasTokenizer;
  /** forget the loaded tokenizer after a new fit */
  reloadTokenizer(): void;
  close(): Promise<void>;
}

export function tokenizerDir(config: AppConfig): string {
  return join(config.modelsDir, 'tokenizer');
}

export async function openEngines(config: AppConfig): Promise<Engines> {
  const storage = await openStorage(config.storage);
  const features = new FeatureStore(storage, config.offlineDir);
  let tokenizer: KerasTokenizer | undefined;
  const models = new ModelRegistry(storage.documents, config.modelsDir);
  let runs: RunManager;
  let serving: ServedModels;
  let inbox: InboxPipeline;
  let monitor: Monitor;
  const engines: Engines = {
    config,
    storage,
    features,
    models,
    get runs() {
      return runs;
    },
    get serving() {
      return serving;
    },
    get inbox() {
      return inbox;
    },
    get monitor() {
      return monitor;
    },
    tokenizer() {
      tokenizer ??= KerasTokenizer.load(tokenizerDir(config));
      return tokenizer;
    },
    reloadTokenizer() {
      tokenizer = undefined;
    },
    close: async () => {
      serving.stop();
      inbox.stop();
      monitor.stop();
      await monitor.recorder.flush();
      await runs.close();
      await storage.close();
    },
  };
  runs = new RunManager(engines, models);
  serving = new ServedModels(engines, servedNamesFromEnv());
  inbox = new InboxPipeline(engines);
  monitor = new Monitor(engines);
  return engines;
}

export function hasTokenizer(config: AppConfig): boolean {
  return existsSync(join(tokenizerDir(config), 'tokenizer.json'));
}
