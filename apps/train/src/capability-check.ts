/**
 * What the trainer needs of a model and a text encoder, checked by capability (not by
 * class), so a plugin's model or encoder trains when it has them: `Trainable` (named
 * variables to update) and `Serialisable` (checkpoints), both from @rectiflow/core.
 */
import { isTrainable, missingSerialisable, RectiflowError, type Serialisable, type Trainable } from '@rectiflow/core';

/**
 * Check that `value`, built from the configuration field `field` (spec `spec`), is
 * Trainable and Serialisable; the error names the field, the spec and what is missing.
 */
export function checkTrainable<T>(field: string, spec: string, value: T): asserts value is T & Trainable & Serialisable {
  if (!isTrainable(value)) throw new RectiflowError(`${field}: ${spec} is not trainable: it lacks trainableWeights()`);
  const missing = missingSerialisable(value);
  if (missing.length) {
    throw new RectiflowError(
      `${field}: ${spec} cannot be checkpointed: it lacks ${missing.map((m) => `${m}()`).join(', ')} (Serialisable)`,
    );
  }
}
