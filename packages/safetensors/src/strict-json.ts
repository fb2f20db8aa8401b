/**
 * A strict JSON parser for safetensors headers: like JSON.parse, but it rejects duplicate
 * object keys (JSON.parse silently keeps the last) and nesting deeper than a small limit.
 */

/** A JSON syntax error or a duplicate key, with its character position. */
export class StrictJsonError extends Error {
  constructor(
    message: string,
    readonly position: number,
    readonly duplicateKey?: string,
  ) {
    super(message);
  }
}

const MAX_DEPTH = 16;

export function parseStrictJson(text: string): unknown {
  let pos = 0;

  const fail = (what: string): never => {
    const found = pos < text.length ? JSON.stringify(text[pos]) : 'end of header';
    throw new StrictJsonError(`${what} at position ${pos}, found ${found}`, pos);
  };
  const ws = () => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };

  const parseString = (): string => {
    const start = pos;
    pos++; // opening quote
    let simple = true;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) {
        simple = false;
        pos++;
        const e = text[pos];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 1, pos + 5))) fail('invalid \\u escape');
          pos += 4;
        } else if (!e || !'"\\/bfnrt'.includes(e)) fail('invalid escape');
      }
      pos++;
    }
    if (pos >= text.length) fail('unterminated string');
    pos++;
    const raw = text.slice(start, pos);
    return simple ? raw.slice(1, -1) : (JSON.parse(raw) as string);
  };

  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

  const parseValue = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    ws();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const out: Record<string, unknown> = Object.create(null);
      const seen = new Set<string>();
      ws();
      if (text[pos] === '}') {
        pos++;
        return out;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail('expected a string key');
        const keyPos = pos;
        const key = parseString();
        if (seen.has(key)) throw new StrictJsonError(`duplicate key ${JSON.stringify(key)} at position ${keyPos}`, keyPos, key);
        seen.add(key);
        ws();
        if (text[pos] !== ':') fail('expected ":"');
        pos++;
        out[key] = parseValue(depth + 1);
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return out;
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      pos++;
      const out: unknown[] = [];
      ws();
      if (text[pos] === ']') {
        pos++;
        return out;
      }
      for (;;) {
        out.push(parseValue(depth + 1));
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return out;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', pos)) {
      pos += 4;
      return true;
    }
    if (text.startsWith('false', pos)) {
      pos += 5;
      return false;
    }
    if (text.startsWith('null', pos)) {
      pos += 4;
      return null;
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m) {
      pos += m[0].length;
      return Number(m[0]);
    }
    return fail('expected a JSON value');
  };

  const value = parseValue(0);
  ws();
  if (pos !== text.length) fail('unexpected text after the header object');
  return value;
}
