/**
 * The one TensorFlow.js instance every Rectiflow package uses.
 *
 * `@tensorflow/tfjs` registers all gradients and chained ops, and its registries live on
 * the global object, so backends registered by `@tensorflow/tfjs-node(-gpu)` or
 * `@tensorflow/tfjs-backend-wasm` are shared with it.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
