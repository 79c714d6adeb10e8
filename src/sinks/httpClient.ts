import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { Pool } from 'undici';

const gzipAsync = promisify(gzip);

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly json?: unknown;
  /** A body already serialised as JSON (a batch built from event texts); wins over `json`. */
  readonly jsonText?: string;
  readonly timeoutMs: number;
}

/** Bodies above this are gzipped (SPEC §9.2): small ones are not worth the CPU. */
export const GZIP_THRESHOLD_BYTES = 1024;
/**
 * JSON of session events compresses about as well at the fastest level as at the default one,
 * at well under half the CPU; the relay shares its machine with the editor.
 */
export const GZIP_LEVEL = constants.Z_BEST_SPEED;

/**
 * JSON over undici with one keep-alive pool per origin. A request either yields a response or
 * throws (network error, reset, timeout) — the retry policy tells those apart only as "no status".
 */
export class HttpClient {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly connectionsPerOrigin = 8) {}

  async request(request: HttpRequest): Promise<HttpResponse> {
    const url = new URL(request.url);
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: Buffer | undefined;
    const text = request.jsonText ?? (request.json !== undefined ? JSON.stringify(request.json) : undefined);
    if (text !== undefined) {
      body = Buffer.from(text, 'utf8');
      headers['content-type'] = 'application/json';
      if (body.length > GZIP_THRESHOLD_BYTES) {
        // On libuv's pool: a batch's compression does not hold up the receiver's event loop.
        body = await gzipAsync(body, { level: GZIP_LEVEL });
        headers['content-encoding'] = 'gzip';
      }
    }
    const signal = AbortSignal.timeout(request.timeoutMs);
    const response = await this.poolFor(url.origin).request({
      method: request.method,
      path: `${url.pathname}${url.search}`,
      headers,
      body,
      signal,
      headersTimeout: request.timeoutMs,
      bodyTimeout: request.timeoutMs,
    });
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    // destroy, not close: at shutdown nothing may wait on a hanging request past the budget.
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }

  private poolFor(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: this.connectionsPerOrigin, keepAliveTimeout: 30_000, pipelining: 1 });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}

export function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
