import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { otlpTraceProto } from '../../../src/intake/otlpProto';
import {
  COMMON_PROTO,
  RESOURCE_PROTO,
  TRACE_PROTO,
  TRACE_SERVICE_PROTO,
} from '../../../src/intake/proto/otlpTraceProto';

/** The repository root, whether the tests were compiled into ./out or into another directory. */
function repoRoot(): string {
  const candidates = [process.cwd(), path.resolve(__dirname, '../../../..')];
  const root = candidates.find((dir) => fs.existsSync(path.join(dir, 'src/intake/proto/opentelemetry')));
  assert.ok(root, 'run the tests from the repository root');
  return root;
}

test('the embedded proto texts are exactly the official .proto files in the repository', () => {
  const dir = path.join(repoRoot(), 'src/intake/proto/opentelemetry/proto');
  const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
  assert.equal(COMMON_PROTO, read('common/v1/common.proto'), 'rerun node src/intake/proto/embed-protos.mjs');
  assert.equal(RESOURCE_PROTO, read('resource/v1/resource.proto'), 'rerun node src/intake/proto/embed-protos.mjs');
  assert.equal(TRACE_PROTO, read('trace/v1/trace.proto'), 'rerun node src/intake/proto/embed-protos.mjs');
  assert.equal(TRACE_SERVICE_PROTO, read('collector/trace/v1/trace_service.proto'), 'rerun node src/intake/proto/embed-protos.mjs');
});

test('ExportTraceServiceResponse carries OTLP 1.0 partial_success as field 1 on the wire', () => {
  const { exportTraceServiceResponse: type } = otlpTraceProto();
  const bytes = type.encode(type.create({ partialSuccess: { rejectedSpans: 3, errorMessage: 'bad ids' } })).finish();
  // field 1, length-delimited → { field 1 varint 3, field 2 string "bad ids" }
  assert.deepEqual([...bytes], [0x0a, 0x0b, 0x08, 0x03, 0x12, 0x07, ...Buffer.from('bad ids')]);
  const decoded = type.toObject(type.decode(bytes), { longs: Number });
  assert.deepEqual(decoded, { partialSuccess: { rejectedSpans: 3, errorMessage: 'bad ids' } });
  assert.equal(type.encode(type.create({})).finish().length, 0);
});

test('the parsed definitions are built once and reused', () => {
  assert.equal(otlpTraceProto(), otlpTraceProto());
});
