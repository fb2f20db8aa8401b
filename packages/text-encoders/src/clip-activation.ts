/** The activation a CLIP text model uses, by its Hugging Face name. */
import type { tf } from '@rectiflow/core';
import { gelu, quickGelu } from '@rectiflow/nn';

/** The activations a CLIP text model can use. */
export type ClipActivation = 'quick_gelu' | 'gelu';

/** The activation by name. */
export function clipActivation(name: ClipActivation): (x: tf.Tensor) => tf.Tensor {
  return name === 'quick_gelu' ? quickGelu : gelu;
}
