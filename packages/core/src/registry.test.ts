import { describe, expect, it } from 'vitest';
import { create, PluginArgumentError, Registry, register, registry, UnknownPluginError } from './registry';

interface Toy {
  kind: string;
  rtol: number;
  atol: number;
}

function toyRegistry(): Registry {
  const r = new Registry();
  r.register('toy', 'dopri5', {
    description: 'adaptive',
    params: [
      { name: 'rtol', type: 'number', default: 1e-4, greaterThan: 0 },
      { name: 'atol', type: 'number', default: 1e-4, greaterThan: 0 },
      { name: 'maxSteps', type: 'integer', default: 1000, min: 1 },
      { name: 'norm', type: 'string', default: 'rms', oneOf: ['rms', 'max'] },
    ],
    create: (p): Toy => ({ kind: 'dopri5', rtol: p.rtol as number, atol: p.atol as number }),
  });
  r.register('toy', 'rf/lognorm', {
    params: [
      { name: 'm', type: 'number' },
      { name: 's', type: 'number', greaterThan: 0 },
    ],
    create: (p) => ({ kind: 'lognorm', rtol: p.m as number, atol: p.s as number }),
  });
  r.register('toy', 'euler', () => ({ kind: 'euler', rtol: 0, atol: 0 }));
  return r;
}

describe('Registry', () => {
  it('creates plugins from spec strings with positional and named arguments and defaults', () => {
    const r = toyRegistry();
    expect(r.create('toy', 'dopri5(rtol=1e-6)')).toEqual({ kind: 'dopri5', rtol: 1e-6, atol: 1e-4 });
    expect(r.create('toy', 'dopri5(1e-3, atol=1e-5)')).toEqual({ kind: 'dopri5', rtol: 1e-3, atol: 1e-5 });
    expect(r.create('toy', 'rf/lognorm(0.00, 1.00)')).toEqual({ kind: 'lognorm', rtol: 0, atol: 1 });
    expect(r.create('toy', 'euler')).toEqual({ kind: 'euler', rtol: 0, atol: 0 });
    expect(r.create('toy', 'euler()')).toEqual({ kind: 'euler', rtol: 0, atol: 0 });
    expect(r.names('toy')).toEqual(['dopri5', 'euler', 'rf/lognorm']);
    expect(r.usage('toy', 'dopri5')).toBe('dopri5(rtol=0.0001, atol=0.0001, maxSteps=1000, norm=rms)');
  });

  it('lists the registered names for an unknown name', () => {
    const r = toyRegistry();
    const error = (() => {
      try {
        r.create('toy', 'dopri7(rtol=1)');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(UnknownPluginError);
    expect(error?.message).toBe(
      'unknown toy "dopri7". Registered toy plugins: dopri5, euler, rf/lognorm. Add your own with register("toy", name, definition).',
    );
  });

  it.each([
    ['dopri5(rtol=-1)', /argument "rtol" got -1; expected a number > 0/],
    ['dopri5(rtol=fast)', /argument "rtol" got "fast"; expected a number > 0/],
    ['dopri5(maxSteps=2.5)', /argument "maxSteps" got 2.5; expected an integer >= 1/],
    ['dopri5(norm=l1)', /argument "norm" got "l1"; expected one of rms, max/],
    ['dopri5(tol=1)', /argument "tol" got 1; expected one of the parameters rtol, atol, maxSteps, norm/],
    ['dopri5(1, 2, 3, "rms", 5)', /argument "#5" got 5; expected at most 4 positional/],
    ['dopri5(1, rtol=2)', /also given by position/],
    ['rf/lognorm(0.5)', /argument "s" got undefined; expected a number > 0 \(required\)/],
    ['euler(1)', /at most 0 positional/],
  ])('rejects %j naming the argument and showing usage', (spec, message) => {
    const r = toyRegistry();
    expect(() => r.create('toy', spec)).toThrow(PluginArgumentError);
    expect(() => r.create('toy', spec)).toThrow(message);
    expect(() => r.create('toy', spec)).toThrow(/Usage: /);
  });

  it('refuses a taken name unless overridden, and invalid names', () => {
    const r = toyRegistry();
    expect(() => r.register('toy', 'euler', () => ({}))).toThrow(/already registered/);
    r.register('toy', 'euler', () => ({ kind: 'mine', rtol: 1, atol: 1 }), { override: true });
    expect(r.create('toy', 'euler')).toMatchObject({ kind: 'mine' });
    expect(() => r.register('toy', 'bad name', () => ({}))).toThrow(/plugin name/);
    expect(r.unregister('toy', 'euler')).toBe(true);
    expect(r.has('toy', 'euler')).toBe(false);
  });

  it('creates asynchronous plugins with createAsync, and says so when create is used', async () => {
    const r = new Registry();
    r.register('toy', 'weights', {
      params: [{ name: 'path', type: 'string' }],
      load: async ({ path }) => ({ kind: `loaded ${path}`, rtol: 0, atol: 0 }),
    });
    expect(await r.createAsync('toy', 'weights("a.safetensors")')).toMatchObject({ kind: 'loaded a.safetensors' });
    expect(() => r.create('toy', 'weights("a")')).toThrow('toy "weights" loads asynchronously: use createAsync("toy", spec)');
    // Synchronous plugins work through createAsync too.
    r.register('toy', 'plain', () => ({ kind: 'plain', rtol: 0, atol: 0 }));
    expect(await r.createAsync('toy', 'plain')).toMatchObject({ kind: 'plain' });
    expect(() => r.register('toy', 'empty', {} as never)).toThrow(/needs create\(\) or load\(\)/);
  });

  it('registers built-ins once, keeping a plugin registered first under the same name', () => {
    const r = new Registry();
    const mine = { kind: 'mine', rtol: 0, atol: 0 };
    r.register('toy', 'euler', () => mine);
    expect(r.registerBuiltin('toy', 'euler', () => ({ kind: 'builtin', rtol: 0, atol: 0 }))).toBe(false);
    expect(r.create('toy', 'euler')).toBe(mine);
    expect(r.registerBuiltin('toy', 'heun', () => ({ kind: 'heun', rtol: 0, atol: 0 }))).toBe(true);
    expect(r.registerBuiltin('toy', 'heun', () => ({ kind: 'other', rtol: 0, atol: 0 }))).toBe(false);
    expect(r.create('toy', 'heun')).toMatchObject({ kind: 'heun' });
  });

  it('shares one global registry for users plugins', () => {
    register('timestep-sampler', 'test-constant', {
      params: [{ name: 'value', type: 'number', min: 0, max: 1 }],
      create: ({ value }) => ({
        name: `test-constant(${value})`,
        sampleNumbers: (n: number) => new Float64Array(n).fill(value as number),
        sample: () => {
          throw new Error('not used');
        },
        density: () => Number.NaN,
      }),
    });
    try {
      const sampler = create('timestep-sampler', 'test-constant(0.25)');
      expect(sampler.name).toBe('test-constant(0.25)');
      expect([...sampler.sampleNumbers(2, undefined as never)]).toEqual([0.25, 0.25]);
      expect(registry.kinds()).toContain('timestep-sampler');
    } finally {
      registry.unregister('timestep-sampler', 'test-constant');
    }
  });
});
