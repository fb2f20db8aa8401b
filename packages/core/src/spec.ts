/**
 * The spec-string language plugins are created from:
 * `rf/lognorm(0.00, 1.00)`, `dopri5(rtol=1e-4, atol=1e-4)`, `mmdit(depth=2, qkNorm=true)`.
 *
 * ```
 * spec   := name [ '(' [ arg { ',' arg } ] ')' ]
 * name   := segment { '/' segment }        segment := [A-Za-z_][A-Za-z0-9_.+-]*
 * arg    := [ ident '=' ] value
 * value  := number | 'quoted' | "quoted" | true | false | [ value, ... ] | spec
 * ```
 * A bare word that is not `true`, `false`, a number or followed by `(` is a string.
 */
import { formatValue, RectiflowError } from './errors';

/** A parsed argument value. */
export type SpecValue = number | string | boolean | SpecValue[] | SpecNode;

/** A parsed spec: a name with positional and named arguments. */
export interface SpecNode {
  readonly kind: 'spec';
  /** The plugin name, slashes included (`rf/lognorm`). */
  readonly name: string;
  readonly args: readonly SpecValue[];
  readonly kwargs: Readonly<Record<string, SpecValue>>;
  /** Whether the spec had parentheses. */
  readonly called: boolean;
  /** The source text. */
  readonly text: string;
}

/** A spec string that does not parse. */
export class SpecSyntaxError extends RectiflowError {
  override name = 'SpecSyntaxError';
  constructor(
    readonly spec: string,
    readonly position: number,
    readonly expected: string,
  ) {
    const found = position >= spec.length ? 'end of input' : formatValue(spec[position]);
    super(
      `invalid spec ${formatValue(spec)}: expected ${expected} at column ${position + 1}, found ${found}. ` +
        `Specs look like name, name(1.0, 2), name(key=value) or a/b(arg).`,
    );
  }
}

const SEGMENT = /[A-Za-z_][A-Za-z0-9_.+-]*/y;
const NUMBER = /[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|Infinity)(?![A-Za-z0-9_])/y;

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(expected: string): never {
    throw new SpecSyntaxError(this.text, this.pos, expected);
  }

  skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  peek(): string | undefined {
    this.skip();
    return this.text[this.pos];
  }

  eat(ch: string): boolean {
    if (this.peek() === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  match(re: RegExp): string | undefined {
    this.skip();
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  name(): string {
    const first = this.match(SEGMENT) ?? this.fail('a name');
    let name = first;
    while (this.peek() === '/') {
      this.pos++;
      name += `/${this.match(SEGMENT) ?? this.fail('a name after "/"')}`;
    }
    return name;
  }

  spec(): SpecNode {
    this.skip();
    const start = this.pos;
    const name = this.name();
    const args: SpecValue[] = [];
    const kwargs: Record<string, SpecValue> = Object.create(null);
    let called = false;
    if (this.eat('(')) {
      called = true;
      if (!this.eat(')')) {
        do {
          this.skip();
          const save = this.pos;
          const key = this.match(/[A-Za-z_][A-Za-z0-9_]*/y);
          if (key !== undefined && this.eat('=')) {
            if (Object.hasOwn(kwargs, key)) {
              this.pos = save;
              this.fail(`a new argument name (${formatValue(key)} is given twice)`);
            }
            kwargs[key] = this.value();
          } else {
            this.pos = save;
            if (Object.keys(kwargs).length) this.fail('a named argument (positional arguments come first)');
            args.push(this.value());
          }
        } while (this.eat(','));
        if (!this.eat(')')) this.fail('"," or ")"');
      }
    }
    return { kind: 'spec', name, args, kwargs, called, text: this.text.slice(start, this.pos).trim() };
  }

  value(): SpecValue {
    const ch = this.peek();
    if (ch === undefined) this.fail('a value');
    if (ch === '"' || ch === "'") {
      const end = this.text.indexOf(ch, this.pos + 1);
      if (end < 0) this.fail(`a closing ${ch}`);
      const s = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
      return s;
    }
    if (ch === '[') {
      this.pos++;
      const items: SpecValue[] = [];
      if (!this.eat(']')) {
        do items.push(this.value());
        while (this.eat(','));
        if (!this.eat(']')) this.fail('"," or "]"');
      }
      return items;
    }
    const num = this.match(NUMBER);
    if (num !== undefined) {
      const body = num.replace(/^[+-]/, '');
      const sign = num.startsWith('-') ? -1 : 1;
      return /^inf/i.test(body) || body === 'Infinity' ? sign * Infinity : Number(num);
    }
    const save = this.pos;
    const word = this.match(SEGMENT);
    if (word === undefined) this.fail('a value');
    if (this.peek() === '(' || this.peek() === '/') {
      this.pos = save;
      return this.spec();
    }
    if (word === 'true') return true;
    if (word === 'false') return false;
    return word;
  }
}

/**
 * Parse a spec string.
 * @throws {@link SpecSyntaxError} naming the column and what was expected.
 */
export function parseSpec(text: string): SpecNode {
  if (typeof text !== 'string') throw new SpecSyntaxError(String(text), 0, 'a spec string');
  const parser = new Parser(text);
  const node = parser.spec();
  if (parser.peek() !== undefined) parser.fail('end of spec');
  return node;
}

/** Format a value the way the parser reads it back. */
export function formatSpecValue(value: SpecValue): string {
  if (typeof value === 'number') {
    if (value === Infinity) return 'inf';
    if (value === -Infinity) return '-inf';
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string')
    return /^[A-Za-z_][A-Za-z0-9_.+-]*$/.test(value) && value !== 'true' && value !== 'false' && !/^inf/i.test(value)
      ? value
      : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(formatSpecValue).join(', ')}]`;
  return formatSpec(value);
}

/** Format a spec node as a canonical spec string. */
export function formatSpec(node: Pick<SpecNode, 'name' | 'args' | 'kwargs'>): string {
  const parts = [...node.args.map(formatSpecValue), ...Object.entries(node.kwargs).map(([k, v]) => `${k}=${formatSpecValue(v)}`)];
  return parts.length ? `${node.name}(${parts.join(', ')})` : node.name;
}
