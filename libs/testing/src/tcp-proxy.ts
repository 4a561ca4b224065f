import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A loopback TCP proxy in front of a real server (PostgreSQL, say), for specs that take the server away from an app
 * without stopping it for everyone else.
 * - `cut()` closes every proxied connection and stops listening: the app's open connections break and new ones are
 *   refused, as when the server goes down.
 * - `freeze()` keeps every connection open and accepts new ones, but carries no byte either way: the server's host
 *   gone without a word, or a network path that silently drops packets.
 * - `restore()` ends either: it listens again on the same port, and carries bytes again.
 */
export interface TcpProxy {
  readonly port: number;
  cut(): Promise<void>;
  freeze(): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function tcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let frozen = false;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  /** Carries `from`'s bytes to `to`, except while frozen, when they are dropped. */
  const carry = (from: Socket, to: Socket): void => {
    from.on('data', (chunk: Buffer) => {
      if (!frozen) to.write(chunk);
    });
    from.on('close', () => to.destroy());
  };
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const listening = createServer((client) => {
        const upstream = connect(targetPort, targetHost);
        track(client);
        track(upstream);
        carry(client, upstream);
        carry(upstream, client);
      });
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => {
        const address = listening.address();
        port = typeof address === 'object' && address ? address.port : port;
        server = listening;
        resolve();
      });
    });
  const cut = async (): Promise<void> => {
    const stopping = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (stopping) await new Promise<void>((resolve) => stopping.close(() => resolve()));
  };
  await listen();
  return {
    port,
    cut,
    freeze: () => {
      frozen = true;
    },
    restore: async () => {
      frozen = false;
      if (!server) await listen();
    },
    close: cut,
  };
}
