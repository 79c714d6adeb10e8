/**
 * The sender in front of ours: the workload's spans as OTLP/HTTP JSON export requests of 512 spans
 * (the BatchSpanProcessor's default batch, what Copilot Chat's exporter sends), serialised by the
 * OpenTelemetry transformer ahead of time, posted one at a time as an SDK exporter does. Only the
 * relay's work is then inside the timed window, not the making of the requests.
 */
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Pool } from 'undici';

export const SPANS_PER_REQUEST = 512;

export function serialiseExportRequests(spans: readonly ReadableSpan[]): Uint8Array[] {
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < spans.length; i += SPANS_PER_REQUEST) {
    const body = JsonTraceSerializer.serializeRequest(spans.slice(i, i + SPANS_PER_REQUEST));
    if (!body) throw new Error('the OTLP serializer produced no request');
    bodies.push(body);
  }
  return bodies;
}

/** Posts every body in order, one in flight; throws on any answer but 200. */
export async function postExportRequests(tracesUrl: string, bodies: readonly Uint8Array[]): Promise<void> {
  const url = new URL(tracesUrl);
  const pool = new Pool(url.origin, { connections: 1 });
  try {
    for (const body of bodies) {
      const response = await pool.request({ method: 'POST', path: url.pathname, headers: { 'content-type': 'application/json' }, body });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`the relay answered ${response.statusCode}: ${text.slice(0, 200)}`);
    }
  } finally {
    await pool.close();
  }
}
