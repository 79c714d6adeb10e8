import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Disposable } from '../common/disposable';
import type { Logger } from '../common/logger';
import { OtlpDecodeError, decodeTraceRequest, type DecodeResult } from './otlpDecode';
import { otlpTraceProto } from './otlpProto';

export interface OtlpReceiverOptions {
  /** 0 binds an ephemeral port; `start()` resolves with the real one. */
  port: number;
  /** Loopback only: '127.0.0.1' (default), '::1' or 'localhost'. Anything else throws. */
  host?: string;
  /** When set (non-empty), every request must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Limit on the decompressed (and the raw) body size. Default 16 MiB. */
  maxBodyBytes?: number;
  /**
   * Receives each request's accepted spans. The HTTP answer waits for it: resolve only once the
   * spans are durable, because a 200 tells the sender it may forget them. A throw/rejection
   * answers 503 so the sender retries.
   */
  onSpans: (spans: ReadableSpan[]) => void | Promise<void>;
  logger: Logger;
}

export interface OtlpReceiverCounters {
  /** Every HTTP request received. */
  readonly requests: number;
  /** Spans handed to `onSpans` and acknowledged with 200. */
  readonly spansAccepted: number;
  /** Spans dropped as invalid inside otherwise accepted requests (reported as partial success). */
  readonly spansRejected: number;
  /** Requests answered with an error status (4xx/5xx), security refusals included. */
  readonly refused: number;
}

const LOOPBACK_BIND_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const LOOPBACK_HOST_HEADER = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;
const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const SIGNALS: Record<string, 'traces' | 'logs' | 'metrics'> = {
  '/v1/traces': 'traces',
  '/v1/logs': 'logs',
  '/v1/metrics': 'metrics',
};
/** How long `close()` lets in-flight requests (waiting on `onSpans`) finish before cutting them. */
const CLOSE_GRACE_MS = 2_000;

/** google.rpc.Code values used in error bodies. */
const RpcCode = {
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNAVAILABLE: 14,
  INTERNAL: 13,
} as const;

type BodyKind = 'json' | 'protobuf';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly rpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The client went away mid-body: there is nobody left to answer. */
class ClientGone extends Error {}

/**
 * An OTLP/HTTP receiver for traces that behaves like an OpenTelemetry Collector towards senders
 * (Copilot Chat's exporter and the OTel SDKs): JSON and protobuf, gzip/deflate, partial success,
 * and the status codes senders use to decide between retrying and dropping.
 *
 * It only ever listens on loopback and refuses what could come from a web page: requests with an
 * `Origin` (browsers always send one on cross-site POSTs) and requests whose `Host` is not a
 * loopback name (a DNS-rebinding page reaches 127.0.0.1 under its own host name).
 *
 * Error bodies: once the request's content type is known (400, 413, 503) they are a
 * `google.rpc.Status` `{code, message}` in that encoding; earlier refusals (401, 403, 404, 405, 415)
 * are short `text/plain` messages. Messages never contain body content or tokens.
 */
export class OtlpReceiver implements Disposable {
  private readonly port: number;
  private readonly host: string;
  private readonly tokenDigest?: Buffer;
  private readonly maxBodyBytes: number;
  private readonly onSpans: OtlpReceiverOptions['onSpans'];
  private readonly logger: Logger;
  private server?: http.Server;
  private starting?: Promise<number>;
  private counts = { requests: 0, spansAccepted: 0, spansRejected: 0, refused: 0 };

  constructor(options: OtlpReceiverOptions) {
    const host = options.host ?? '127.0.0.1';
    if (!LOOPBACK_BIND_HOSTS.has(host)) {
      throw new Error(`OTLP receiver host must be a loopback address (127.0.0.1, ::1 or localhost)`);
    }
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
      throw new Error(`OTLP receiver port must be an integer from 0 to 65535`);
    }
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
      throw new Error('OTLP receiver maxBodyBytes must be a positive integer');
    }
    this.port = options.port;
    this.host = host;
    // Comparing fixed-length digests keeps the check constant-time regardless of token length.
    this.tokenDigest = options.token ? sha256(options.token) : undefined;
    this.maxBodyBytes = maxBodyBytes;
    this.onSpans = options.onSpans;
    this.logger = options.logger;
  }

  get requests(): number {
    return this.counts.requests;
  }
  get spansAccepted(): number {
    return this.counts.spansAccepted;
  }
  get spansRejected(): number {
    return this.counts.spansRejected;
  }
  get refused(): number {
    return this.counts.refused;
  }
  get counters(): OtlpReceiverCounters {
    return { ...this.counts };
  }

  /** Resolves with the bound port; rejects with Node's error (`code: 'EADDRINUSE'` when taken). */
  start(): Promise<number> {
    if (this.server) return Promise.reject(new Error('OTLP receiver is already running'));
    if (this.starting) return this.starting;
    const server = http.createServer({
      // A client that stalls must not hold a connection (or the port's owner) forever.
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      keepAliveTimeout: 5_000,
    });
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      void this.handle(req, res, server);
    });
    this.starting = new Promise<number>((resolve, reject) => {
      const onError = (err: Error) => {
        this.starting = undefined;
        server.close();
        reject(err);
      };
      server.once('error', onError);
      server.listen({ port: this.port, host: this.host }, () => {
        server.removeListener('error', onError);
        server.on('error', (err) => this.logger.error(`OTLP receiver socket error: ${err.message}`));
        this.server = server;
        this.starting = undefined;
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : this.port;
        this.logger.info(`OTLP receiver listening on ${this.host}:${port}`);
        resolve(port);
      });
    });
    return this.starting;
  }

  /** Stops listening and closes idle keep-alive connections; in-flight requests get a short grace. */
  async close(): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });
    this.logger.info('OTLP receiver closed');
  }

  dispose(): void {
    void this.close();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, server: http.Server): Promise<void> {
    this.counts.requests++;
    try {
      await this.route(req, res, server);
    } catch (err) {
      if (err instanceof ClientGone) return;
      this.logger.error(`OTLP receiver: unexpected error handling ${req.method} request: ${(err as Error).message}`);
      if (!res.headersSent) this.sendText(res, server, 500, 'internal error');
      else res.destroy();
    }
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse, server: http.Server): Promise<void> {
    if (!LOOPBACK_HOST_HEADER.test(req.headers.host ?? '')) {
      this.logger.warn('OTLP receiver refused a request whose Host is not a loopback name (possible DNS rebinding)');
      return this.sendText(res, server, 403, 'Host must be a loopback name');
    }
    if (req.headers.origin !== undefined) {
      this.logger.warn('OTLP receiver refused a request from a browser (Origin header present)');
      return this.sendText(res, server, 403, 'browser requests are not accepted');
    }
    const signal = SIGNALS[(req.url ?? '/').split('?')[0]];
    if (!signal) return this.sendText(res, server, 404, 'not found');
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return this.sendText(res, server, 405, 'method not allowed');
    }
    if (this.tokenDigest && !this.authorized(req.headers.authorization)) {
      this.logger.warn('OTLP receiver refused a request with a missing or wrong bearer token');
      res.setHeader('WWW-Authenticate', 'Bearer');
      return this.sendText(res, server, 401, 'missing or wrong bearer token');
    }
    const kind = bodyKind(req.headers['content-type']);
    if (!kind) {
      this.logger.warn('OTLP receiver refused a request with an unsupported Content-Type');
      return this.sendText(res, server, 415, 'Content-Type must be application/json or application/x-protobuf');
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'deflate') {
      this.logger.warn('OTLP receiver refused a request with an unsupported Content-Encoding');
      return this.sendText(res, server, 415, 'Content-Encoding must be gzip, deflate or identity');
    }

    let result: DecodeResult | undefined;
    try {
      const body = await this.readBody(req, encoding);
      if (signal !== 'traces') {
        // Copilot exports logs and metrics to the same endpoint; accepting them keeps its exporter
        // from logging errors and retrying, and nothing here needs them.
        return this.sendOk(res, server, kind, 0, []);
      }
      result = decodeTraceRequest(body, kind);
    } catch (err) {
      if (err instanceof ClientGone) throw err;
      const error =
        err instanceof HttpError
          ? err
          : err instanceof OtlpDecodeError
            ? new HttpError(400, RpcCode.INVALID_ARGUMENT, err.message)
            : undefined;
      if (!error) throw err;
      this.logger.warn(`OTLP receiver answered ${error.status}: ${error.message}`);
      return this.sendStatus(res, server, kind, error);
    }

    if (result.spans.length > 0) {
      try {
        await this.onSpans(result.spans);
      } catch (err) {
        this.logger.error(
          `OTLP receiver could not hand over ${result.spans.length} spans, answered 503 so the sender retries: ${(err as Error).message}`,
        );
        return this.sendStatus(res, server, kind, new HttpError(503, RpcCode.UNAVAILABLE, 'spans could not be stored, retry later'));
      }
    }
    this.counts.spansAccepted += result.spans.length;
    this.counts.spansRejected += result.rejected;
    this.logger.trace(
      `OTLP receiver accepted ${result.spans.length} spans (${kind})` +
        (result.rejected ? `, rejected ${result.rejected}: ${result.rejectReasons.join('; ')}` : ''),
    );
    return this.sendOk(res, server, kind, result.rejected, result.rejectReasons);
  }

  private authorized(header: string | undefined): boolean {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
    return match !== null && this.tokenDigest !== undefined && timingSafeEqual(sha256(match[1]), this.tokenDigest);
  }

  /**
   * Reads the body while counting the decompressed bytes, and stops decompressing the moment
   * the limit is passed: a few KiB of gzip can expand to gigabytes, so the size must be checked
   * on the output stream, not on Content-Length.
   */
  private readBody(req: http.IncomingMessage, encoding: string): Promise<Buffer> {
    const max = this.maxBodyBytes;
    const tooLarge = () =>
      new HttpError(413, RpcCode.RESOURCE_EXHAUSTED, `body exceeds the ${max}-byte limit (after decompression)`);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) return Promise.reject(tooLarge());

    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let rawSize = 0;
      let settled = false;
      const decoder =
        encoding === 'gzip' ? zlib.createGunzip() : encoding === 'deflate' ? zlib.createInflate() : undefined;
      const output = decoder ?? req;

      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        if (decoder) {
          req.unpipe(decoder);
          decoder.destroy();
        }
        output.removeListener('data', onData);
        req.removeListener('data', onRaw);
        if (err) {
          // Keep draining (and discarding) the rest of the request so the answer reaches the
          // client instead of a connection reset, and the connection stays reusable.
          req.resume();
          reject(err);
        } else {
          resolve(Buffer.concat(chunks, size));
        }
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) settle(tooLarge());
        else chunks.push(chunk);
      };
      // Also bound the compressed input: a stream that never inflates to anything must end too.
      const onRaw = (chunk: Buffer) => {
        rawSize += chunk.length;
        if (rawSize > max) settle(tooLarge());
      };

      req.on('error', () => settle(new ClientGone()));
      req.on('close', () => {
        if (!req.complete) settle(new ClientGone());
      });
      output.on('data', onData);
      output.on('end', () => settle());
      if (decoder) {
        req.on('data', onRaw);
        decoder.on('error', () =>
          settle(new HttpError(400, RpcCode.INVALID_ARGUMENT, `body is not valid ${encoding} data`)),
        );
        req.pipe(decoder);
      }
    });
  }

  private sendOk(
    res: http.ServerResponse,
    server: http.Server,
    kind: BodyKind,
    rejected: number,
    reasons: string[],
  ): void {
    const partialSuccess =
      rejected > 0 ? { rejectedSpans: rejected, errorMessage: `${rejected} spans rejected: ${reasons.join('; ')}` } : undefined;
    if (kind === 'json') {
      // proto3 JSON writes int64 as a decimal string (OTLP/JSON allows either when decoding).
      const body = partialSuccess
        ? { partialSuccess: { rejectedSpans: String(partialSuccess.rejectedSpans), errorMessage: partialSuccess.errorMessage } }
        : {};
      this.send(res, server, 200, 'application/json', JSON.stringify(body));
    } else {
      const type = otlpTraceProto().exportTraceServiceResponse;
      this.send(res, server, 200, 'application/x-protobuf', type.encode(type.create(partialSuccess ? { partialSuccess } : {})).finish());
    }
  }

  private sendStatus(res: http.ServerResponse, server: http.Server, kind: BodyKind, error: HttpError): void {
    const status = { code: error.rpcCode, message: error.message };
    if (kind === 'json') {
      this.send(res, server, error.status, 'application/json', JSON.stringify(status));
    } else {
      const type = otlpTraceProto().status;
      this.send(res, server, error.status, 'application/x-protobuf', type.encode(type.create(status)).finish());
    }
  }

  private sendText(res: http.ServerResponse, server: http.Server, status: number, message: string): void {
    this.send(res, server, status, 'text/plain; charset=utf-8', message);
  }

  private send(
    res: http.ServerResponse,
    server: http.Server,
    status: number,
    contentType: string,
    body: string | Uint8Array,
  ): void {
    if (status >= 400) this.counts.refused++;
    // Answers finishing after close() must not invite the client to reuse the connection.
    if (!server.listening) res.setHeader('Connection', 'close');
    res.statusCode = status;
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    res.end(body);
  }
}

function bodyKind(contentType: string | undefined): BodyKind | undefined {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType === 'application/json') return 'json';
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  return undefined;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
