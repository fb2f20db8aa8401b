/**
 * Node file access for the feature nets shipped in `assets/`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalid } from '@rectiflow/core';
import { type FeatureNet, loadFeatureNet } from './feature-net';

/** The names of the shipped feature nets. */
export const SHIPPED_FEATURE_NETS = ['shapes', 'mnist'] as const;
/** A shipped feature net. */
export type ShippedFeatureNetName = (typeof SHIPPED_FEATURE_NETS)[number];

/** The path of a shipped net's weights. This file lives in `src/` (tests) or `dist/` (the build); the assets beside them. */
export function shippedFeatureNetPath(name: ShippedFeatureNetName): string {
  if (!SHIPPED_FEATURE_NETS.includes(name)) invalid('name', name, `one of ${SHIPPED_FEATURE_NETS.map((n) => `"${n}"`).join(', ')}`);
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'assets', `${name}-features.safetensors`);
}

/**
 * Load a shipped feature net: `shapes` (trained on the shapes labels) or `mnist` (a digit
 * classifier). Each call returns a new net; dispose it when done.
 * @example
 * ```ts
 * import { loadShippedFeatureNet } from '@rectiflow/eval/node';
 * const net = await loadShippedFeatureNet('mnist');
 * ```
 */
export async function loadShippedFeatureNet(name: ShippedFeatureNetName): Promise<FeatureNet> {
  const path = shippedFeatureNetPath(name);
  return loadFeatureNet(new Uint8Array(readFileSync(path)), path);
}
