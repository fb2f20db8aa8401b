/**
 * `@rectiflow/eval/node`: the feature nets shipped with the package, loaded from disk.
 * @module node
 */
export { loadShippedFeatureNet, SHIPPED_FEATURE_NETS, type ShippedFeatureNetName, shippedFeatureNetPath } from './node-file';
