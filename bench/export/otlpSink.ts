/**
 * The receiving end of baseline (a): a local OTLP/HTTP JSON endpoint that parses each export
 * request, counts its spans and answers 200 — a collector that keeps nothing. Parsing is kept so
 * it does the same kind of work per byte as the bench's Sessions API.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);

interface ExportRequest {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
}

export class OtlpCountingSink {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private waiter: { count: number; resolve: () => void } | undefined;
  private port = 0;
  spans = 0;

  constructor() {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(400).end();
      });
    });
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}/v1/traces`;
  }

  reset(): void {
    this.spans = 0;
  }

  /** Resolves once `count` spans have arrived; rejects after `timeoutMs`. */
  waitForSpans(count: number, timeoutMs: number): Promise<void> {
    if (this.spans >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`the OTLP sink has ${this.spans} of ${count} spans after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        },
      };
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let raw = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') raw = await gunzipAsync(raw);
    const request = JSON.parse(raw.toString('utf8')) as ExportRequest;
    for (const rs of request.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) this.spans += ss.spans?.length ?? 0;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    if (this.waiter && this.spans >= this.waiter.count) this.waiter.resolve();
  }
}
