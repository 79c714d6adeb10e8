import { Redactor } from './redactor';

/**
 * A JSON-like value with every string value passed through the redactor. Object keys are kept as
 * they are (they name fields, they do not hold secrets); numbers, booleans and null are kept. The
 * input is never changed: an object or array holding a string the redactor changed (at any depth)
 * is copied, everything else is returned as it is — most events hold no secret, and copying every
 * one of them was a good part of the intake's allocations. A `__proto__` key from parsed JSON is
 * defined on a copy as an ordinary own property, never assigned (which would set the copy's
 * prototype).
 */
export function redactDeep<T>(value: T, redactor: Redactor): T {
  return walk(value, redactor) as T;
}

function walk(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return walkArray(value, redactor);
  // Plain loops: events are redacted one by one on intake, and Object.entries/fromEntries
  // allocate two arrays per property.
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const before = source[key];
    const after = walk(before, redactor);
    if (out === undefined && after !== before) {
      out = {};
      for (let j = 0; j < i; j++) define(out, keys[j], source[keys[j]]);
    }
    if (out !== undefined) define(out, key, after);
  }
  return out ?? source;
}

function walkArray(source: readonly unknown[], redactor: Redactor): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < source.length; i++) {
    const after = walk(source[i], redactor);
    if (out === undefined && after !== source[i]) out = source.slice(0, i);
    if (out !== undefined) out.push(after);
  }
  return out ?? (source as unknown[]);
}

function define(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
