import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hrTimeFromNanos, spanIdFrom, traceIdFrom } from '../../../src/intake/spanValues';

test('decimal nanosecond strings of every length become exact HrTimes', () => {
  const cases: Array<[string, [number, number] | undefined]> = [
    ['0', [0, 0]],
    ['999999999', [0, 999_999_999]],
    ['1000000000', [1, 0]],
    ['1700000000123456789', [1_700_000_000, 123_456_789]],
    ['0000000001000000001', [1, 1]],
    ['9999999999999999999', [9_999_999_999, 999_999_999]],
    ['17000000001234567890', [17_000_000_001, 234_567_890]],
    [' 1700000000123456789 ', [1_700_000_000, 123_456_789]],
    ['17000000x0123456789', undefined],
    ['-1700000000123456789', undefined],
    ['1700000000.123456789', undefined],
    ['', undefined],
  ];
  for (const [nanos, expected] of cases) {
    assert.deepEqual(hrTimeFromNanos(nanos), expected, `for ${JSON.stringify(nanos)}`);
  }
});

test('ids: lowercase hex as is, other case lowered, all zeros and non-hex refused', () => {
  assert.equal(traceIdFrom('5b8efff798038103d269b633813fc60c'), '5b8efff798038103d269b633813fc60c');
  assert.equal(traceIdFrom('5B8EFFF798038103D269B633813FC60C'), '5b8efff798038103d269b633813fc60c');
  assert.equal(traceIdFrom('00000000000000000000000000000000'), undefined);
  assert.equal(traceIdFrom('00000000000000000000000000000001'), '00000000000000000000000000000001');
  assert.equal(traceIdFrom('5b8efff798038103d269b633813fc60g'), undefined);
  assert.equal(spanIdFrom('eee19b7ec3c1b174'), 'eee19b7ec3c1b174');
  assert.equal(spanIdFrom('EEE19b7EC3C1B174'), 'eee19b7ec3c1b174');
  assert.equal(spanIdFrom('0000000000000000'), undefined);
  assert.equal(spanIdFrom('eee19b7ec3c1b17'), undefined);
  assert.equal(spanIdFrom('eee19b7ec3c1b174 '), undefined);
});
