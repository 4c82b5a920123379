/**
 * Where a data dir keeps its fitted v2 tokenizer (`models/tokenizer/`), loaded once and shared by
 * everything that encodes text (serving, the inbox, training, backfills). A new fit or a file
 * restored by hand is picked up by `reload()`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactError } from '../platform';
import { KerasTokenizer, TOKENIZER_REMEDY } from './tokenizer';

/** What the engines need of the tokenizer: the fitted one, or an error saying how to get one. */
export interface TokenizerSource {
  get(): KerasTokenizer;
}

export class TokenizerStore implements TokenizerSource {
  private loaded: KerasTokenizer | undefined;
  constructor(readonly dir: string) {}

  /** the tokenizer of a data dir: `<models dir>/tokenizer/` */
  static inModelsDir(modelsDir: string): TokenizerStore {
    return new TokenizerStore(join(modelsDir, 'tokenizer'));
  }

  get file(): string {
    return join(this.dir, 'tokenizer.json');
  }

  exists(): boolean {
    return existsSync(this.file);
  }

  /** the fitted tokenizer; throws with what to do when none was fitted yet */
  get(): KerasTokenizer {
    this.loaded ??= KerasTokenizer.load(this.dir);
    return this.loaded;
  }

  /** saves a new fit and serves it from now on */
  save(tokenizer: KerasTokenizer): void {
    tokenizer.save(this.dir);
    this.loaded = tokenizer;
  }

  /**
   * What is wrong with the tokenizer on disk, if anything (for /health): missing, or not
   * loadable. What was loaded before keeps encoding meanwhile.
   */
  problem(): ArtifactError | undefined {
    if (!this.exists()) return new ArtifactError(this.file, 'missing', TOKENIZER_REMEDY);
    if (this.loaded) return undefined;
    try {
      this.get();
      return undefined;
    } catch (e) {
      if (e instanceof ArtifactError) return e;
      throw e;
    }
  }

  /** forget what was loaded (another process fitted a new one) */
  reload(): void {
    this.loaded = undefined;
  }
}
