/**
 * {@link definePlugin}: a plugin definition whose `create`/`load` receive arguments typed from
 * the declared parameter list, so a plugin reads `p.shift` as a number without a cast.
 */
import type { ParamDef, PluginDefinition } from './registry';
import type { SpecNode } from './spec';

/** The validated value of one declared parameter. */
export type ParamValue<P extends ParamDef> = P['type'] extends 'number' | 'integer'
  ? number
  : P['type'] extends 'boolean'
    ? boolean
    : P['type'] extends 'string'
      ? P['oneOf'] extends readonly (infer S extends string)[]
        ? S
        : string
      : P['type'] extends 'number[]'
        ? number[]
        : P['type'] extends 'spec'
          ? SpecNode
          : unknown;

/** The arguments a plugin receives: every declared parameter by name, typed. */
export type ParamsOf<Ps extends readonly ParamDef[]> = { [P in Ps[number] as P['name']]: ParamValue<P> };

/** A {@link PluginDefinition} with typed arguments. */
export interface TypedPluginDefinition<T, Ps extends readonly ParamDef[]> {
  /** One line shown in listings. */
  description?: string;
  /** Declared parameters (write them inline, or as `as const` constants, to keep their types). */
  params?: Ps;
  create?(params: ParamsOf<Ps>, spec: SpecNode): T;
  load?(params: ParamsOf<Ps>, spec: SpecNode): Promise<T>;
}

/**
 * Define a plugin whose arguments are typed from its parameter list:
 * ```ts
 * register('timestep-sampler', 'beta', definePlugin({
 *   params: [{ name: 'a', type: 'number', greaterThan: 0 }, { name: 'mode', type: 'string', oneOf: ['fast', 'exact'] }],
 *   create: (p) => new BetaSampler(p.a, p.mode), // p.a: number, p.mode: 'fast' | 'exact'
 * }));
 * ```
 * The registry validates the arguments against the same list before `create` runs.
 */
export function definePlugin<T, const Ps extends readonly ParamDef[] = []>(definition: TypedPluginDefinition<T, Ps>): PluginDefinition<T> {
  return definition as unknown as PluginDefinition<T>;
}
