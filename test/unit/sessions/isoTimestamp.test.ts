import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IsoTimestamps } from '../../../src/sessions/isoTimestamp';
import { prng } from '../../support/copilotSpans';

const timestamps = new IsoTimestamps();

function viaDate(ms: number): string {
  try {
    return new Date(ms).toISOString();
  } catch (err) {
    return `throws ${(err as Error).name}`;
  }
}

function viaFast(ms: number): string {
  try {
    return timestamps.format(ms);
  } catch (err) {
    return `throws ${(err as Error).name}`;
  }
}

test('formats exactly like Date#toISOString, edges included', () => {
  const edges = [0, -0, 0.5, -0.5, -1, 999.999, 59_999.9, 60_000, Date.UTC(2026, 10, 2, 9, 0, 59, 999) + 0.9, Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 0.5, Date.UTC(10000, 0, 1), 8.64e15, -8.64e15, 8.64e15 + 1, NaN, Infinity, -Infinity];
  for (const ms of edges) {
    assert.equal(viaFast(ms), viaDate(ms), `for ${ms}`);
  }
});

test('formats seeded random times like Date#toISOString, in and out of order', () => {
  const rand = prng(7);
  for (let i = 0; i < 20_000; i++) {
    const ms = i % 2 === 0 ? Date.UTC(2026, 0, 1) + rand() * 3_600_000 : rand() * 2.6e14 - 1e12;
    assert.equal(viaFast(ms), viaDate(ms), `for ${ms}`);
  }
});
