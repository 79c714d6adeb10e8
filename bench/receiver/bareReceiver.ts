/**
 * The receiver benchmark's floor: the least an OTLP/HTTP trace receiver can do — a bare node:http
 * server on 127.0.0.1 that reads each body, decodes it (JSON.parse, or protobufjs with the same
 * embedded OTLP definitions our receiver uses) and answers 200 with an empty response. No checks,
 * no journal, no pipeline. Runs as a bench worker, in its own process like the real receiver.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import { otlpTraceProto } from '../../src/intake/otlpProto';

export interface BareReceiverResult {
  readonly requests: number;
  readonly spans: number;
}

/**
 * Worker main. Args: `<json|protobuf> <requests> <portFile>`: listens on an ephemeral port, writes
 * it to `portFile` (how the parent finds it), and exits after answering `requests` requests.
 */
export async function bareReceiverMain(args: readonly string[]): Promise<BareReceiverResult> {
  const [kind, expected, portFile] = args;
  if ((kind !== 'json' && kind !== 'protobuf') || !expected || !portFile) throw new Error('usage: <json|protobuf> <requests> <portFile>');
  const total = Number(expected);
  const request = otlpTraceProto().exportTraceServiceRequest;
  let requests = 0;
  let spans = 0;
  const decode = (body: Buffer): number => {
    const message = (kind === 'json' ? JSON.parse(body.toString('utf8')) : request.decode(body)) as {
      resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
    };
    let n = 0;
    for (const rs of message.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
    return n;
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      spans += decode(Buffer.concat(chunks));
      res.writeHead(200, { 'Content-Type': kind === 'json' ? 'application/json' : 'application/x-protobuf' });
      res.end(kind === 'json' ? '{}' : undefined);
      if (++requests === total) server.close();
    });
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
  const address = server.address();
  fs.writeFileSync(portFile, String(typeof address === 'object' && address ? address.port : 0));
  await new Promise<void>((resolve) => server.on('close', resolve));
  return { requests, spans };
}
