/**
 * The receiving end of baseline (a): a local OTLP/HTTP JSON endpoint that parses each export
 * request, counts its spans and answers 200 — a collector that keeps nothing. Parsing is kept so
 * it does the same kind of work per byte as the bench's Sessions API.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CountWaiter } from '../lib/countWaiter';
import { readBody } from '../lib/httpBody';


interface ExportRequest {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
}

export class OtlpCountingSink {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly arrivals = new CountWaiter(
    () => this.spans,
    (count, ms) => `the OTLP sink has ${this.spans} of ${count} spans after ${ms} ms`,
  );
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
    return this.arrivals.wait(count, timeoutMs);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const request = JSON.parse(raw.toString('utf8')) as ExportRequest;
    for (const rs of request.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) this.spans += ss.spans?.length ?? 0;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    this.arrivals.update();
  }
}
