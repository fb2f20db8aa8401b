/**
 * Errors that name the field, the value that was given and what is allowed.
 */

/** Base class of every error Rectiflow throws on purpose. */
export class RectiflowError extends Error {
  override name = 'RectiflowError';
}

/** Format a value for an error message: short, unambiguous, never throws. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    return Object.is(value, -0) ? '-0' : String(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const items = value.slice(0, 8).map(formatValue);
    return `[${items.join(', ')}${value.length > 8 ? `, … (${value.length} items)` : ''}]`;
  }
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    return `${name}(${(value as unknown as { length?: number }).length ?? value.byteLength})`;
  }
  if (typeof value === 'object') {
    const shape = (value as { shape?: unknown }).shape;
    if (Array.isArray(shape)) return `Tensor of shape ${formatValue(shape)}`;
    try {
      const text = JSON.stringify(value);
      return text.length > 120 ? `${text.slice(0, 117)}...` : text;
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

/**
 * An invalid argument, configuration value or input.
 * The message reads `<field>: got <value>; <allowed>`.
 */
export class ValidationError extends RectiflowError {
  override name = 'ValidationError';
  constructor(
    /** The argument or config field, e.g. `rtol` or `config.depth`. */
    readonly field: string,
    /** The value that was given. */
    readonly value: unknown,
    /** What is allowed, e.g. `a number > 0`. */
    readonly allowed: string,
  ) {
    super(`${field}: got ${formatValue(value)}; expected ${allowed}`);
  }
}

/** Throw a {@link ValidationError}. */
export function invalid(field: string, value: unknown, allowed: string): never {
  throw new ValidationError(field, value, allowed);
}

/** A NaN or infinity where finite values are required. */
export class NonFiniteError extends RectiflowError {
  override name = 'NonFiniteError';
  constructor(
    /** What held the non-finite value, e.g. `loss at step 120`. */
    readonly where: string,
    /** Count of NaN entries. */
    readonly nanCount: number,
    /** Count of ±Infinity entries. */
    readonly infCount: number,
  ) {
    super(`${where}: contains ${nanCount} NaN and ${infCount} infinite value(s); finite values are required`);
  }
}
