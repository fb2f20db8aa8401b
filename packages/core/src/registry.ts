/**
 * The plugin registry. Every schedule, timestep sampler, loss weighting, solver, model,
 * autoencoder and text encoder is registered by kind and name, and created from a spec
 * string. Users add their own the same way.
 *
 * ```ts
 * register('solver', 'my-euler', {
 *   params: [{ name: 'substeps', type: 'integer', default: 1, min: 1 }],
 *   create: ({ substeps }) => new MyEuler(substeps as number),
 * });
 * const solver = create('solver', 'my-euler(substeps=2)');
 * ```
 */
import { formatValue, RectiflowError } from './errors';
import type { PluginKinds } from './plugin-kinds';
import { formatSpec, formatSpecValue, parseSpec, type SpecNode, type SpecValue } from './spec';

/** The type of a plugin parameter. */
export type ParamType = 'number' | 'integer' | 'boolean' | 'string' | 'number[]' | 'spec' | 'any';

/** One declared parameter of a plugin. Positional arguments bind in declaration order. */
export interface ParamDef {
  name: string;
  type: ParamType;
  /** Used when the argument is absent; a parameter without a default is required. */
  default?: unknown;
  /** Inclusive bounds for numbers. */
  min?: number;
  max?: number;
  /** Exclusive bounds for numbers. */
  greaterThan?: number;
  lessThan?: number;
  /** Allowed values for strings. */
  oneOf?: readonly string[];
  /** One line for usage messages. */
  description?: string;
}

/** Arguments after validation: every declared parameter by name. */
export type PluginParams = Record<string, unknown>;

/**
 * A plugin: how to build one instance from validated parameters. Plugins that must read
 * files or fetch weights define `load` (asynchronous, used by {@link Registry.createAsync});
 * the others define `create`. A plugin may define both.
 */
export interface PluginDefinition<T> {
  /** One line shown in listings. */
  description?: string;
  /** Declared parameters; omit to accept no arguments. */
  params?: readonly ParamDef[];
  /** Build the instance synchronously. `spec` is the parsed spec, for plugins that read nested specs. */
  create?(params: PluginParams, spec: SpecNode): T;
  /** Build the instance asynchronously (e.g. loading weights). */
  load?(params: PluginParams, spec: SpecNode): Promise<T>;
}

/** Options of {@link Registry.register}. */
export interface RegisterOptions {
  /** Replace an existing plugin of the same kind and name instead of throwing. */
  override?: boolean;
}

/** A kind name: the built-in ones from {@link PluginKinds}, or any string for user kinds. */
export type PluginKind = keyof PluginKinds | (string & {});
/** The instance type of a kind. */
export type PluginOf<K> = K extends keyof PluginKinds ? PluginKinds[K] : unknown;

/** A spec names no registered plugin. */
export class UnknownPluginError extends RectiflowError {
  override name = 'UnknownPluginError';
  constructor(
    readonly kind: string,
    readonly pluginName: string,
    readonly available: readonly string[],
  ) {
    super(
      `unknown ${kind} ${formatValue(pluginName)}. Registered ${kind} plugins: ${
        available.length ? available.join(', ') : '(none)'
      }. Add your own with register(${formatValue(kind)}, name, definition).`,
    );
  }
}

/** A spec's argument is missing, unknown, of the wrong type or out of range. */
export class PluginArgumentError extends RectiflowError {
  override name = 'PluginArgumentError';
  constructor(
    readonly kind: string,
    readonly spec: string,
    readonly argument: string,
    readonly value: unknown,
    readonly allowed: string,
    readonly usage: string,
  ) {
    super(
      `${kind} ${formatValue(spec)}: argument ${formatValue(argument)} got ${formatValue(value)}; expected ${allowed}. Usage: ${usage}`,
    );
  }
}

function describeParam(p: ParamDef): string {
  const bounds: string[] = [];
  if (p.min !== undefined) bounds.push(`>= ${p.min}`);
  if (p.greaterThan !== undefined) bounds.push(`> ${p.greaterThan}`);
  if (p.max !== undefined) bounds.push(`<= ${p.max}`);
  if (p.lessThan !== undefined) bounds.push(`< ${p.lessThan}`);
  const base =
    p.oneOf !== undefined
      ? `one of ${p.oneOf.join(', ')}`
      : {
          number: 'a number',
          integer: 'an integer',
          boolean: 'true or false',
          string: 'a string',
          'number[]': 'a list of numbers',
          spec: 'a spec',
          any: 'a value',
        }[p.type];
  return bounds.length ? `${base} ${bounds.join(' and ')}` : base;
}

function usageOf(name: string, def: PluginDefinition<unknown>): string {
  const params = def.params ?? [];
  if (!params.length) return name;
  const parts = params.map((p) => (p.default === undefined ? `${p.name}` : `${p.name}=${formatSpecValue(p.default as SpecValue)}`));
  return `${name}(${parts.join(', ')})`;
}

function checkArg(p: ParamDef, value: SpecValue): { ok: boolean; value: unknown } {
  const inBounds = (n: number) =>
    (p.min === undefined || n >= p.min) &&
    (p.max === undefined || n <= p.max) &&
    (p.greaterThan === undefined || n > p.greaterThan) &&
    (p.lessThan === undefined || n < p.lessThan);
  switch (p.type) {
    case 'number':
      return { ok: typeof value === 'number' && !Number.isNaN(value) && inBounds(value), value };
    case 'integer':
      return { ok: typeof value === 'number' && Number.isInteger(value) && inBounds(value), value };
    case 'boolean':
      return { ok: typeof value === 'boolean', value };
    case 'string':
      return { ok: typeof value === 'string' && (!p.oneOf || p.oneOf.includes(value)), value };
    case 'number[]': {
      const list = typeof value === 'number' ? [value] : value;
      const ok = Array.isArray(list) && list.every((v) => typeof v === 'number' && inBounds(v));
      return { ok, value: list };
    }
    case 'spec':
      if (typeof value === 'string') return { ok: true, value: parseSpec(value) };
      return { ok: typeof value === 'object' && !Array.isArray(value) && value.kind === 'spec', value };
    default:
      return { ok: true, value };
  }
}

/** A registry of plugins by kind and name. Most code uses the shared {@link registry}. */
export class Registry {
  private readonly plugins = new Map<string, Map<string, PluginDefinition<unknown>>>();

  /**
   * Register a plugin. `definition` is either a {@link PluginDefinition} or a plain
   * factory taking no arguments.
   * @throws when the name is taken (unless `override`) or not a valid spec name.
   */
  register<K extends PluginKind>(
    kind: K,
    name: string,
    definition: PluginDefinition<PluginOf<K>> | (() => PluginOf<K>),
    options: RegisterOptions = {},
  ): void {
    if (!/^[A-Za-z_][A-Za-z0-9_.+-]*(\/[A-Za-z_][A-Za-z0-9_.+-]*)*$/.test(name)) {
      throw new RectiflowError(`plugin name: got ${formatValue(name)}; expected letters, digits, _ . + - and "/" between segments`);
    }
    const def: PluginDefinition<unknown> = typeof definition === 'function' ? { create: () => definition() } : definition;
    if (typeof def.create !== 'function' && typeof def.load !== 'function') {
      throw new RectiflowError(`${kind} ${formatValue(name)}: a plugin definition needs create() or load()`);
    }
    const byName = this.plugins.get(kind) ?? new Map();
    if (byName.has(name) && !options.override) {
      throw new RectiflowError(`${kind} ${formatValue(name)} is already registered; pass { override: true } to replace it`);
    }
    byName.set(name, def);
    this.plugins.set(kind, byName);
  }

  /**
   * Register a package's built-in plugin unless the name is taken. Importing a package
   * twice (its ESM and CJS builds) then registers nothing twice, and a plugin a user
   * registered first under the same name is kept. Returns whether it registered.
   */
  registerBuiltin<K extends PluginKind>(kind: K, name: string, definition: PluginDefinition<PluginOf<K>> | (() => PluginOf<K>)): boolean {
    if (this.has(kind, name)) return false;
    this.register(kind, name, definition);
    return true;
  }

  /** Remove a plugin; returns whether it existed. */
  unregister(kind: PluginKind, name: string): boolean {
    return this.plugins.get(kind)?.delete(name) ?? false;
  }

  /** Whether a plugin is registered. */
  has(kind: PluginKind, name: string): boolean {
    return this.plugins.get(kind)?.has(name) ?? false;
  }

  /** The registered names of a kind, sorted. */
  names(kind: PluginKind): string[] {
    return [...(this.plugins.get(kind)?.keys() ?? [])].sort();
  }

  /** The kinds that have at least one plugin. */
  kinds(): string[] {
    return [...this.plugins.keys()].filter((k) => this.plugins.get(k)?.size).sort();
  }

  /** The usage line of a plugin, e.g. `dopri5(rtol=0.0001, atol=0.0001)`. */
  usage(kind: PluginKind, name: string): string {
    return usageOf(name, this.definition(kind, name));
  }

  /** The definition of a plugin. @throws {@link UnknownPluginError} */
  definition(kind: PluginKind, name: string): PluginDefinition<unknown> {
    const def = this.plugins.get(kind)?.get(name);
    if (!def) throw new UnknownPluginError(kind, name, this.names(kind));
    return def;
  }

  /**
   * Validate a spec's arguments against the plugin's declared parameters and return them
   * by name, defaults filled in.
   */
  resolve(kind: PluginKind, spec: string | SpecNode): { node: SpecNode; params: PluginParams; definition: PluginDefinition<unknown> } {
    const node = typeof spec === 'string' ? parseSpec(spec) : spec;
    const def = this.definition(kind, node.name);
    const declared = def.params ?? [];
    const usage = usageOf(node.name, def);
    const fail = (arg: string, value: unknown, allowed: string): never => {
      throw new PluginArgumentError(kind, node.text || formatSpec(node), arg, value, allowed, usage);
    };
    if (node.args.length > declared.length) {
      fail(`#${declared.length + 1}`, node.args[declared.length], `at most ${declared.length} positional argument(s)`);
    }
    const given = new Map<string, SpecValue>();
    node.args.forEach((v, i) => {
      given.set(declared[i].name, v);
    });
    for (const [key, value] of Object.entries(node.kwargs)) {
      if (!declared.some((p) => p.name === key)) {
        fail(key, value, declared.length ? `one of the parameters ${declared.map((p) => p.name).join(', ')}` : 'no arguments');
      }
      if (given.has(key)) fail(key, value, 'the argument once (it was also given by position)');
      given.set(key, value);
    }
    const params: PluginParams = {};
    for (const p of declared) {
      if (!given.has(p.name)) {
        if (p.default === undefined) fail(p.name, undefined, `${describeParam(p)} (required)`);
        params[p.name] = p.default;
        continue;
      }
      const checked = checkArg(p, given.get(p.name) as SpecValue);
      if (!checked.ok) fail(p.name, given.get(p.name), describeParam(p));
      params[p.name] = checked.value;
    }
    return { node, params, definition: def };
  }

  /**
   * Create a plugin from a spec string such as `dopri5(rtol=1e-4)`.
   * @throws {@link UnknownPluginError}, {@link PluginArgumentError} or a spec syntax error.
   */
  create<K extends PluginKind>(kind: K, spec: string | SpecNode): PluginOf<K> {
    const { node, params, definition } = this.resolve(kind, spec);
    if (!definition.create) {
      throw new RectiflowError(`${kind} ${formatValue(node.name)} loads asynchronously: use createAsync(${formatValue(kind)}, spec)`);
    }
    return definition.create(params, node) as PluginOf<K>;
  }

  /**
   * Create a plugin from a spec string, asynchronously: uses the plugin's `load` when it has
   * one (e.g. to read weights), else its `create`.
   */
  async createAsync<K extends PluginKind>(kind: K, spec: string | SpecNode): Promise<PluginOf<K>> {
    const { node, params, definition } = this.resolve(kind, spec);
    if (definition.load) return (await definition.load(params, node)) as PluginOf<K>;
    return (definition.create as NonNullable<typeof definition.create>)(params, node) as PluginOf<K>;
  }
}

const GLOBAL_KEY = Symbol.for('rectiflow.registry');

/**
 * The shared registry. It lives on `globalThis`, so that the ESM and CJS builds of this
 * package, if both are loaded, see the same plugins.
 */
const globalSlot = globalThis as Record<symbol, Registry | undefined>;
if (!globalSlot[GLOBAL_KEY]) globalSlot[GLOBAL_KEY] = new Registry();
export const registry: Registry = globalSlot[GLOBAL_KEY];

/** Register a plugin in the shared {@link registry}. */
export function register<K extends PluginKind>(
  kind: K,
  name: string,
  definition: PluginDefinition<PluginOf<K>> | (() => PluginOf<K>),
  options?: RegisterOptions,
): void {
  registry.register(kind, name, definition, options);
}

/** Register a built-in plugin in the shared {@link registry} unless the name is taken (see {@link Registry.registerBuiltin}). */
export function registerBuiltin<K extends PluginKind>(
  kind: K,
  name: string,
  definition: PluginDefinition<PluginOf<K>> | (() => PluginOf<K>),
): boolean {
  return registry.registerBuiltin(kind, name, definition);
}

/** Create a plugin from the shared {@link registry}. */
export function create<K extends PluginKind>(kind: K, spec: string | SpecNode): PluginOf<K> {
  return registry.create(kind, spec);
}

/** Create a plugin from the shared {@link registry}, allowing asynchronous loading. */
export function createAsync<K extends PluginKind>(kind: K, spec: string | SpecNode): Promise<PluginOf<K>> {
  return registry.createAsync(kind, spec);
}
