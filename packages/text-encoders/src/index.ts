/**
 * @rectiflow/text-encoders: the text side of SD3. CLIP-L/G and T5 v1.1 encoders loaded
 * from Hugging Face checkpoints, the SD3 conditioning stack with per-encoder dropout,
 * prompt tokenizers with SD3's rules, a small trainable text encoder, and an embedding
 * cache. Importing the package registers the `text-encoder` plugins `small-text` and `cached`.
 * @packageDocumentation
 */
export type { ClipActivation } from './clip-activation';
export {
  type ClipForwardOptions,
  type ClipLoadOptions,
  type ClipTextConfig,
  ClipTextModel,
  type ClipTextOutput,
} from './clip-text-model';
export { type CachedEncoding, CachedTextEncoder, EmbeddingCache, type EmbeddingCacheOptions, encoderIdentity } from './embedding-cache';
export {
  type DropReplacement,
  type EncoderBlock,
  EncoderDropout,
  type EncoderDropoutOptions,
  SD3_ENCODER_DROP_PROBABILITY,
} from './encoder-dropout';
export {
  clipTokenizer,
  PromptTokenizer,
  type PromptTokenizerOptions,
  type SpecialToken,
  type TokenizedPrompt,
  type TokenizerJson,
  t5Tokenizer,
} from './prompt-tokenizer';
export { type BucketOptions, relativePositionBucket, relativePositionBuckets } from './relative-position-bucket';
export {
  assembleSd3Context,
  type Sd3LoadSources,
  Sd3TextEncoder,
  type Sd3TextEncoderOptions,
  type Sd3TextEncoderParts,
  type Sd3Tokens,
  T5_XXL_WIDTH,
} from './sd3-conditioning';
export { SmallTextEncoder, type SmallTextEncoderConfig, type SmallTextEncoderOptions } from './small-text-encoder';
export { T5Encoder, type T5EncoderConfig, type T5ForwardOptions, type T5LoadOptions } from './t5-encoder';
export { TEXT_ENCODER_PLUGINS } from './text-encoder-plugins';
export type { TokenIds } from './token-ids';
export { openWeights, type WeightReader } from './weight-reader';
export {
  type EncodedWords,
  PAD_ID,
  SPECIAL_WORDS,
  START_ID,
  splitWords,
  UNKNOWN_ID,
  type VocabularyJson,
  type VocabularyOptions,
  WordVocabulary,
} from './word-vocabulary';
