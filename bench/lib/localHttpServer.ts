/**
 * The skeleton the bench's local services share: an HTTP server on 127.0.0.1 and a free port,
 * keep-alive for the senders' pooled connections, and a close that does not wait for them to idle
 * out (it ends their sockets).
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export class LocalHttpServer {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;

  constructor(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
    this.server = http.createServer(handler);
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Listens on a free port of 127.0.0.1; resolves with it. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    return this.boundPort;
  }

  get port(): number {
    return this.boundPort;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
