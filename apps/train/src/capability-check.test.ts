import { tf } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { checkTrainable } from './capability-check';

/** A plugin's model: not an MM-DiT, but with the capabilities the trainer needs. */
function pluginModel() {
  const w = tf.variable(tf.zeros([2]), true, `plugin-model-w-${Math.random()}`);
  return {
    name: 'my-model(width=2)',
    predict: (x: tf.Tensor) => tf.mul(x, 0),
    trainableVariables: () => [w],
    trainableWeights: () => new Map([['w', w]]),
    stateDict: () => new Map<string, tf.Tensor>([['w', w.clone()]]),
    loadStateDict: (m: ReadonlyMap<string, tf.Tensor>) => w.assign(m.get('w') as tf.Tensor),
    spec: () => ({ width: 2 }),
    dispose: () => w.dispose(),
  };
}

describe('checkTrainable', () => {
  it('passes a plugin model and text encoder that implement Trainable and Serialisable', () => {
    const model = pluginModel();
    expect(() => checkTrainable('model', model.name, model)).not.toThrow();
    const encoder = { ...pluginModel(), name: 'my-text', contextDim: 2, pooledDim: 2, encode: () => ({}) };
    expect(() => checkTrainable('textEncoder', encoder.name, encoder)).not.toThrow();
    model.dispose();
    encoder.dispose();
  });

  it('names the field, the spec and what is missing', () => {
    const { trainableWeights: _t, ...frozen } = pluginModel();
    expect(() => checkTrainable('model', 'my-model(width=2)', frozen)).toThrow(
      'model: my-model(width=2) is not trainable: it lacks trainableWeights()',
    );
    const { stateDict: _s, spec: _p, ...unsaved } = pluginModel();
    expect(() => checkTrainable('textEncoder', 'my-text', unsaved)).toThrow(
      'textEncoder: my-text cannot be checkpointed: it lacks stateDict(), spec() (Serialisable)',
    );
    frozen.dispose();
    unsaved.dispose();
  });
});
