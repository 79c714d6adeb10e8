/**
 * Concurrent OTLP/HTTP senders: each holds one keep-alive connection (undici Client) and posts
 * pre-built export requests one after another, waiting for each answer, as an OTLP exporter does.
 * The senders share one list of bodies, so they finish together.
 */
import { Client } from 'undici';

export const CONTENT_TYPES = { json: 'application/json', protobuf: 'application/x-protobuf' } as const;

/** Posts every body once over `concurrency` connections; resolves with the milliseconds taken. */
export async function sendAll(url: string, kind: keyof typeof CONTENT_TYPES, bodies: readonly Uint8Array[], concurrency: number): Promise<number> {
  const clients = Array.from({ length: concurrency }, () => new Client(url, { pipelining: 1 }));
  let next = 0;
  const sender = async (client: Client): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++] as Uint8Array;
      const res = await client.request({ path: '/v1/traces', method: 'POST', headers: { 'content-type': CONTENT_TYPES[kind] }, body });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`receiver answered ${res.statusCode}`);
    }
  };
  const start = process.hrtime.bigint();
  try {
    await Promise.all(clients.map(sender));
    return Number(process.hrtime.bigint() - start) / 1e6;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}
