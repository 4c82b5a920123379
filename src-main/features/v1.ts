/**
 * Features v1 (2019): capitalisation ratio, non-alphabetic ratio and the presence of seven
 * cue words, as the seed story's `Feature1Extractor` defines them.
 *
 * The seed tokenises with NLTK's `word_tokenize` (Treebank rules). What matters for these
 * features is (a) which characters belong to tokens (every non-space character; the Treebank
 * rules turn a straight double quote into a two-character `` or '' token, so it counts twice)
 * and (b) which alphabetic runs end up in the same token, because cue words are matched on the
 * letters of whole tokens. Treebank splits tokens at the punctuation below, so we do too;
 * letters joined by other characters (`free-entry`, `win/cash`) stay one token, as in NLTK.
 */
import type { FeatureExtractor } from './types';

export const CUE_WORDS = ['free', 'money', 'prize', 'win', 'won', 'winner', 'cash'] as const;
export const FEATURES_V1 = ['cap_r', 'nal_r', ...CUE_WORDS.map((_, i) => `cw_scores_${i}`)];

// Treebank splits these off as tokens of their own (a period only at the end of a word).
const SPLIT = /[\s,;:@#$%&?!()[\]{}<>"`]+|\.\.\.|--|\.(?=\s|$)/;
// ...and contractions: "won't" becomes "wo" + "n't", "it's" becomes "it" + "'s".
const CONTRACTION = /(n't|'s|'re|'ve|'ll|'d|'m)$/i;
const isUpper = (c: string) => c >= 'A' && c <= 'Z';
const isAlpha = (c: string) => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

export function extractV1(text: string): Record<string, number> {
  let totalChars = 0;
  for (const c of text) {
    if (c === '"') totalChars += 2;
    else if (!/\s/.test(c)) totalChars += 1;
  }
  const tokens: string[] = [];
  let letters = 0;
  let capitals = 0;
  const pieces: string[] = [];
  for (const piece of text.split(SPLIT)) {
    const m = CONTRACTION.exec(piece);
    if (m && m.index > 0) pieces.push(piece.slice(0, m.index), m[0]);
    else pieces.push(piece);
  }
  for (const piece of pieces) {
    let alpha = '';
    for (const c of piece) {
      if (isAlpha(c)) {
        alpha += c;
        if (isUpper(c)) capitals += 1;
      }
    }
    if (alpha) {
      tokens.push(alpha.toLowerCase());
      letters += alpha.length;
    }
  }
  const lowered = new Set(tokens);
  const out: Record<string, number> = {
    cap_r: letters > 0 ? capitals / letters : 0,
    nal_r: letters > 0 ? (totalChars - letters) / letters : 0,
  };
  CUE_WORDS.forEach((w, i) => {
    out[`cw_scores_${i}`] = lowered.has(w) ? 1 : 0;
  });
  return out;
}

export class FeatureExtractorV1 implements FeatureExtractor {
  readonly id = 'features_v1@1';
  featureNames(): string[] {
    return [...FEATURES_V1];
  }
  extract(text: string): Record<string, number> {
    return extractV1(text);
  }
  extractList(text: string): number[] {
    const f = extractV1(text);
    return FEATURES_V1.map((n) => f[n]);
  }
}
