/**
 * The receiving end of baseline (a): a local OTLP/HTTP JSON endpoint that parses each export
 * request, counts its spans and answers 200 — a collector that keeps nothing. Parsing is kept so
 * it does the same kind of work per byte as the bench's Sessions API.
 */
import type * as http from 'node:http';
import { CountWaiter } from '../lib/countWaiter';
import { readBody } from '../lib/httpBody';
import { LocalHttpServer } from '../lib/localHttpServer';

interface ExportRequest {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
}

export class OtlpCountingSink {
  private readonly server: LocalHttpServer;
  private readonly arrivals = new CountWaiter(
    () => this.spans,
    (count, ms) => `the OTLP sink has ${this.spans} of ${count} spans after ${ms} ms`,
  );
  spans = 0;

  constructor() {
    this.server = new LocalHttpServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(400).end();
      });
    });
  }

  async start(): Promise<string> {
    const port = await this.server.listen();
    return `http://127.0.0.1:${port}/v1/traces`;
  }

  reset(): void {
    this.spans = 0;
  }

  /** Resolves once `count` spans have arrived; rejects after `timeoutMs`. */
  waitForSpans(count: number, timeoutMs: number): Promise<void> {
    return this.arrivals.wait(count, timeoutMs);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const request = JSON.parse(raw.toString('utf8')) as ExportRequest;
    for (const rs of request.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) this.spans += ss.spans?.length ?? 0;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    this.arrivals.update();
  }
}
