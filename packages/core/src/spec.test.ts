import { describe, expect, it } from 'vitest';
import { formatSpec, parseSpec, SpecSyntaxError } from './spec';

describe('parseSpec', () => {
  it('parses the paper-style names with positional arguments', () => {
    const node = parseSpec('rf/lognorm(0.00, 1.00)');
    expect(node.name).toBe('rf/lognorm');
    expect(node.args).toEqual([0, 1]);
    expect(node.called).toBe(true);
    expect(parseSpec('edm(-1.20, 1.20)').args).toEqual([-1.2, 1.2]);
    expect(parseSpec('rf').called).toBe(false);
  });

  it('parses named arguments, lists, booleans, strings, infinities and nested specs', () => {
    const node = parseSpec(' dopri5( rtol = 1e-4, atol=1E-6, dense=true, mode="fast", steps=[1, 2.5], order=inf ) ');
    expect(node.kwargs).toEqual({ rtol: 1e-4, atol: 1e-6, dense: true, mode: 'fast', steps: [1, 2.5], order: Infinity });
    const nested = parseSpec('shifted(rf/lognorm(0, 1), alpha=3, label=plain)');
    const inner = nested.args[0] as ReturnType<typeof parseSpec>;
    expect(inner.kind).toBe('spec');
    expect(inner.name).toBe('rf/lognorm');
    expect(nested.kwargs).toEqual({ alpha: 3, label: 'plain' });
  });

  it('accepts argument names that are also Object.prototype members', () => {
    expect(parseSpec('x(constructor=1, toString=2)').kwargs).toEqual({ constructor: 1, toString: 2 });
  });

  it('formats back to an equivalent spec', () => {
    for (const text of ['rf/lognorm(0, 1)', 'dopri5(rtol=0.0001, atol=0.0001)', 'a(b(1), [1, 2], x="two words")', 'rf']) {
      const node = parseSpec(text);
      expect(parseSpec(formatSpec(node))).toMatchObject({ name: node.name, args: node.args, kwargs: node.kwargs });
    }
  });

  it.each([
    ['', /expected a name at column 1/],
    ['rf(', /expected a value at column 4/],
    ['rf(1,', /expected a value/],
    ['rf(1 2)', /expected "," or "\)" at column 6/],
    ['dopri5(rtol=)', /expected a value at column 13/],
    ['x(a=1, 2)', /positional arguments come first/],
    ['x(a=1, a=2)', /given twice/],
    ['x(1) y', /expected end of spec/],
    ['x/', /a name after "\/"/],
    ['x("open)', /a closing "/],
    ['x(2x)', /expected a value/],
  ])('rejects %j with a message naming the column', (text, message) => {
    expect(() => parseSpec(text)).toThrow(SpecSyntaxError);
    expect(() => parseSpec(text)).toThrow(message);
  });
});
