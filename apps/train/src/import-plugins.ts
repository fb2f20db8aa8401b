/**
 * `--import ./plugin.mjs`: user plugin modules, loaded before a configuration's specs are
 * resolved, so a spec may name a solver, timestep sampler, forward process, formulation, model
 * or dataset that the module registers. Paths resolve from the working directory; bare names
 * (an installed package) resolve as imports do.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RectiflowError } from '@rectiflow/core';

/** Import each module in order; a module that is missing or throws fails with its name. */
export async function importPlugins(modules: readonly string[]): Promise<void> {
  for (const module of modules) {
    const local = module.startsWith('.') || module.startsWith('/') || /\.(m?js|cjs)$/.test(module);
    const path = resolve(module);
    if (local && !existsSync(path)) throw new RectiflowError(`--import ${module}: no such file (${path})`);
    try {
      await import(local ? pathToFileURL(path).href : module);
    } catch (e) {
      throw new RectiflowError(`--import ${module}: the module failed to load: ${(e as Error).message}`);
    }
  }
}
