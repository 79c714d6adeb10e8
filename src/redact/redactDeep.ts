import { Redactor } from './redactor';

/**
 * A copy of a JSON-like value with every string value passed through the redactor. Object keys are
 * kept as they are (they name fields, they do not hold secrets); numbers, booleans and null are
 * kept. A `__proto__` key from parsed JSON is defined as an ordinary own property, never assigned
 * (which would set the copy's prototype).
 */
export function redactDeep<T>(value: T, redactor: Redactor): T {
  return walk(value, redactor) as T;
}

function walk(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => walk(v, redactor));
  // A plain loop: events are redacted one by one on intake, and Object.entries/fromEntries
  // allocate two arrays per property.
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const v = walk(source[key], redactor);
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}
