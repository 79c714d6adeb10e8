import * as protobuf from 'protobufjs';
import { OTLP_TRACE_PROTO_SOURCES } from './proto/otlpTraceProto';

/** The protobufjs message types the receiver needs, built once from the official OTLP .proto files. */
export interface OtlpTraceProto {
  readonly exportTraceServiceRequest: protobuf.Type;
  readonly exportTraceServiceResponse: protobuf.Type;
  /** `google.rpc.Status` (code and message only), the body OTLP/HTTP prescribes for errors. */
  readonly status: protobuf.Type;
}

let cached: OtlpTraceProto | undefined;

/**
 * Parsed lazily on the first protobuf request: parsing ~20 KB of .proto text and generating
 * codecs takes milliseconds that activation should not pay when Copilot sends JSON (its default).
 */
export function otlpTraceProto(): OtlpTraceProto {
  cached ??= build();
  return cached;
}

function build(): OtlpTraceProto {
  const root = new protobuf.Root();
  // The files `import` each other; parsing all into one root in dependency order lets
  // resolveAll() link the fully-qualified references without any file loading.
  for (const source of OTLP_TRACE_PROTO_SOURCES) {
    protobuf.parse(source, root, { keepCase: false });
  }

  const collector = root.lookup('opentelemetry.proto.collector.trace.v1');
  if (!(collector instanceof protobuf.Namespace)) {
    throw new Error('OTLP proto definitions lack opentelemetry.proto.collector.trace.v1');
  }
  const response = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');

  // The embedded definitions predate OTLP 1.0, whose ExportTraceServiceResponse gained
  // `partial_success`. Rather than editing the official files we add the field here, exactly as
  // OTLP 1.0 defines it (same numbers and types), so senders see partial success on the wire.
  // Field names are given in the camelCase form that `keepCase: false` produces for parsed fields.
  if (!response.fields.partialSuccess) {
    collector.add(
      new protobuf.Type('ExportTracePartialSuccess')
        .add(new protobuf.Field('rejectedSpans', 1, 'int64'))
        .add(new protobuf.Field('errorMessage', 2, 'string')),
    );
    response.add(new protobuf.Field('partialSuccess', 1, 'ExportTracePartialSuccess'));
  }

  // OTLP/HTTP error bodies are google.rpc.Status. Only `code` and `message` are ever sent; the
  // `details` field (repeated google.protobuf.Any) is left out because nothing here fills it.
  root.define('google.rpc').add(
    new protobuf.Type('Status')
      .add(new protobuf.Field('code', 1, 'int32'))
      .add(new protobuf.Field('message', 2, 'string')),
  );

  root.resolveAll();
  return {
    exportTraceServiceRequest: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    exportTraceServiceResponse: response,
    status: root.lookupType('google.rpc.Status'),
  };
}
