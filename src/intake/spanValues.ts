import { TraceFlags, type AttributeValue, type Attributes, type HrTime } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';

/**
 * Value normalisation shared by the OTLP decoder (JSON and protobuf) and the Copilot outfile
 * reader. Inputs are `unknown` because they come straight from JSON.parse or from protobufjs
 * messages; every helper returns `undefined` for what it cannot accept, never throws.
 */

const TRACE_ID_HEX = /^[0-9a-fA-F]{32}$/;
const SPAN_ID_HEX = /^[0-9a-fA-F]{16}$/;
const TRACE_ID_LOWERCASE_HEX = /^[0-9a-f]{32}$/;
const SPAN_ID_LOWERCASE_HEX = /^[0-9a-f]{16}$/;
const ALL_ZERO = /^0+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DECIMAL = /^\d+$/;
const SIGNED_DECIMAL = /^-?\d+$/;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own properties only: protobufjs messages carry proto3 defaults on their prototype. */
export function has(obj: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** A 16-byte trace id as lowercase hex, or undefined when missing, malformed or all zero. */
export function traceIdFrom(value: unknown): string | undefined {
  return idFrom(value, 16, TRACE_ID_HEX, TRACE_ID_LOWERCASE_HEX);
}

/** An 8-byte span id as lowercase hex, or undefined when missing, malformed or all zero. */
export function spanIdFrom(value: unknown): string | undefined {
  return idFrom(value, 8, SPAN_ID_HEX, SPAN_ID_LOWERCASE_HEX);
}

/**
 * True for the ways senders say "no parent": absent, empty string or bytes, or all zeros (the
 * W3C invalid id, which some exporters write for roots).
 */
export function isAbsentId(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return ALL_ZERO.test(value) || value === '';
  // protobufjs's default for an unset bytes field is a plain empty array, not a Uint8Array.
  if (Array.isArray(value)) return value.length === 0;
  return value instanceof Uint8Array && value.every((b) => b === 0);
}

function idFrom(value: unknown, bytes: number, hex: RegExp, lowercaseHex: RegExp): string | undefined {
  // Nearly every id arrives as lowercase hex: taken as it is, without a lowercased copy.
  if (typeof value === 'string' && lowercaseHex.test(value)) {
    return ALL_ZERO.test(value) ? undefined : value;
  }
  let id: string | undefined;
  if (typeof value === 'string') {
    if (hex.test(value)) {
      id = value.toLowerCase();
    } else if (value.length === Math.ceil(bytes / 3) * 4 && BASE64.test(value)) {
      // OTLP/JSON prescribes hex, but generic protobuf-JSON encoders write bytes as base64; the
      // lengths differ (24 vs 32, 12 vs 16 characters), so accepting both is unambiguous.
      const decoded = Buffer.from(value, 'base64');
      if (decoded.length === bytes) id = decoded.toString('hex');
    }
  } else if (value instanceof Uint8Array && value.length === bytes) {
    id = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  }
  return id !== undefined && !ALL_ZERO.test(id) ? id : undefined;
}

/**
 * Unix nanoseconds (OTLP fixed64) → HrTime without passing through a float: epoch nanoseconds
 * exceed 2^53, so `Number(ns) / 1e9` would lose the sub-microsecond digits. Accepts a decimal
 * string (OTLP/JSON), a safe integer, a bigint or a protobufjs Long. Absent means 0 (proto3).
 */
export function hrTimeFromNanos(value: unknown): HrTime | undefined {
  if (value === undefined || value === null) return [0, 0];
  if (typeof value === 'string' && value.length > 9 && value.length <= MAX_EXACT_DIGITS) {
    // OTLP/JSON's form, a plain decimal string: read in place, without slicing it in two.
    const time = hrTimeFromDigits(value);
    if (time) return time;
  }
  let digits: string;
  if (typeof value === 'string') {
    digits = value.trim();
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return undefined;
    if (Number.isSafeInteger(value)) {
      return [Math.floor(value / 1e9), value % 1e9];
    }
    // Beyond 2^53 the sender (or JSON.parse) already rounded; integral floats print exactly.
    digits = BigInt(Math.trunc(value)).toString();
  } else if (typeof value === 'bigint') {
    if (value < 0n) return undefined;
    digits = value.toString();
  } else if (isLong(value)) {
    digits = value.toString();
  } else {
    return undefined;
  }
  if (!DECIMAL.test(digits)) return undefined;
  if (digits.length <= 9) return [0, Number(digits)];
  const seconds = Number(digits.slice(0, -9));
  return Number.isSafeInteger(seconds) ? [seconds, Number(digits.slice(-9))] : undefined;
}

// Up to 19 digits the seconds (at most 10 digits) add up exactly in a double.
const MAX_EXACT_DIGITS = 19;

/** `digits` (10 to 19 of them) → HrTime, or undefined when they are not all decimal digits. */
function hrTimeFromDigits(digits: string): HrTime | undefined {
  const split = digits.length - 9;
  let seconds = 0;
  let nanos = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return undefined;
    if (i < split) seconds = seconds * 10 + d;
    else nanos = nanos * 10 + d;
  }
  return [seconds, nanos];
}

/** An HrTime `[seconds, nanos]` as written by the JS SDK's own serialisation. */
export function hrTimeFromTuple(value: unknown): HrTime | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [seconds, nanos] = value as unknown[];
  if (typeof seconds !== 'number' || typeof nanos !== 'number') return undefined;
  if (!Number.isSafeInteger(seconds) || !Number.isInteger(nanos) || seconds < 0 || nanos < 0 || nanos >= 1e9) {
    return undefined;
  }
  return [seconds, nanos];
}

/** A non-negative count (uint32 in OTLP); anything unusable counts as 0. */
export function countFrom(value: unknown): number {
  const n = typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

export function stringFrom(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** W3C trace flags (low byte); senders that omit them exported the span, so it was sampled. */
export function traceFlagsFrom(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) ? value & 0xff : TraceFlags.SAMPLED;
}

/** A serialised W3C tracestate header value; anything else (e.g. a class dump) is unusable. */
export function traceStateFrom(value: unknown): TraceState | undefined {
  return typeof value === 'string' && value !== '' ? new TraceState(value) : undefined;
}

interface LongLike {
  low: number;
  high: number;
  toString(): string;
}

function isLong(value: unknown): value is LongLike {
  return isRecord(value) && typeof value.low === 'number' && typeof value.high === 'number';
}

/** int64 → number when it fits exactly, otherwise its decimal string so no digit is lost. */
function int64From(value: unknown): number | string | undefined {
  let digits: string;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === 'string') digits = value.trim();
  else if (typeof value === 'bigint' || isLong(value)) digits = value.toString();
  else return undefined;
  if (!SIGNED_DECIMAL.test(digits)) return undefined;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : digits;
}

function doubleFrom(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  // proto3 JSON writes non-finite doubles as "NaN", "Infinity", "-Infinity" and allows numeric strings.
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isNaN(n) && value !== 'NaN' ? undefined : n;
  }
  return undefined;
}

function bytesFrom(value: unknown): string | undefined {
  if (typeof value === 'string') return value; // already base64 in JSON
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return undefined;
}

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * OTLP AnyValue (JSON object or protobufjs message) → a plain JSON value. Nested lists and
 * key/value lists stay structured here; `attributeFromAnyValue` decides how to flatten them.
 */
function jsonFromAnyValue(value: unknown): JsonValue | undefined {
  if (!isRecord(value)) return undefined;
  if (has(value, 'stringValue')) return stringFrom(value.stringValue);
  if (has(value, 'boolValue')) return typeof value.boolValue === 'boolean' ? value.boolValue : undefined;
  if (has(value, 'intValue')) return int64From(value.intValue);
  if (has(value, 'doubleValue')) return doubleFrom(value.doubleValue);
  if (has(value, 'bytesValue')) return bytesFrom(value.bytesValue);
  if (has(value, 'arrayValue')) {
    const values = isRecord(value.arrayValue) ? value.arrayValue.values : undefined;
    return Array.isArray(values) ? values.map((v) => jsonFromAnyValue(v) ?? null) : [];
  }
  if (has(value, 'kvlistValue')) {
    const values = isRecord(value.kvlistValue) ? value.kvlistValue.values : undefined;
    const out: { [key: string]: JsonValue } = {};
    if (Array.isArray(values)) {
      for (const kv of values) {
        if (isRecord(kv) && typeof kv.key === 'string') out[kv.key] = jsonFromAnyValue(kv.value) ?? null;
      }
    }
    return out;
  }
  return undefined; // an empty AnyValue
}

/**
 * OTLP AnyValue → an OpenTelemetry attribute value. Primitives and arrays of primitives map
 * directly; key/value lists and nested arrays have no attribute form, so they become their JSON
 * text (lossless and still searchable). An empty AnyValue yields undefined: the key is dropped.
 */
export function attributeFromAnyValue(value: unknown): AttributeValue | undefined {
  return attributeFromJson(jsonFromAnyValue(value));
}

/** A plain JSON value (as in the SDK's own span serialisation) → an attribute value. */
export function attributeFromJson(value: unknown): AttributeValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every(isPrimitiveOrNull)) {
    // Mixed primitive arrays are not valid OTel attributes strictly, but downstream code only
    // reads them; converting would lose information for no benefit.
    return value as AttributeValue;
  }
  return JSON.stringify(value);
}

function isPrimitiveOrNull(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** OTLP `repeated KeyValue` → Attributes. Entries without a string key are ignored. */
export function attributesFromKeyValues(list: unknown): Attributes {
  const attributes: Attributes = {};
  if (!Array.isArray(list)) return attributes;
  for (const kv of list) {
    if (!isRecord(kv) || typeof kv.key !== 'string') continue;
    const value = attributeFromAnyValue(kv.value);
    if (value !== undefined) setAttribute(attributes, kv.key, value);
  }
  return attributes;
}

/** A plain `{key: value}` attribute map (SDK serialisation) → Attributes. */
export function attributesFromMap(map: unknown): Attributes {
  const attributes: Attributes = {};
  if (!isRecord(map)) return attributes;
  for (const key of Object.keys(map)) {
    const value = attributeFromJson(map[key]);
    if (value !== undefined) setAttribute(attributes, key, value);
  }
  return attributes;
}

/**
 * Any string is a valid attribute key, `__proto__` too: it becomes an own property, as JSON.parse
 * makes it. Assigned, it would be dropped (a string value) or become the map's prototype (an array).
 */
function setAttribute(attributes: Attributes, key: string, value: Attributes[string]): void {
  if (key === '__proto__') Object.defineProperty(attributes, key, { value, enumerable: true, writable: true, configurable: true });
  else attributes[key] = value;
}

/**
 * Reads a list of span parts (events, links) the way both wire formats need: items that cannot be
 * read are dropped and counted on top of the count the sender already declared, never fatal.
 */
export function collectValid<T>(list: unknown, declaredDropped: unknown, read: (item: Record<string, unknown>) => T | undefined): { items: T[]; dropped: number } {
  const items: T[] = [];
  let dropped = countFrom(declaredDropped);
  for (const item of Array.isArray(list) ? list : []) {
    const value = isRecord(item) ? read(item) : undefined;
    if (value === undefined) {
      dropped++;
    } else {
      items.push(value);
    }
  }
  return { items, dropped };
}
