/**
 * A word tokenizer with the semantics of Keras' `Tokenizer` and `pad_sequences`, which the
 * seed's v2/v3 models were trained with: lower-case, strip Keras' default filter characters,
 * split on spaces, index words by descending frequency (ties in order of first appearance),
 * keep indices below `numWords`, drop unknown words; pad and truncate at the front.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactError, readJsonArtifact, writeFileAtomic } from '../platform';

/** what to do about a missing or broken tokenizer file */
export const TOKENIZER_REMEDY =
  'refit it with `spamops offline-sources` (or `spamops bootstrap` on a new data dir), or restore models/tokenizer/ from a backup';

export const KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';
/** the filter characters as one character class (all ASCII: no surrogate pair is touched) */
const FILTER_RE = new RegExp(`[${KERAS_FILTERS.replace(/[\\\]^-]/g, '\\$&')}]`, 'g');

export interface TokenizerSettings {
  MAX_NUM_WORDS: number;
  MAX_SEQ_LENGTH: number;
}
export const DEFAULT_TOKENIZER_SETTINGS: TokenizerSettings = { MAX_NUM_WORDS: 180, MAX_SEQ_LENGTH: 30 };

/** Keras' text_to_word_sequence with its defaults. */
export function textToWordSequence(text: string): string[] {
  return text
    .toLowerCase()
    .replace(FILTER_RE, ' ')
    .split(' ')
    .filter((w) => w.length > 0);
}

/** a text's token ids (KerasTokenizer.encode) and the share of its words the vocabulary does not know */
export interface EncodedText {
  ids: number[];
  oov: number;
}

/** texts encoded by one tokenizer (`texts[i]`: the i-th text's) */
export interface EncodedBatch {
  tokenizer: KerasTokenizer;
  texts: EncodedText[];
}

export interface TokenizerState {
  settings: TokenizerSettings;
  /** word → index (1-based), most frequent first; the whole vocabulary as Keras keeps it */
  wordIndex: Record<string, number>;
  documentCount: number;
  fittedAt: string;
  fittedOn: { entityCount: number; timeFreeze: string | null };
}

export class KerasTokenizer {
  private readonly index: Map<string, number>;
  constructor(readonly state: TokenizerState) {
    this.index = new Map(Object.entries(state.wordIndex));
  }

  static fit(texts: Iterable<string>, settings: TokenizerSettings = DEFAULT_TOKENIZER_SETTINGS, timeFreeze: string | null = null): KerasTokenizer {
    const f = KerasTokenizer.fitter(settings, timeFreeze);
    for (const text of texts) f.add(text);
    return f.done();
  }

  /** a fit fed one text at a time (texts read in batches need not be held together) */
  static fitter(
    settings: TokenizerSettings = DEFAULT_TOKENIZER_SETTINGS,
    timeFreeze: string | null = null,
  ): { add(text: string): void; done(): KerasTokenizer } {
    const counts = new Map<string, number>();
    let documentCount = 0;
    return {
      add(text: string) {
        documentCount += 1;
        for (const w of textToWordSequence(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
      },
      done() {
        // Array.prototype.sort is stable: equal counts keep first-appearance order, as in Keras.
        const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
        const wordIndex: Record<string, number> = {};
        sorted.forEach(([w], i) => {
          wordIndex[w] = i + 1;
        });
        return new KerasTokenizer({
          settings,
          wordIndex,
          documentCount,
          fittedAt: new Date().toISOString(),
          fittedOn: { entityCount: documentCount, timeFreeze },
        });
      },
    };
  }

  textToSequence(text: string): number[] {
    return this.scan(text).sequence;
  }

  /** the kept token ids of the text's words, and the share of its words not kept */
  private scan(text: string): { sequence: number[]; oov: number } {
    const limit = this.state.settings.MAX_NUM_WORDS;
    const words = textToWordSequence(text);
    const sequence: number[] = [];
    for (const w of words) {
      const i = this.index.get(w);
      if (i !== undefined && i < limit) sequence.push(i);
    }
    return { sequence, oov: words.length === 0 ? 0 : (words.length - sequence.length) / words.length };
  }

  /** token ids of the text, pre-padded with zeros and pre-truncated to MAX_SEQ_LENGTH */
  encode(text: string): number[] {
    return padSequence(this.textToSequence(text), this.state.settings.MAX_SEQ_LENGTH);
  }

  /** share of the text's words that the kept vocabulary does not know (for drift checks) */
  outOfVocabularyRate(text: string): number {
    return this.scan(text).oov;
  }

  /** encode and outOfVocabularyRate from one pass over the words (the inbox's verdicts want both) */
  encodeNoted(text: string): EncodedText {
    const { sequence, oov } = this.scan(text);
    return { ids: padSequence(sequence, this.state.settings.MAX_SEQ_LENGTH), oov };
  }

  /**
   * How many of the kept token ids (1 … MAX_NUM_WORDS-1) mean another word in `other`: 0 when both
   * encode every text alike (the rest of the vocabulary and the fit's date do not matter); all of
   * them when the sizes differ.
   */
  keptIdsDifferingFrom(other: KerasTokenizer): number {
    const a = this.state.settings;
    const b = other.state.settings;
    if (a.MAX_NUM_WORDS !== b.MAX_NUM_WORDS || a.MAX_SEQ_LENGTH !== b.MAX_SEQ_LENGTH) return Math.max(a.MAX_NUM_WORDS, b.MAX_NUM_WORDS) - 1;
    const kept = (t: KerasTokenizer) => {
      const byId = new Map<number, string>();
      for (const [w, i] of t.index) if (i < a.MAX_NUM_WORDS) byId.set(i, w);
      return byId;
    };
    const mine = kept(this);
    const theirs = kept(other);
    let differing = 0;
    for (let i = 1; i < a.MAX_NUM_WORDS; i++) if (mine.get(i) !== theirs.get(i)) differing += 1;
    return differing;
  }

  /**
   * A hash of what the tokenizer encodes with: its sizes and its whole vocabulary in index order
   * (not when or on how many texts it was fitted): two fits with the same vocabulary share it.
   */
  fingerprint(): string {
    const h = createHash('sha256');
    const { MAX_NUM_WORDS, MAX_SEQ_LENGTH } = this.state.settings;
    h.update(`MAX_NUM_WORDS=${MAX_NUM_WORDS}\nMAX_SEQ_LENGTH=${MAX_SEQ_LENGTH}\n`);
    for (const [w, i] of [...this.index].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))) h.update(`${i}\t${w}\n`);
    return `sha256:${h.digest('hex')}`;
  }

  save(dir: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, 'tokenizer.json'), JSON.stringify(this.state));
    writeFileAtomic(join(dir, 'settings.json'), JSON.stringify(this.state.settings, null, 2));
  }

  /** a saved tokenizer, checked: a missing or broken file is an ArtifactError naming it */
  static load(dir: string, file = 'tokenizer.json'): KerasTokenizer {
    const path = join(dir, file);
    const state = readJsonArtifact<TokenizerState>(path, TOKENIZER_REMEDY);
    const broken = (what: string) => new ArtifactError(path, what, TOKENIZER_REMEDY);
    if (!state || typeof state !== 'object' || !state.wordIndex || typeof state.wordIndex !== 'object') throw broken('no word index');
    const s = state.settings;
    if (!s || !Number.isInteger(s.MAX_NUM_WORDS) || !Number.isInteger(s.MAX_SEQ_LENGTH) || s.MAX_NUM_WORDS < 2 || s.MAX_SEQ_LENGTH < 1)
      throw broken('settings lack MAX_NUM_WORDS and MAX_SEQ_LENGTH');
    for (const [w, i] of Object.entries(state.wordIndex))
      if (!Number.isInteger(i) || i < 1) throw broken(`word "${w.slice(0, 30)}" has index ${String(i)}, expected a positive integer`);
    if (file !== 'tokenizer.json') return new KerasTokenizer(state);
    try {
      // settings.json is the documented place to read the sizes from; it wins if edited
      state.settings = { ...state.settings, ...(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as TokenizerSettings) };
    } catch {
      /* tokenizer.json carries the settings too */
    }
    return new KerasTokenizer(state);
  }
}

/** Keras pad_sequences(padding='pre', truncating='pre', value=0) for one sequence. */
export function padSequence(seq: number[], maxLen: number): number[] {
  if (seq.length >= maxLen) return seq.slice(seq.length - maxLen);
  return new Array<number>(maxLen - seq.length).fill(0).concat(seq);
}
