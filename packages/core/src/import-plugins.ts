/**
 * `--import ./plugin.mjs` for every CLI: user plugin modules, loaded before a spec is resolved,
 * so a spec may name what they register (a solver, a timestep sampler, a forward process, a
 * formulation, a model, a dataset). No `node:` import: paths resolve against a base URL.
 */
import { RectiflowError } from './errors';

/**
 * Import each module in order. Relative and absolute paths (`./plugin.mjs`, `/abs/plugin.mjs`)
 * resolve against `base` (default: the working directory as a file URL); anything else (an
 * installed package name) resolves as an `import` does.
 * @throws RectiflowError naming the module when it is missing or throws while loading
 */
export async function importPlugins(modules: readonly string[], base?: string): Promise<void> {
  const cwd = (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.();
  const root = base ?? (cwd ? `file://${cwd.endsWith('/') ? cwd : `${cwd}/`}` : undefined);
  for (const module of modules) {
    const isPath = module.startsWith('.') || module.startsWith('/');
    if (isPath && !root) throw new RectiflowError(`--import ${module}: a path needs a base URL outside Node`);
    const specifier = isPath ? new URL(module, root).href : module;
    try {
      await import(/* @vite-ignore */ specifier);
    } catch (e) {
      const text = (e as Error).message ?? String(e);
      const missing =
        /Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(text) && text.includes(isPath ? module.replace(/^\.\//, '') : module);
      throw new RectiflowError(`--import ${module}: ${missing ? 'no such module' : 'the module failed to load'} (${text.split('\n')[0]})`);
    }
  }
}
