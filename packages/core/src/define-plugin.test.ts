import { describe, expect, expectTypeOf, it } from 'vitest';
import { definePlugin, type ParamsOf } from './define-plugin';
import { Registry } from './registry';
import type { SpecNode } from './spec';

describe('definePlugin', () => {
  it('types the arguments from the parameter list and validates them through the registry', () => {
    const seen: unknown[] = [];
    const definition = definePlugin({
      description: 'test',
      params: [
        { name: 'scale', type: 'number', default: 1, greaterThan: 0 },
        { name: 'steps', type: 'integer', default: 4, min: 1 },
        { name: 'mode', type: 'string', default: 'fast', oneOf: ['fast', 'exact'] },
        { name: 'flag', type: 'boolean', default: false },
        { name: 'inner', type: 'spec', default: 'rf' },
      ],
      create: (p) => {
        expectTypeOf(p.scale).toEqualTypeOf<number>();
        expectTypeOf(p.steps).toEqualTypeOf<number>();
        expectTypeOf(p.mode).toEqualTypeOf<'fast' | 'exact'>();
        expectTypeOf(p.flag).toEqualTypeOf<boolean>();
        expectTypeOf(p.inner).toEqualTypeOf<SpecNode>();
        seen.push(p.scale * p.steps, p.mode, p.flag, p.inner.name);
        return { name: 'made' };
      },
    });
    const registry = new Registry();
    registry.register('thing', 'typed', definition);
    expect(registry.create('thing', 'typed(2.5, mode=exact, inner=cosine)')).toEqual({ name: 'made' });
    expect(seen).toEqual([10, 'exact', false, 'cosine']);
    expect(() => registry.create('thing', 'typed(mode=slow)')).toThrow(/mode/);
    expect(() => registry.create('thing', 'typed(-1)')).toThrow(/scale/);
  });

  it('gives no arguments to a plugin without parameters', () => {
    expectTypeOf<keyof ParamsOf<[]>>().toEqualTypeOf<never>();
    const registry = new Registry();
    registry.register('thing', 'plain', definePlugin({ create: () => 42 }));
    expect(registry.create('thing', 'plain')).toBe(42);
  });
});
