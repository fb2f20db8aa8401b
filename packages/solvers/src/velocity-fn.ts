/**
 * The samplers' model argument: a bare velocity function or a `VelocityModel` (its `predict`).
 */
import { invalid, type VelocityFn, type VelocityModel } from '@rectiflow/core';

/**
 * The velocity function of `model`: the function itself, or the model's `predict` (called
 * on the model, so a class method keeps its `this`).
 * @throws `ValidationError` naming `field` when `model` is neither
 */
export function velocityFn(model: VelocityFn | VelocityModel, field = 'model'): VelocityFn {
  if (typeof model === 'function') return model;
  if (typeof model === 'object' && model !== null && typeof (model as VelocityModel).predict === 'function') {
    return (x, t, cond, options) => model.predict(x, t, cond, options);
  }
  return invalid(field, model, 'a velocity function (x, t, cond) => v or a VelocityModel with predict(x, t, cond)');
}
