import { Redactor } from './redactor';

/**
 * A copy of a JSON-like value with every string value passed through the redactor. Object keys are
 * kept as they are (they name fields, they do not hold secrets); numbers, booleans and null are
 * kept. Objects are rebuilt with `Object.fromEntries`, so a `__proto__` key from parsed JSON stays
 * an ordinary property.
 */
export function redactDeep<T>(value: T, redactor: Redactor): T {
  return walk(value, redactor) as T;
}

function walk(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, redactor));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, redactor)]));
  }
  return value;
}
