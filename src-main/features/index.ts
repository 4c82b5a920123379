/** Text to features: v1 (hand-made), v2 (Keras-style tokenizer) and where the fitted tokenizer lives. */
export type { FeatureExtractor } from './types';
export { FeatureExtractorV1, extractV1, FEATURES_V1, CUE_WORDS } from './v1';
export { FeatureExtractorV2 } from './v2';
export { KerasTokenizer, padSequence, textToWordSequence, DEFAULT_TOKENIZER_SETTINGS, KERAS_FILTERS } from './tokenizer';
export type { EncodedBatch, EncodedText, TokenizerSettings, TokenizerState } from './tokenizer';
export { TokenizerStore } from './tokenizer-store';
export type { TokenizerSource } from './tokenizer-store';
