/**
 * The engines of one data dir, opened together: storage, feature store, tokenizer. The CLI,
 * the headless server and the Electron main process all start from here.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { AppConfig } from './config';
import { openStorage, type Storage } from './storage';
import { FeatureStore } from './featurestore';
import { KerasTokenizer } from './features';

export interface Engines {
  config: AppConfig;
  storage: Storage;
  features: FeatureStore;
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
  return {
    config,
    storage,
    features,
    tokenizer() {
      tokenizer ??= KerasTokenizer.load(tokenizerDir(config));
      return tokenizer;
    },
    reloadTokenizer() {
      tokenizer = undefined;
    },
    close: () => storage.close(),
  };
}

export function hasTokenizer(config: AppConfig): boolean {
  return existsSync(join(tokenizerDir(config), 'tokenizer.json'));
}
